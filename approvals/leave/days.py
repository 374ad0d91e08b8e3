"""Annual-leave days by the roster (ATT-4) and the recompute of stored charges (LEAVE-4).

ATT-4: a leave's days count the rostered shifts it covers; on days without a roster, the
statutory working days (DEADLINE-1's calendar, with the override table).

Readings:
- A local day is *rostered* for an employee when a roster import covering that day holds shifts
  of the employee's department, or when the employee works a shift that day. On a rostered day
  without a shift of theirs (a rest day, or a shift swapped away) the leave costs nothing.
- A shift counts by the share of it the leave covers, in half shifts rounded up as the calendar
  count rounds half days: none → 0, up to half → 0.5, more → 1. The shift counts for whoever
  works it now (`Shift.employee`, after an approved swap, SWAP-1).
- Only annual leave is charged to a balance, so only annual leave is counted this way; the other
  kinds keep the days they touch (approvals/leave/services.leave_days).
- The recompute looks at annual leave that charges a balance (pending: `pending`, approved:
  `taken`); rejected and cancelled leave charges nothing and is left alone. A balance may go
  below zero by a recompute (the leave was already approved); the report shows it, nothing is
  refused. A roster import recomputes the leave of the people and dates it touches in its own
  transaction, so a roster imported after a leave was approved corrects the charge.
"""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

import audit.services as audit
from approvals.db import atomic

from .models import Leave, LeaveKind, LeaveState

HALF = Decimal("0.5")


def _rostered_days(employee, first: dt.date, last: dt.date, shifts) -> set[dt.date]:
    from approvals.attendance.models import RosterImport

    days = {timezone.localtime(s.start).date() for s in shifts}
    periods = (
        RosterImport.objects.filter(
            period_start__lte=last,
            period_end__gte=first,
            shifts__department_id=employee.department_id,
        )
        .values_list("period_start", "period_end")
        .distinct()
    )
    for begins, ends in periods:
        day = max(begins, first)
        while day <= min(ends, last):
            days.add(day)
            day += dt.timedelta(days=1)
    return days


def annual_leave_days(*, employee, start: dt.datetime, end: dt.datetime) -> Decimal:
    """ATT-4: the days annual leave from `start` to `end` costs `employee` (two queries and the
    calendar's override table)."""
    from approvals.attendance.models import Shift

    from .services import leave_days

    first, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    shifts = list(Shift.objects.filter(employee_id=employee.pk, start__lt=end, end__gt=start))
    rostered = _rostered_days(employee, first, last, shifts)
    days = Decimal(0)
    for shift in shifts:
        covered = (min(end, shift.end) - max(start, shift.start)).total_seconds()
        length = (shift.end - shift.start).total_seconds()
        if covered > 0 and length > 0:
            days += HALF * min(math.ceil(covered / (length / 2)), 2)
    return days + leave_days(start, end, working_days_only=True, skip=rostered)


# --- the recompute -----------------------------------------------------------------------------


@dataclass
class DaysChange:
    leave: int
    employee: int
    username: str
    state: str
    start: dt.datetime
    before: Decimal
    after: Decimal
    balance_year: int
    balance_left: Decimal

    def as_data(self) -> dict:
        return {
            "leave": self.leave,
            "employee": self.employee,
            "username": self.username,
            "state": self.state,
            "start": self.start.isoformat(),
            "before": str(self.before),
            "after": str(self.after),
            "balance_year": self.balance_year,
            "balance_left": str(self.balance_left),
        }


def leave_days_recompute(
    *, actor=None, employees=None, start: dt.date | None = None, end: dt.date | None = None
) -> list[DaysChange]:
    """ATT-4, LEAVE-4: count the days of annual leave that charges a balance again and move the
    difference in its balance (pending or taken). `employees` (ids), `start`/`end` (local dates
    the leave must touch) narrow it. Returns what changed; running it again changes nothing.
    Each change is audited on the leave's history."""
    from .services import balance_for, remaining

    qs = Leave.objects.select_related("employee__user").filter(
        kind=LeaveKind.ANNUAL, state__in=[LeaveState.PENDING, LeaveState.APPROVED]
    )
    if employees is not None:
        qs = qs.filter(employee_id__in=list(employees))
    tz = timezone.get_current_timezone()
    if start is not None:
        qs = qs.filter(end__gt=dt.datetime.combine(start, dt.time(), tzinfo=tz))
    if end is not None:
        qs = qs.filter(
            start__lt=dt.datetime.combine(end + dt.timedelta(days=2), dt.time(), tzinfo=tz)
        )
    changes: list[DaysChange] = []
    user = actor if getattr(actor, "is_authenticated", False) else None
    with atomic():
        for leave in qs.select_for_update(of=("self",)).order_by("start", "pk"):
            after = annual_leave_days(employee=leave.employee, start=leave.start, end=leave.end)
            before = leave.days
            if after == before:
                continue
            delta = after - before
            balance = balance_for(leave.employee, timezone.localtime(leave.start).year, lock=True)
            if leave.state == LeaveState.PENDING:
                balance.pending += delta
            else:
                balance.taken += delta
            balance.save(update_fields=["pending", "taken"])
            Leave.objects.filter(pk=leave.pk).update(days=after)
            audit.record(
                case_type="leave",
                case_id=leave.pk,
                action="recompute_days",
                actor=user,
                rules=["ATT-4", "LEAVE-4"],
                data={"before": str(before), "after": str(after), "year": balance.year},
            )
            changes.append(
                DaysChange(
                    leave=leave.pk,
                    employee=leave.employee_id,
                    username=leave.employee.user.username,
                    state=leave.state,
                    start=leave.start,
                    before=before,
                    after=after,
                    balance_year=balance.year,
                    balance_left=remaining(balance),
                )
            )
    return changes
