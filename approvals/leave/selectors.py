"""Reads of leave requests: who may see which (an employee their own, a lead their department's,
a named delegate the leave they cover), the caller's actions now, and balances."""

from django.db.models import Q, QuerySet

from approvals.selectors import allowed, scoped

from . import services
from .models import Leave, LeaveState

S = LeaveState


def leaves_visible_to(user) -> QuerySet[Leave]:
    return scoped(
        Leave.objects.select_related(
            "employee__user", "employee__department__lead", "department", "delegate"
        ),
        user,
        lambda employee: (
            Q(employee=employee)
            | Q(department__lead=employee)
            | Q(submitted_by=employee)
            | Q(delegate=employee)
        ),
    )


def available_actions(user, leave: Leave) -> list[str]:
    actions = []
    if leave.state == S.PENDING and allowed(services.check_decider, user, leave):
        actions += ["approve", "reject"]
    if allowed(services.check_canceller, user, leave):
        actions.append("cancel")
    return actions
