"""Promotion case, its anonymous vote and the defence panel's scores (PROMO-1..6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from org.levels import Level


class PromotionState(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting department nomination")
    NOMINATED = "nominated", _("Awaiting GM review")
    APPROVED = "approved", _("Approved by GM office")
    DEFENCE_SCHEDULED = "defence_scheduled", _("Defence scheduled")
    DEFENCE_PASSED = "defence_passed", _("Defence passed")
    CONFIRMED = "confirmed", _("Confirmed, waiting for the effective date")
    EFFECTIVE = "effective", _("Promoted")
    DECLINED = "declined", _("Declined by department")
    REJECTED = "rejected", _("Rejected by GM office")
    DEFENCE_FAILED = "defence_failed", _("Defence failed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = PromotionState
OPEN_STATES = [
    S.SUBMITTED,
    S.NOMINATED,
    S.APPROVED,
    S.DEFENCE_SCHEDULED,
    S.DEFENCE_PASSED,
    S.CONFIRMED,
]
# Outcomes that start the cool-down before the same level may be applied for again (PROMO-6).
REFUSED_STATES = [S.DECLINED, S.REJECTED, S.DEFENCE_FAILED]


class Promotion(models.Model):
    employee = models.ForeignKey(
        "org.Employee", on_delete=models.PROTECT, related_name="promotions"
    )
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    from_level = models.CharField(max_length=32, choices=Level.choices)
    target_level = models.CharField(max_length=32, choices=Level.choices)
    statement = models.TextField()
    # PROMO-1: more than one step up, or not eligible by the scores: needs a written reason and
    # an explicit confirmation at GM review. Marked everywhere the case appears.
    skip_level = models.BooleanField(default=False)
    skip_level_reason = models.TextField(blank=True)
    eligible = models.BooleanField()
    eligibility = models.JSONField(default=dict)  # the evidence as computed at submission
    policy_version = models.CharField(max_length=40)
    state = FSMField(default=S.SUBMITTED, choices=PromotionState.choices, db_index=True)
    submitted_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)  # reached a final state
    # Anonymous department vote (PROMO-3.2): only counts are kept, never who voted how.
    vote_opened_at = models.DateTimeField(null=True, blank=True)
    vote_closed_at = models.DateTimeField(null=True, blank=True)
    votes_for = models.PositiveIntegerField(default=0)
    votes_against = models.PositiveIntegerField(default=0)
    defence_at = models.DateTimeField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["employee", "target_level", "state"])]
        permissions = [("manage_promotion", "Can manage promotion cases")]

    def __str__(self):
        marker = f" [{_('skip-level')}]" if self.skip_level else ""
        return f"#{self.pk} {self.employee} → {self.get_target_level_display()}{marker}"

    # --- FSM: the shape of the process. Guards with messages live in the services. ---------
    @transition(field=state, source=S.SUBMITTED, target=S.NOMINATED)
    def nominate(self):
        pass

    @transition(field=state, source=S.SUBMITTED, target=S.DECLINED)
    def decline(self):
        pass

    @transition(field=state, source=S.NOMINATED, target=S.APPROVED)
    def approve(self):
        pass

    @transition(field=state, source=S.NOMINATED, target=S.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=S.NOMINATED, target=S.SUBMITTED)
    def send_back(self):
        pass

    @transition(field=state, source=[S.SUBMITTED, S.NOMINATED], target=S.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=state, source=S.APPROVED, target=S.DEFENCE_SCHEDULED)
    def schedule_defence(self):
        pass

    @transition(field=state, source=S.DEFENCE_SCHEDULED, target=S.DEFENCE_PASSED)
    def pass_defence(self):
        pass

    @transition(field=state, source=S.DEFENCE_SCHEDULED, target=S.DEFENCE_FAILED)
    def fail_defence(self):
        pass

    @transition(field=state, source=[S.APPROVED, S.DEFENCE_PASSED], target=S.CONFIRMED)
    def confirm(self):
        pass

    @transition(field=state, source=S.CONFIRMED, target=S.EFFECTIVE)
    def take_effect(self):
        pass


class VoteParticipation(models.Model):
    """Who has voted, so nobody votes twice. Deliberately holds no ballot content and no time:
    the ballot itself only increments a counter on the promotion (PROMO-3.2)."""

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="voters")
    voter = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["promotion", "voter"], name="one_vote_per_voter")
        ]

    def __str__(self):
        return f"{self.voter_id} voted on #{self.promotion_id}"


class DefenceScore(models.Model):
    """One panel member's score of a defence (PROMO-3.4). Created empty at scheduling."""

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="scores")
    panelist = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    notes = models.TextField(blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["promotion", "panelist"], name="one_score_per_panelist"
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="defence_score_0_100",
            ),
        ]

    def __str__(self):
        return f"#{self.promotion_id} {self.panelist_id}: {self.score}"
