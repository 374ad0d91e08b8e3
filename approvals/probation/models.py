"""Probation case (试用期转正) of one new hire (PROB-1..PROB-5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


class Outcome(models.TextChoices):
    """PROB-3: what the department lead proposes."""

    CONVERT = "convert", _("Convert to junior agent")
    EXTEND = "extend", _("Extend probation")
    END = "end", _("End employment")


class ProbationState(models.TextChoices):
    IN_PROBATION = "in_probation", _("In probation; awaiting the department assessment")
    AWAITING_APPROVAL = "awaiting_approval", _("Assessed; awaiting GM approval")
    APPROVED = "approved", _("Approved; awaiting confirmation by administration")
    CONFIRMED = "confirmed", _("Confirmed; waiting for the effective date")
    CONVERTED = "converted", _("Converted to junior agent")
    ENDED = "ended", _("Employment ended")


S = ProbationState
OPEN_STATES = [S.IN_PROBATION, S.AWAITING_APPROVAL, S.APPROVED, S.CONFIRMED]


class Probation(models.Model):
    # PROB-1: one probation per employee (an extension moves its end date, never a new case).
    employee = models.OneToOneField(
        "org.Employee", on_delete=models.PROTECT, related_name="probation"
    )
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    policy_version = models.CharField(max_length=40)
    state = FSMField(default=S.IN_PROBATION, choices=ProbationState.choices, db_index=True)
    opened_at = models.DateTimeField()
    hired_on = models.DateField(_("hired on"))
    ends_on = models.DateField(_("probation ends on"))
    original_ends_on = models.DateField()
    # PROB-2: the skills exam, recorded by the trainer (the latest attempt counts).
    exam_passed = models.BooleanField(null=True)
    exam_score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    exam_notes = models.TextField(blank=True)
    exam_by = models.ForeignKey(
        "org.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exam_at = models.DateTimeField(null=True, blank=True)
    # PROB-4: the employee's early conversion application.
    early_applied_at = models.DateTimeField(null=True, blank=True)
    early_statement = models.TextField(blank=True)
    # PROB-2/3: the lead's assessment, pending GM approval.
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    extend_months = models.PositiveSmallIntegerField(null=True, blank=True)
    below_tier = models.BooleanField(default=False)  # converted although months were below tier 2
    assessed_by = models.ForeignKey(
        "org.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    extended = models.BooleanField(default=False)  # PROB-3: once
    effective_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("probation")
        verbose_name_plural = _("probations")
        ordering = ["ends_on", "pk"]

    def __str__(self):
        return f"#{self.pk} {self.employee} · {self.ends_on:%Y-%m-%d}"

    # --- FSM: the shape of the process; guards with messages live in the services. -------
    @transition(field=state, source=S.IN_PROBATION, target=S.AWAITING_APPROVAL)
    def assess(self):
        pass

    @transition(field=state, source=S.AWAITING_APPROVAL, target=S.APPROVED)
    def approve(self):
        pass

    @transition(field=state, source=S.AWAITING_APPROVAL, target=S.IN_PROBATION)
    def reopen(self):
        """GM rejection, or an approved extension: back to the lead for another assessment."""

    @transition(field=state, source=S.APPROVED, target=S.CONFIRMED)
    def confirm(self):
        pass

    @transition(field=state, source=S.CONFIRMED, target=S.CONVERTED)
    def convert(self):
        pass

    @transition(field=state, source=S.CONFIRMED, target=S.ENDED)
    def end(self):
        pass
