"""Admin for the organisation: readable lists with filters. Levels and salaries change through
promotions (approvals) or load_org, which keep LevelHistory; here they are set only when an
employee is added."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from approvals.inputs import date_window

from .models import Department, Employee, LevelHistory
from .roles import roles_of
from .services import employee_level_start


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "lead", "member_count"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["lead"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("lead")
            .annotate(_member_count=Count("members"))
        )

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj):
        return obj._member_count


class LevelHistoryInline(admin.TabularInline):
    model = LevelHistory
    extra = 0
    can_delete = False
    fields = ["effective_on", "from_level", "to_level", "base_salary", "reason", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EmployeeForm(forms.ModelForm):
    """The admin's employee form: a hire date is one a person could mean (the window of
    load_org and of every process, issue 11 finding 5), never a year-9999 typo that would break
    the probation backfill for everyone."""

    class Meta:
        model = Employee
        fields = ["user", "name", "department", "level", "base_salary", "hired_on", "language"]

    def clean_hired_on(self):
        day = self.cleaned_data["hired_on"]
        first, last = date_window()
        if day is not None and not first <= day <= last:
            raise forms.ValidationError(
                _("%(value)s is outside the accepted dates (%(first)s to %(last)s)."),
                code="date_out_of_range",
                params={"value": day.isoformat(), "first": first, "last": last},
            )
        return day


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    form = EmployeeForm
    list_display = ["name", "username", "department", "level", "base_salary", "hired_on", "roles"]
    list_filter = ["department", "level", "user__groups", "user__is_active"]
    search_fields = ["name", "user__username", "user__email"]
    list_select_related = ["user", "department"]
    autocomplete_fields = ["user"]
    date_hierarchy = "hired_on"
    inlines = [LevelHistoryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("user__groups")

    def get_readonly_fields(self, request, obj=None):
        # A level change must leave a LevelHistory row: promotions and load_org do that.
        return ["level", "base_salary"] if obj is not None else []

    @admin.display(description=_("username"), ordering="user__username")
    def username(self, obj):
        return obj.user.username

    @admin.display(description=_("roles"))
    def roles(self, obj):
        return ", ".join(roles_of(obj.user))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            employee_level_start(employee=obj)


@admin.register(LevelHistory)
class LevelHistoryAdmin(admin.ModelAdmin):
    """A record: read-only."""

    list_display = ["employee", "from_level", "to_level", "base_salary", "effective_on", "reason"]
    list_filter = ["to_level", "from_level", "employee__department"]
    search_fields = ["employee__name", "employee__user__username", "reason"]
    list_select_related = ["employee"]
    date_hierarchy = "effective_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AccountAdmin(UserAdmin):
    """User accounts are never deleted here: a person who leaves is deactivated (active
    unchecked). Deleting one would take their viewflow tasks with it (changing open processes)
    and is refused anyway for anyone the audit log names."""

    def has_delete_permission(self, request, obj=None):
        return False


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
