from django.contrib import admin

from .models import Department, Employee, LevelHistory


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "lead"]


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "department", "level", "base_salary", "hired_on"]
    list_filter = ["department", "level"]
    search_fields = ["name", "user__username"]


@admin.register(LevelHistory)
class LevelHistoryAdmin(admin.ModelAdmin):
    list_display = ["employee", "from_level", "to_level", "base_salary", "effective_on", "reason"]
    list_filter = ["to_level"]
