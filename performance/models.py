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


class ScoreEvent(models.Model):
    """A bonus or deduction booked to an employee's month (SCORE-2, SCORE-3), with the fine
    that goes with it (APPEAL-3: a final penalty's fine and points). `source` names what booked
    it, once: booking the same source twice is refused by the database."""

    employee = models.ForeignKey(
        "org.Employee", on_delete=models.CASCADE, related_name="score_events"
    )
    month = models.DateField(_("month"))
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    fine = models.DecimalField(_("fine"), max_digits=8, decimal_places=2, default=0)
    reason = models.CharField(_("reason"), max_length=200)
    source = models.CharField(max_length=60, unique=True)
    booked_at = models.DateTimeField(_("booked at"))

    class Meta:
        verbose_name = _("score event")
        verbose_name_plural = _("score events")
        ordering = ["employee", "-month", "pk"]
        indexes = [models.Index(fields=["employee", "month"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="score_event_month_first_day"
            ),
        ]

    def __str__(self):
        return f"{self.employee} {self.month:%Y-%m}: {self.points:+} ({self.reason})"
