"""Admin of the policy data: versions (the GM office keeps them) and calendar overrides
(administration keeps them).

A version is judged by the linter before it is saved (an error refuses it; `manage.py policy_lint`
prints the same findings), takes effect from a future time, and is read-only once in force:
cases keep the version in force when they were submitted, so what was in force never changes
and no version is ever deleted."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .lint import ERROR, lint
from .models import CalendarOverride, PolicyVersion


class PolicyVersionForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = ["code", "name", "effective_from", "data", "notes"]

    def clean_effective_from(self):
        effective_from = self.cleaned_data["effective_from"]
        if effective_from is not None and effective_from <= timezone.now():
            raise forms.ValidationError(
                _("A new version takes effect in the future: the one in force stays as it is."),
                code="effective_from_past",
            )
        return effective_from

    def clean_data(self):
        data = self.cleaned_data["data"]
        if not isinstance(data, dict):
            raise forms.ValidationError(_("A policy pack is a JSON object."), code="pack_shape")
        try:
            findings = lint(data)
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise forms.ValidationError(
                _("This is not a complete policy pack (%(problem)s)."),
                code="pack_shape",
                params={"problem": f"{type(exc).__name__}: {exc}"},
            ) from exc
        errors = [f for f in findings if f.severity == ERROR]
        if errors:
            raise forms.ValidationError(
                [
                    forms.ValidationError(f"{f.code} {f.path}: {f.message}", code=f.code)
                    for f in errors
                ]
            )
        return data


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    """A new version (effective from a date) changes the rules without a deploy; cases keep the
    version in force when they were submitted."""

    form = PolicyVersionForm
    list_display = ["code", "name", "effective_from", "in_force", "created_at"]
    search_fields = ["code", "name"]

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, obj):
        return obj.effective_from <= timezone.now()

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.effective_from <= timezone.now():
            return False  # in force (or was): kept as it was
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
