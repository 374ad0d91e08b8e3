from django.contrib import admin

from .models import CalendarOverride, PolicyVersion


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    """A new version (effective from a date) changes the rules without a deploy; cases keep the
    version in force when they were submitted."""

    list_display = ["code", "name", "effective_from", "created_at"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note"]
