"""Monthly assessments (SCORE-1, SCORE-4, SCORE-5)."""

from django.conf import settings
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
    # SCORE-10: a closed month is frozen; only an adjustment (ScoreEvent.Kind.ADJUSTMENT) moves it.
    # closed_by is None for the close the scheduler makes on the policy's day.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

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
    """A bonus or deduction booked to an employee's month (SCORE-2, SCORE-3, SCORE-9), with the
    fine that goes with it (APPEAL-3: a final penalty's fine and points). `source` names what
    booked it, once: booking the same source twice is refused by the database.

    `code` is the entry of the policy's catalogue (policy/catalogue.py) under `policy_version`;
    empty only for a booking made before the catalogue existed that no code could be given to.
    An adjustment (SCORE-10) corrects a closed month; its `reason` is the one it was given."""

    class Kind(models.TextChoices):
        EVENT = "event", _("Event")
        ADJUSTMENT = "adjustment", _("Adjustment after close")

    employee = models.ForeignKey(
        "org.Employee", on_delete=models.CASCADE, related_name="score_events"
    )
    month = models.DateField(_("month"))
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    fine = models.DecimalField(_("fine"), max_digits=8, decimal_places=2, default=0)
    reason = models.CharField(_("reason"), max_length=200)
    source = models.CharField(max_length=60, unique=True)
    booked_at = models.DateTimeField(_("booked at"))
    code = models.CharField(_("code"), max_length=40, blank=True, default="")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.EVENT)
    note = models.TextField(_("note"), blank=True, default="")
    evidence = models.TextField(_("evidence"), blank=True, default="")
    recorded_by = models.ForeignKey(  # None: booked by the system (a penalty made final)
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    policy_version = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        verbose_name = _("score event")
        verbose_name_plural = _("score events")
        ordering = ["employee", "-month", "pk"]
        # (month): "has this month any event?", asked by the scheduled close once a day.
        indexes = [models.Index(fields=["employee", "month"]), models.Index(fields=["month"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="score_event_month_first_day"
            ),
            models.CheckConstraint(  # SCORE-10: an adjustment always says why
                condition=~models.Q(kind="adjustment") | ~models.Q(reason=""),
                name="score_adjustment_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.employee} {self.month:%Y-%m}: {self.points:+} ({self.reason})"


class SalesFigure(models.Model):
    """An employee's actual sales of a month (PAY-1, SCORE-8: the commission base), imported by
    administration from the sales system's CSV/Excel. One figure per employee and month; a new
    import of the month replaces it (the import is audited with what it replaced)."""

    employee = models.ForeignKey("org.Employee", on_delete=models.CASCADE, related_name="sales")
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("sales"), max_digits=12, decimal_places=2)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("monthly sales")
        verbose_name_plural = _("monthly sales")
        ordering = ["employee", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "month"], name="one_sales_per_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="sales_month_first_day"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="sales_not_negative"),
        ]

    def __str__(self):
        return f"{self.employee} {self.month:%Y-%m}: {self.amount}"


class MonthAlert(models.Model):
    """An alert raised after a month's close (SCORE-7, SCORE-11): it proposes, never acts.
    `code` is one of performance.scoring's ALERT_* codes; `evidence` the closed months that raised
    it ({"month", "score", "tier", "last_in_department"}, oldest first) and `rules` their rule IDs.
    Raised once per employee, month and code; an adjustment that removes the cause marks it
    withdrawn rather than deleting it (who was told stays on record)."""

    employee = models.ForeignKey("org.Employee", on_delete=models.CASCADE, related_name="alerts")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    month = models.DateField(_("month"))
    code = models.CharField(_("alert"), max_length=30)
    evidence = models.JSONField(default=list)
    rules = models.JSONField(default=list)
    policy_version = models.CharField(max_length=40)
    raised_at = models.DateTimeField(_("raised at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("month alert")
        verbose_name_plural = _("month alerts")
        ordering = ["-month", "department", "employee", "code"]
        indexes = [models.Index(fields=["month", "department"])]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "month", "code"], name="one_alert_per_month_and_code"
            ),
            models.CheckConstraint(condition=models.Q(month__day=1), name="alert_month_first_day"),
        ]

    def __str__(self):
        return f"{self.employee} {self.month:%Y-%m}: {self.code}"
