"""Read access to one case for someone outside its process (CASE-2, CASE-4).

A copied-in colleague (抄送, CASE-4) or a consultee (征询, CASE-2) may read that one case: its
kind's `*_visible_to` selectors include the grants through `approvals.selectors.scoped`. A grant
only lets someone read; every service still checks roles before anyone acts.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CaseAccess(models.Model):
    class Reason(models.TextChoices):
        CC = "cc", _("Copied in")
        CONSULT = "consult", _("Consulted")

    case_type = models.CharField(max_length=40)
    case_id = models.BigIntegerField()
    employee = models.ForeignKey(
        "org.Employee",
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="case_access",
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        app_label = "approvals"
        verbose_name = _("case access")
        verbose_name_plural = _("case access")
        ordering = ["granted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "case_id", "employee", "reason"],
                name="one_case_access_per_reason",
            )
        ]
        # scoped(): the cases of one kind an employee was given access to.
        indexes = [models.Index(fields=["employee", "case_type", "case_id"])]

    def __str__(self):
        return f"{self.case_type}#{self.case_id} → {self.employee_id} ({self.reason})"
