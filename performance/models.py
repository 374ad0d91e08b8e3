"""Monthly assessments (SCORE-1, SCORE-4, SCORE-5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Assessment(models.Model):
    """One row per employee and calendar month. `month` is the first day of the month.
    Tier and grade are computed from the score by the policy in force when it was recorded."""

    class Source(models.TextChoices):
        IMPORT = "import", _("Imported")
        MANUAL = "manual", _("Entered")
        EVENTS = "events", _("Computed from events")

    employee = models.ForeignKey(
        "org.Employee", on_delete=models.CASCADE, related_name="assessments"
    )
    month = models.DateField(_("month"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    tier = models.PositiveSmallIntegerField(_("tier"))
    grade = models.CharField(_("grade"), max_length=8)
    policy_version = models.CharField(max_length=40)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("monthly assessment")
        verbose_name_plural = _("monthly assessments")
        ordering = ["employee", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "month"], name="one_assessment_per_month"),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="assessment_month_first_day"
            ),
        ]

    def __str__(self):
        return f"{self.employee} {self.month:%Y-%m}: {self.score}"
