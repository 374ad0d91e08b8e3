from django.contrib import admin

from .models import Assessment


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["employee", "month", "score", "tier", "grade", "source", "policy_version"]
    list_filter = ["month", "tier", "grade", "employee__department"]
    search_fields = ["employee__name", "employee__user__username"]
