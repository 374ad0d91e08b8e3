"""Leave requests (请假) and annual-leave balances (LEAVE-1..6)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


class LeaveKind(models.TextChoices):
    """LEAVE-1."""

    PERSONAL = "personal", _("Personal leave")
    SICK = "sick", _("Sick leave")
    ANNUAL = "annual", _("Annual leave")
    MARRIAGE = "marriage", _("Marriage leave")
    MATERNITY = "maternity", _("Maternity leave")
    HOME_VISIT = "home_visit", _("Home-visit leave")
    COMPENSATORY = "compensatory", _("Compensatory leave")


class LeaveState(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


S = LeaveState


class Leave(models.Model):
    employee = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="leaves")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=LeaveKind.choices)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    reason = models.TextField(_("reason"))
    emergency = models.BooleanField(_("emergency"), default=False)  # LEAVE-2
    # Days charged to the annual-leave balance (LEAVE-4); computed by the services.
    days = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    # LEAVE-6: who takes the employee's review tasks while the leave runs (None: the GM office).
    delegate = models.ForeignKey(
        "org.Employee",
        verbose_name=_("delegate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delegated_leaves",
    )
    state = FSMField(default=S.PENDING, choices=LeaveState.choices, db_index=True)
    policy_version = models.CharField(max_length=40)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(  # the employee, or their lead for an emergency (LEAVE-2)
        "org.Employee", on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)  # LEAVE-5
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "org.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leaves")
        ordering = ["-start", "-pk"]
        indexes = [models.Index(fields=["employee", "state", "start"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="leave_ends_after_start")
        ]

    def __str__(self):
        return f"#{self.pk} {self.employee} · {self.get_kind_display()}"

    # --- FSM: the shape of the process; guards with messages live in the services. -------
    @transition(field=state, source=S.PENDING, target=S.APPROVED)
    def approve(self):
        pass

    @transition(field=state, source=S.PENDING, target=S.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=[S.PENDING, S.APPROVED], target=S.CANCELLED)
    def cancel(self):
        pass


class LeaveBalance(models.Model):
    """Annual leave (年假) per employee and year: entitlement and what approved and pending
    requests take from it (LEAVE-4)."""

    employee = models.ForeignKey(
        "org.Employee", on_delete=models.CASCADE, related_name="leave_balances"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    entitled = models.DecimalField(_("entitled days"), max_digits=5, decimal_places=1)
    taken = models.DecimalField(_("approved days"), max_digits=5, decimal_places=1, default=0)
    pending = models.DecimalField(_("pending days"), max_digits=5, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("annual-leave balance")
        verbose_name_plural = _("annual-leave balances")
        constraints = [
            models.UniqueConstraint(fields=["employee", "year"], name="one_balance_per_year"),
        ]

    def __str__(self):
        return f"{self.employee} {self.year}: {self.entitled - self.taken - self.pending}"
