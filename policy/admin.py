"""Admin of the policy data: versions (the GM office keeps them) and calendar overrides
(administration keeps them).

A version goes through policy.services: its pack is held against the JSON Schema and the linter
before it is saved (an error refuses it with its JSON path; `manage.py policy_lint` prints the
same findings), it takes effect from a future time, and it is read-only once in force or once a
case is judged by it: cases keep the version they were submitted under, so it never changes and
no version is ever deleted."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import CalendarOverride, PolicyVersion
from .services import (
    policy_version_check,
    policy_version_create,
    policy_version_update,
    version_is_locked,
)


class PolicyVersionForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = ["code", "name", "effective_from", "data", "notes"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            policy_version_check(
                version=self.instance if self.instance.pk else None,
                effective_from=cleaned.get("effective_from"),
                data=cleaned.get("data"),
            )
        except ValidationError as exc:
            self._update_errors(exc)
        return cleaned


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    """A new version (effective from a date) changes the rules without a deploy; cases keep the
    version they were submitted under."""

    form = PolicyVersionForm
    list_display = ["code", "name", "effective_from", "in_force", "created_at"]
    search_fields = ["code", "name"]

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, obj):
        return obj.effective_from <= timezone.now()

    def has_change_permission(self, request, obj=None):
        if obj is not None and version_is_locked(obj):
            return False  # in force (or was), or judging cases: kept as it was
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in form.Meta.fields if f in form.cleaned_data}
        if change:
            saved = policy_version_update(version=obj, **fields)
        else:
            saved = policy_version_create(**fields)
        obj.pk = saved.pk


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
