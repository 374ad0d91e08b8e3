"""Shift swap (调班, SWAP-1) and missed-punch make-up (补卡, PUNCH-1)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


class SwapState(models.TextChoices):
    AWAITING_CONSENT = "awaiting_consent", _("Awaiting the colleague's consent")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused by the colleague")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


SW = SwapState


class ShiftSwap(models.Model):
    """SWAP-1: the requester's shift goes to the colleague and the colleague's to the requester."""

    employee = models.ForeignKey(
        "org.Employee", on_delete=models.PROTECT, related_name="shift_swaps"
    )
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    colleague = models.ForeignKey(
        "org.Employee",
        verbose_name=_("colleague"),
        on_delete=models.PROTECT,
        related_name="shift_swaps_named_in",
    )
    shift_start = models.DateTimeField(_("my shift starts"))
    shift_end = models.DateTimeField(_("my shift ends"))
    colleague_shift_start = models.DateTimeField(_("colleague's shift starts"))
    colleague_shift_end = models.DateTimeField(_("colleague's shift ends"))
    reason = models.TextField(_("reason"), blank=True)
    state = FSMField(default=SW.AWAITING_CONSENT, choices=SwapState.choices, db_index=True)
    policy_version = models.CharField(max_length=40)
    submitted_at = models.DateTimeField()
    consented_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "org.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("shift swap")
        verbose_name_plural = _("shift swaps")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["employee", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(shift_end__gt=F("shift_start"))
                & Q(colleague_shift_end__gt=F("colleague_shift_start")),
                name="swap_shifts_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(colleague=F("employee")), name="swap_colleague_not_self"
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.employee} ⇄ {self.colleague}"

    # --- FSM: the shape of the process; guards with messages live in the services. -------
    @transition(field=state, source=SW.AWAITING_CONSENT, target=SW.AWAITING_APPROVAL)
    def consent(self):
        pass

    @transition(field=state, source=SW.AWAITING_CONSENT, target=SW.REFUSED)
    def refuse(self):
        pass

    @transition(field=state, source=SW.AWAITING_APPROVAL, target=SW.APPROVED)
    def approve(self):
        pass

    @transition(field=state, source=SW.AWAITING_APPROVAL, target=SW.REJECTED)
    def reject(self):
        pass

    @transition(
        field=state, source=[SW.AWAITING_CONSENT, SW.AWAITING_APPROVAL], target=SW.CANCELLED
    )
    def cancel(self):
        pass


class PunchState(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


PS = PunchState


class PunchCorrection(models.Model):
    """PUNCH-1: a make-up for one missed punch (补卡)."""

    employee = models.ForeignKey(
        "org.Employee", on_delete=models.PROTECT, related_name="punch_corrections"
    )
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    missed_at = models.DateTimeField(_("missed punch at"))
    reason = models.TextField(_("reason"))
    state = FSMField(default=PS.PENDING, choices=PunchState.choices, db_index=True)
    policy_version = models.CharField(max_length=40)
    submitted_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "org.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("missed-punch make-up")
        verbose_name_plural = _("missed-punch make-ups")
        ordering = ["-missed_at", "-pk"]
        indexes = [models.Index(fields=["employee", "state", "missed_at"])]

    def __str__(self):
        return f"#{self.pk} {self.employee} · {self.missed_at:%Y-%m-%d %H:%M}"

    @transition(field=state, source=PS.PENDING, target=PS.APPROVED)
    def approve(self):
        pass

    @transition(field=state, source=PS.PENDING, target=PS.REJECTED)
    def reject(self):
        pass
