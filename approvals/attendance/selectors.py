"""Reads of attendance requests: who may see which (the employee their own, the colleague a swap
naming them, the department lead their department's), the caller's actions now, and the
findings waiting for the caller's decision (the inbox's rows of them)."""

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from approvals import permissions as perms
from approvals.leave.models import Leave, LeaveState
from approvals.selectors import allowed as _allowed
from approvals.selectors import scoped
from org.levels import Role

from . import punch, swap
from .models import FS, Finding, PunchCorrection, PunchState, ShiftSwap, SwapState


def swaps_visible_to(user) -> QuerySet[ShiftSwap]:
    """Own swaps and those naming the caller as colleague; a lead their department's; the GM
    office and administration everything."""
    return scoped(
        ShiftSwap.objects.select_related(
            "employee__user", "colleague__user", "department__lead__user", "decided_by"
        ),
        user,
        lambda employee: (
            Q(employee=employee) | Q(colleague=employee) | Q(department__lead=employee)
        ),
    )


def punches_visible_to(user) -> QuerySet[PunchCorrection]:
    return scoped(
        PunchCorrection.objects.select_related(
            "employee__user", "department__lead__user", "decided_by"
        ),
        user,
        lambda employee: Q(employee=employee) | Q(department__lead=employee),
    )


def swap_actions(user, case: ShiftSwap) -> list[str]:
    actions = []
    if case.state == SwapState.AWAITING_CONSENT and _allowed(
        swap.check_colleague, user, case, "consent"
    ):
        actions += ["consent", "refuse"]
    if case.state == SwapState.AWAITING_APPROVAL and _allowed(swap.check_approver, user, case):
        actions += ["approve", "reject"]
    if _allowed(swap.check_canceller, user, case):
        actions.append("cancel")
    return actions


def punch_actions(user, case: PunchCorrection) -> list[str]:
    if case.state == PunchState.PENDING and _allowed(punch.check_approver, user, case):
        return ["approve", "reject"]
    return []


def findings_to_decide(user) -> QuerySet[Finding]:
    """The proposed findings the caller decides (ATT-3, findings_decide.check_decider as one
    query): a lead their department's, but not a lead's own; a delegate those of the leads
    whose running leave names them (LEAVE-6); the GM office a lead's own and those of a
    department without a lead. Never one's own."""
    me = perms.employee_of(user)
    if me is None:
        return Finding.objects.none()
    now = timezone.now()
    stood_in = Leave.objects.filter(
        state=LeaveState.APPROVED, delegate=me, start__lte=now, end__gt=now
    ).values("employee_id")
    condition = (Q(department__lead=me) | Q(department__lead__in=stood_in)) & ~Q(
        employee_id=F("department__lead_id")
    )
    if perms.has_role(user, Role.GM_OFFICE):
        condition |= Q(department__lead__isnull=True) | Q(employee_id=F("department__lead_id"))
    return Finding.objects.filter(condition, state=FS.PROPOSED).exclude(employee=me)
