"""LEAVE-6: while a reviewer is on approved leave, the delegate named on that leave acts for them.

`acting_for` is the one question every service asks before letting someone act as a named
person (the department lead, the trainer, a responder): it answers with the person the actor
acts as, so the history can say "decided by X for Y" (audit `on_behalf_of`). Which tasks move
to the delegate, and back when the leave ends, is routing: `workflows.delegation`.
"""

import datetime as dt

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from org.models import Employee
from policy.tables import CachedTable

from .leave.models import Leave, LeaveState


def _load_away() -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    table: dict[int, list] = {}
    rows = Leave.objects.filter(
        state=LeaveState.APPROVED, delegate__isnull=False, end__gt=timezone.now()
    ).values_list("employee_id", "start", "end")
    for employee_id, start, end in rows:
        table.setdefault(employee_id, []).append((start, end))
    return table


# Who has an approved leave with a delegate, running or ahead (a handful of people): every new
# task assigned to a person asks whether to hand it on. Only a "maybe": a hit reads the leave
# itself. Dropped when a leave is approved with a delegate; a process on its own cache that
# misses one for the TTL leaves the task with its owner until the sweep's delegation step hands
# it on.
AWAY = CachedTable("approvals:away-with-delegate", _load_away)


@receiver(post_save, sender=Leave, dispatch_uid="approvals_away_leave_save")
@receiver(post_delete, sender=Leave, dispatch_uid="approvals_away_leave_delete")
def _leave_changed(sender, instance, **kwargs):
    # Only a leave approved with a delegate can be missing from the table; one that stops
    # counting (cancelled, ended) may stay in it: a hit is checked against the leave itself.
    if instance.state == LeaveState.APPROVED and instance.delegate_id is not None:
        AWAY.forget_now_and_at_commit()


def anyone_away(at: dt.datetime | None = None) -> bool:
    """False when surely nobody has a delegated leave running at `at` (from the cache): then
    nobody stands in for anyone, and who-stands-in questions need no query."""
    at = at or timezone.now()
    return any(start <= at < end for spans in AWAY.get().values() for start, end in spans)


def may_be_away(employee: Employee | None, at: dt.datetime | None = None) -> bool:
    """False when the employee has surely no delegated leave running at `at` (from the cache)."""
    if employee is None:
        return False
    at = at or timezone.now()
    return any(start <= at < end for start, end in AWAY.get().get(employee.pk, ()))


def leave_covering(employee: Employee | None, at: dt.datetime | None = None) -> Leave | None:
    """The employee's approved leave that runs at `at` (default now), if any."""
    if employee is None:
        return None
    at = at or timezone.now()
    return (
        Leave.objects.filter(
            employee=employee, state=LeaveState.APPROVED, start__lte=at, end__gt=at
        )
        .select_related("delegate__user")
        .order_by("start")
        .first()
    )


def delegate_of(employee: Employee | None, at: dt.datetime | None = None) -> Employee | None:
    """Who acts for the employee at `at`: the delegate named on their running leave, or None."""
    leave = leave_covering(employee, at)
    return leave.delegate if leave is not None else None


def acting_for(actor, principal: Employee | None, at: dt.datetime | None = None) -> Employee | None:
    """The person `actor` (a user) may act as when the step belongs to `principal`: the
    principal themselves, or the principal on whose running leave the actor is the delegate.
    None: neither."""
    if principal is None or actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if principal.user_id == actor.pk:
        return principal
    # Most principals have no delegated leave at all: the cached table says so without a read
    # per call (a list of 200 cases asks once per row). A stale table can only refuse a delegate
    # for its TTL, never let anyone act: a hit still reads the leave itself.
    if not may_be_away(principal, at):
        return None
    delegate = delegate_of(principal, at)
    if delegate is not None and delegate.user_id == actor.pk:
        return principal
    return None


def on_behalf_of(actor, principal: Employee | None):
    """The user to record as `on_behalf_of` when `actor` acted as `principal` (None: themselves)."""
    if principal is None or principal.user_id == actor.pk:
        return None
    return principal.user


def principals_of(employee: Employee | None, at: dt.datetime | None = None) -> list[Employee]:
    """The people `employee` stands in for at `at`: those whose running leave names them."""
    if employee is None:
        return []
    at = at or timezone.now()
    return list(
        Employee.objects.filter(
            leaves__state=LeaveState.APPROVED,
            leaves__start__lte=at,
            leaves__end__gt=at,
            leaves__delegate=employee,
        ).distinct()
    )
