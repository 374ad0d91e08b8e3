"""Policy as versioned, effective-dated data: a request is judged by the version in force when it
was submitted (POLICY.md preamble)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyVersion(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateTimeField(_("effective from"), db_index=True)
    data = models.JSONField(_("pack"))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["-effective_from"]

    def __str__(self):
        return f"{self.code} ({self.effective_from:%Y-%m-%d})"


class CalendarOverride(models.Model):
    """A day the official notice makes different from the computed calendar (DEADLINE-1): an
    administrator enters the State Council's notice here before the `holidays` package has it.
    An override wins over the package."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date}: {'working' if self.is_working_day else 'off'}"
