"""Penalty slip (处罚单), its witnesses and the employee's objection (PEN-1..3, APPEAL-1..4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


class Sanction(models.TextChoices):
    """PEN-1, mildest first (the order of declaration is the order of severity)."""

    VERBAL_WARNING = "verbal_warning", _("Verbal warning")
    WRITTEN_WARNING = "written_warning", _("Written warning")
    FINAL_WARNING = "final_warning", _("Final warning")
    DISMISSAL = "dismissal", _("Dismissal")


SEVERITY: list[str] = [choice.value for choice in Sanction]


class Receipt(models.TextChoices):
    """PEN-3: how the slip was acknowledged. Independent of the objection."""

    PENDING = "pending", _("Not yet signed")
    SIGNED = "signed", _("Signed by the employee")
    REFUSED = "refused", _("Refused; awaiting two witnesses")
    WITNESSED = "witnessed", _("Refused; signed by two witnesses")


class PenaltyState(models.TextChoices):
    SERVED = "served", _("Served; objection window open")
    OBJECTED = "objected", _("Objection awaiting response")
    ESCALATED = "escalated", _("Response overdue; with the GM office")
    DECIDED = "decided", _("Decided; awaiting the witnesses' signatures")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting GM approval")
    FINAL = "final", _("Final")
    REVOKED = "revoked", _("Revoked")


S = PenaltyState
OPEN_STATES = [S.SERVED, S.OBJECTED, S.ESCALATED, S.DECIDED, S.AWAITING_APPROVAL]


class Penalty(models.Model):
    employee = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="penalties")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    # None only for a warning the ladder derived from earlier ones (PEN-1).
    issuer = models.ForeignKey(
        "org.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # PEN-2: the slip.
    facts = models.TextField(_("facts"))
    rule = models.CharField(_("rule broken"), max_length=200)
    evidence = models.TextField(_("evidence"))
    drafted_sanction = models.CharField(max_length=32, choices=Sanction.choices)
    sanction = models.CharField(_("sanction"), max_length=32, choices=Sanction.choices)
    policy_version = models.CharField(max_length=40)
    state = FSMField(default=S.SERVED, choices=PenaltyState.choices, db_index=True)
    served_at = models.DateTimeField()
    objection_due = models.DateTimeField()  # APPEAL-1, stored so the domain enforces it
    window_closed_at = models.DateTimeField(null=True, blank=True)
    # PEN-3
    receipt = models.CharField(max_length=16, choices=Receipt.choices, default=Receipt.PENDING)
    signed_at = models.DateTimeField(null=True, blank=True)
    refused_at = models.DateTimeField(null=True, blank=True)
    # GM approval (PEN-1 dismissal proposal, APPEAL-4 raising a refused slip): what the GM
    # office is asked to approve, and what stands if it refuses.
    approval_reason = models.CharField(max_length=32, blank=True)
    fallback_sanction = models.CharField(max_length=32, choices=Sanction.choices, blank=True)
    approved = models.BooleanField(null=True)
    # APPEAL-3: booked when final.
    final_at = models.DateTimeField(null=True, blank=True)
    fine = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    points = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # PEN-1 ladder: a warning derived from three lower ones, and the warning a lower one was
    # counted into (so each counts once).
    derived = models.BooleanField(default=False)
    counted_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="counted"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("penalty")
        verbose_name_plural = _("penalties")
        ordering = ["-served_at", "-pk"]
        indexes = [models.Index(fields=["employee", "state", "sanction"])]

    def __str__(self):
        return f"#{self.pk} {self.employee} · {self.get_sanction_display()}"

    # --- FSM: the shape of the process; guards with messages live in the services. -------
    @transition(field=state, source=S.SERVED, target=S.OBJECTED)
    def file_objection(self):
        pass

    @transition(field=state, source=S.SERVED, target=S.DECIDED)
    def close_window(self):
        pass

    @transition(field=state, source=[S.OBJECTED, S.ESCALATED], target=S.DECIDED)
    def answer(self):
        pass

    @transition(field=state, source=[S.OBJECTED, S.ESCALATED], target=S.REVOKED)
    def revoke(self):
        pass

    @transition(field=state, source=S.OBJECTED, target=S.ESCALATED)
    def escalate(self):
        pass

    @transition(field=state, source=S.DECIDED, target=S.AWAITING_APPROVAL)
    def ask_approval(self):
        pass

    @transition(field=state, source=[S.DECIDED, S.AWAITING_APPROVAL], target=S.FINAL)
    def finalise(self):
        pass


class Witness(models.Model):
    """A witness named for a refused slip (PEN-3); signs with their own account."""

    penalty = models.ForeignKey(Penalty, on_delete=models.CASCADE, related_name="witnesses")
    witness = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="+")
    named_at = models.DateTimeField()
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["penalty", "witness"], name="one_signature_per_witness")
        ]

    def __str__(self):
        return f"#{self.penalty_id} witness {self.witness_id}"


class Objection(models.Model):
    """APPEAL-1/2: the employee's written objection and the company's answer."""

    class Decision(models.TextChoices):
        UPHOLD = "uphold", _("Upheld")
        REDUCE = "reduce", _("Reduced")
        REVOKE = "revoke", _("Revoked")

    penalty = models.OneToOneField(Penalty, on_delete=models.CASCADE, related_name="objection")
    reason = models.TextField()
    filed_at = models.DateTimeField()
    response_due = models.DateTimeField()
    # The named responder (the department lead when not the issuer); None: the GM office.
    responder = models.ForeignKey(
        "org.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    reduced_to = models.CharField(max_length=32, choices=Sanction.choices, blank=True)
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        "org.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"objection to #{self.penalty_id}"


class PenaltyDraft(models.Model):
    """PEN-2, ATT-3: a penalty slip prepared for the lead to serve, opened by a confirmed
    absenteeism finding. Serving it creates the Penalty through the penalty service (the
    objection window runs from then, APPEAL-1); the lead may discard it with a reason instead.
    Nothing is served by itself."""

    class State(models.TextChoices):
        OPEN = "open", _("Waiting to be served")
        SERVED = "served", _("Served")
        DISCARDED = "discarded", _("Discarded")

    employee = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    finding = models.OneToOneField(
        "approvals.Finding", on_delete=models.PROTECT, related_name="penalty_draft"
    )
    facts = models.TextField(_("facts"))
    rule = models.CharField(_("rule broken"), max_length=200)
    evidence = models.TextField(_("evidence"))
    sanction = models.CharField(_("sanction"), max_length=32, choices=Sanction.choices)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    penalty = models.OneToOneField(
        Penalty, null=True, blank=True, on_delete=models.PROTECT, related_name="draft"
    )

    class Meta:
        verbose_name = _("penalty slip draft")
        verbose_name_plural = _("penalty slip drafts")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["department", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="discarded") | ~models.Q(reason=""),
                name="penalty_draft_discard_has_reason",
            ),
        ]

    def __str__(self):
        return f"draft {self.employee} ({self.state})"
