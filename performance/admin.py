"""Admin for monthly assessments: a readable list with filters. Adding or correcting a score
goes through assessment_record, so tier, grade and policy version are computed by the policy and
the change is audited."""

import datetime as dt

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from approvals.errors import DomainError

from .models import Assessment
from .services import assessment_check, assessment_record


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["employee", "month", "score", "source"]
        help_texts = {"month": _("Any day of the month; stored as its first day.")}

    def clean_month(self):
        # Normalised here, before the unique (employee, month) check the form runs next.
        return self._checked("month")

    def clean_score(self):
        return self._checked("score")

    def _checked(self, name):
        value = self.cleaned_data.get(name)
        if value is None:
            return value
        probe = {"month": dt.date(2000, 1, 1), "score": 80, name: value}
        try:
            month, score = assessment_check(**probe)
        except DomainError as exc:
            raise forms.ValidationError(exc.detail, code=exc.code) from exc
        return month if name == "month" else score


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    form = AssessmentForm
    list_display = [
        "employee",
        "department",
        "month_display",
        "score",
        "tier",
        "grade",
        "source",
        "policy_version",
        "updated_at",
    ]
    list_filter = ["tier", "grade", "source", "employee__department", "policy_version"]
    search_fields = ["employee__name", "employee__user__username"]
    list_select_related = ["employee__department"]
    date_hierarchy = "month"
    autocomplete_fields = ["employee"]
    readonly_fields = ["tier", "grade", "policy_version", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a correction replaces the score of the same employee and month
            return [*self.readonly_fields, "employee", "month"]
        return self.readonly_fields

    @admin.display(description=_("month"), ordering="month")
    def month_display(self, obj):
        return obj.month.strftime("%Y-%m")

    @admin.display(description=_("department"), ordering="employee__department")
    def department(self, obj):
        return obj.employee.department

    def save_model(self, request, obj, form, change):
        saved = assessment_record(
            employee=obj.employee,
            month=obj.month,
            score=obj.score,
            source=obj.source,
            actor=request.user,
        )
        # The admin logs and redirects with this instance.
        obj.pk = saved.pk
        obj.tier, obj.grade, obj.policy_version = saved.tier, saved.grade, saved.policy_version
