"""Reads of attendance requests: who may see which (the employee their own, the colleague a swap
naming them, the department lead their department's), and the caller's actions now."""

from django.db.models import Q, QuerySet

from approvals.selectors import allowed as _allowed
from approvals.selectors import scoped

from . import punch, swap
from .models import PunchCorrection, PunchState, ShiftSwap, SwapState


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
