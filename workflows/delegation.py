"""LEAVE-6 routing: while a reviewer is on approved leave, their review tasks are in the delegate's
inbox; when the leave ends (or is cancelled) the tasks still open go back.

Which tasks move: those of the nodes a flow lists in `delegable_nodes` (the steps a reviewer
decides in someone's place: the lead's nomination, the answer to an objection, a leave
approval). Personal steps (an employee signing their own slip, a witness, a panelist's score)
never move. A moved task keeps the person it belongs to in `task.data["acting_for"]`; the
services let the delegate act (approvals.delegation.acting_for) and the history says "X for Y".

New tasks move when they are created (CaseFlowMixin.on_task_created); open ones move and come
back in the scheduler's sweep (`delegation` step). Every move is a conditional UPDATE on the
task's status and owner, so a task completed meanwhile is never touched, and two sweeps at once
move each task once.
"""

from django.db.models import Q
from django.utils import timezone
from viewflow.workflow.models import Task

from approvals.delegation import delegate_of, may_be_away
from approvals.inline import Inline
from approvals.leave.models import Leave, LeaveState
from org.models import Employee

from .base import announce_task
from .engine import OPEN_TASK_STATUSES

KEY = "acting_for"


def _delegable(task) -> bool:
    return task.flow_task.name in getattr(task.flow_task.flow_class, "delegable_nodes", ())


def _move(task, *, to_user_id: int, data: dict) -> bool:
    moved = Task.objects.filter(
        pk=task.pk, status__in=OPEN_TASK_STATUSES, owner_id=task.owner_id
    ).update(owner_id=to_user_id, data=data)
    if moved:
        task.owner_id, task.data = to_user_id, data
        announce_task(task.flow_task.flow_class, task.pk)
    return bool(moved)


def _owner_employee(task):
    """The employee behind the task's owner: the one the flow assigned it to when it came with
    them (no query), else read."""
    owner = task.owner if Task.owner.is_cached(task) else None
    if owner is not None and type(owner).employee.is_cached(owner):
        return owner.employee
    return Employee.objects.filter(user_id=task.owner_id).first()


def hand_to_delegate(task, now=None) -> bool:
    """Move a task of a person on leave to their delegate; True if it moved."""
    if task.owner_id is None or KEY in (task.data or {}) or not _delegable(task):
        return False
    principal = _owner_employee(task)
    if not may_be_away(principal, now):
        return False
    delegate = delegate_of(principal, now)
    if delegate is None or delegate.user_id == task.owner_id:
        return False
    flow_class = task.flow_task.flow_class
    case = flow_class.instance.case_of(task.process)
    if delegate.pk in flow_class.instance.parties(case):
        return False  # nobody reviews a request they are party to: the task waits for its owner
    return _move(task, to_user_id=delegate.user_id, data={**(task.data or {}), KEY: task.owner_id})


def _delegable_filter() -> Q:
    from .site import FLOWS

    nodes = [
        flow_class.instance.node(name)
        for flow_class in FLOWS
        for name in getattr(flow_class, "delegable_nodes", ())
    ]
    return Q(flow_task__in=nodes)


# What the sweep step asks about, each of a partial index holding only those rows
# (workflows/migrations/0004): the approved leaves with a stand-in (those not ended yet: a range
# of workflows_leave_delegating_idx) and the open tasks a delegate holds
# (workflows_task_delegated_idx). The conditions are written into the SQL (approvals.inline) so
# that every plan can use the indexes: past leaves and the other open tasks are never read.
DELEGATING_LEAVES = Q(state=LeaveState.APPROVED, delegate__isnull=False)
DELEGATED_TASKS = Q(data__has_key=KEY, status__in=OPEN_TASK_STATUSES)


def reroute_tasks(now=None) -> int:
    """The sweep step: hand the open tasks of people whose leave runs now to their delegates,
    and give back the ones whose leave has ended (or whose delegate changed). Returns how many
    tasks moved. With nobody on leave and no task held for anyone: two index reads."""
    now = now or timezone.now()
    moved = 0
    away_users = set(
        Leave.objects.filter(Inline(DELEGATING_LEAVES), end__gt=now, start__lte=now)
        .order_by()
        .values_list("employee__user_id", flat=True)
    )
    if away_users:
        away = (
            Task.objects.filter(status__in=OPEN_TASK_STATUSES, owner_id__in=away_users)
            .filter(_delegable_filter())
            .exclude(data__has_key=KEY)
            .select_related("process")
        )
        for task in away:
            moved += hand_to_delegate(task, now)
    for task in Task.objects.filter(Inline(DELEGATED_TASKS)).order_by("pk"):
        principal_user_id = task.data[KEY]
        principal = Employee.objects.filter(user_id=principal_user_id).first()
        delegate = delegate_of(principal, now)
        if delegate is None:
            data = {k: v for k, v in task.data.items() if k != KEY}
            moved += _move(task, to_user_id=principal_user_id, data=data)
        elif delegate.user_id != task.owner_id:
            moved += _move(task, to_user_id=delegate.user_id, data=task.data)
    return moved
