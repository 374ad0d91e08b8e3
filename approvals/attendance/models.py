"""Shift swap (调班, SWAP-1) and missed-punch make-up (补卡, PUNCH-1)."""

import re

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


# --- The roster, the punches and what they show (ATT-1..3) ---------------------------------------


class RosterImport(models.Model):
    """ATT-1: one imported roster file. `content_hash` (of the normalised rows) makes importing
    the same file twice a no-op."""

    content_hash = models.CharField(max_length=64, unique=True)
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    rows = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        "org.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-imported_at", "-pk"]

    def __str__(self):
        return f"{self.period_start}..{self.period_end} ({self.rows})"


class Shift(models.Model):
    """ATT-1: one rostered shift. `rostered` is who the roster named; `employee` who works it now:
    an approved swap (SWAP-1) moves the shift to the colleague and records itself in `swap`."""

    employee = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="shifts")
    rostered = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))  # the local date the shift starts on
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    swap = models.ForeignKey(
        ShiftSwap, null=True, blank=True, on_delete=models.PROTECT, related_name="moved_shifts"
    )
    roster_import = models.ForeignKey(
        RosterImport, null=True, blank=True, on_delete=models.PROTECT, related_name="shifts"
    )

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["start", "employee"]
        indexes = [
            models.Index(fields=["department", "date"]),
            models.Index(fields=["employee", "start"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["rostered", "start"], name="one_shift_per_start"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="shift_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.employee} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"


class PunchImport(models.Model):
    """ATT-2: one imported file of the attendance machine (username, time)."""

    content_hash = models.CharField(max_length=64, unique=True)
    rows = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        "org.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("punch import")
        verbose_name_plural = _("punch imports")
        ordering = ["-imported_at", "-pk"]

    def __str__(self):
        return f"{self.first_at}..{self.last_at} ({self.rows})"


class Punch(models.Model):
    """ATT-2: one punch of the attendance machine. The same punch imported twice is one row."""

    employee = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="punches")
    at = models.DateTimeField(_("punched at"))
    punch_import = models.ForeignKey(
        PunchImport, null=True, blank=True, on_delete=models.PROTECT, related_name="punches"
    )

    class Meta:
        verbose_name = _("punch")
        verbose_name_plural = _("punches")
        ordering = ["employee", "at"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "at"], name="one_punch_per_instant")
        ]

    def __str__(self):
        return f"{self.employee} {self.at:%Y-%m-%d %H:%M}"


# The check's reasons for clearing (approvals.attendance.findings.clear_for_makeup/_leave).
_CLEARED_BY = re.compile(r"^(?:PUNCH-1|LEAVE-3): (make-up|leave) #(\d+) approved$")


class FindingKind(models.TextChoices):
    LATE = "late", _("Late arrival")
    EARLY = "early", _("Early leave")
    MISSING_PUNCH = "missing_punch", _("Missing punch")
    ABSENCE = "absence", _("Absence without approved leave")
    UNAPPROVED_SWAP = "unapproved_swap", _("Shift worked without an approved swap")


class FindingState(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting the lead")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")
    CLEARED = "cleared", _("Cleared by an approved request")


FS = FindingState


class Finding(models.Model):
    """ATT-2, ATT-3: what a rostered shift and the punches show, proposed to the lead. Confirmed,
    it is booked once to the ledger (`score_event`: points and fine) and, for an absence, a
    penalty slip draft is opened (`penalty_draft`); dismissed, it keeps its reason. `cleared`:
    an approval that came later (a make-up, an emergency leave within the hour) removed its
    cause before the lead decided. `evidence` holds the shift and the punches it was read from."""

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="findings")
    employee = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="findings")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("finding"), max_length=20, choices=FindingKind.choices)
    minutes = models.PositiveIntegerField(_("minutes"), null=True, blank=True)
    rule = models.CharField(max_length=20)
    code = models.CharField(max_length=40, blank=True, default="")  # the catalogue entry booked
    points = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    fine = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    evidence = models.JSONField(default=dict)
    state = FSMField(default=FS.PROPOSED, choices=FindingState.choices, db_index=True)
    policy_version = models.CharField(max_length=40)
    found_at = models.DateTimeField()
    due_at = models.DateTimeField(_("decide by"))
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "org.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    score_event = models.OneToOneField(
        "performance.ScoreEvent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="finding",
    )

    class Meta:
        verbose_name = _("attendance finding")
        verbose_name_plural = _("attendance findings")
        ordering = ["shift__start", "employee", "kind"]
        indexes = [
            models.Index(fields=["department", "state", "due_at"]),
            models.Index(fields=["employee", "found_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "employee", "kind"], name="one_finding_per_shift_and_kind"
            ),
            models.CheckConstraint(  # ATT-3: a dismissal always says why
                condition=~Q(state="dismissed") | ~Q(reason=""),
                name="finding_dismissal_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.employee} {self.kind} ({self.state})"

    def reason_shown(self) -> str:
        """The reason as a page shows it: a person's words as written; the check's own reasons
        for a cleared finding (stored language-neutral, findings.clear_for) in the reader's
        language."""
        if self.state != FS.CLEARED:
            return self.reason
        found = _CLEARED_BY.match(self.reason or "")
        if found is None:
            return _("Cleared: its cause is no longer present (ATT-2).") if self.reason else ""
        what, number = found.groups()
        text = (
            _("Cleared: make-up request #%(number)s was approved (PUNCH-1).")
            if what == "make-up"
            else _("Cleared: leave request #%(number)s was approved (LEAVE-3).")
        )
        return text % {"number": number}

    @transition(field=state, source=FS.PROPOSED, target=FS.CONFIRMED)
    def confirm(self):
        pass

    @transition(field=state, source=FS.PROPOSED, target=FS.DISMISSED)
    def dismiss(self):
        pass

    @transition(field=state, source=FS.PROPOSED, target=FS.CLEARED)
    def clear(self):
        pass
