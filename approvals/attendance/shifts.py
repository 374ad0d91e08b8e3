"""The rostered shifts (ATT-1): the two an approved swap moves (SWAP-1), and reading them.

- `shifts_swap`: an approved swap moves the requester's shift to the colleague and the
  colleague's to the requester, each marked with the swap; called in the approval's
  transaction (`approvals.attendance.swap`). A shift not (yet) in the roster is not moved:
  `approved_swaps_apply` moves it when a roster import creates it
  (`approvals.attendance.roster`), so a roster imported after the swap was approved still shows
  who works the shift. Either way the annual leave of the two on those days is counted again on
  the shifts they now work (ATT-4).
- `shifts_between`: the shifts of a period, of one department or one worker (the API's list).

Actors: none of their own; the swap's approver and whoever imports the roster. Rules: ATT-1,
SWAP-1, ATT-4.
"""

import datetime as dt

from django.db.models import Case, Q, Value, When
from django.utils import timezone

from policy.deadlines import company_tz

from .models import Shift, ShiftSwap, SwapState

# --- an approved swap moves the two shifts -----------------------------------------------------


def shifts_swap(swap: ShiftSwap) -> bool:
    """ATT-1, SWAP-1: an approved swap moves the two shifts: the requester's to the colleague,
    the colleague's to the requester, each marked with the swap. Called in the approval's
    transaction. A shift not (yet) in the roster is not moved: the roster import applies the
    swap when it creates it. True when something moved."""
    # One UPDATE for both shifts: each goes to the other person.
    moved = Shift.objects.filter(
        Q(rostered_id=swap.employee_id, start=swap.shift_start)
        | Q(rostered_id=swap.colleague_id, start=swap.colleague_shift_start),
        swap__isnull=True,
    ).update(
        employee_id=Case(
            When(rostered_id=swap.employee_id, then=Value(swap.colleague_id)),
            default=Value(swap.employee_id),
        ),
        swap=swap,
    )
    if moved and swap.state == SwapState.APPROVED:
        # ATT-4: annual leave of the two on those days counts the shifts they now work.
        from approvals.leave.days import leave_days_recompute

        days = [
            timezone.localtime(m, company_tz()).date()
            for m in (swap.shift_start, swap.colleague_shift_start)
        ]
        leave_days_recompute(
            employees={swap.employee_id, swap.colleague_id}, start=min(days), end=max(days)
        )
    return bool(moved)


def approved_swaps_apply(people: set[int], start: dt.date, end: dt.date) -> int:
    """SWAP-1 on a freshly imported period: approved swaps of these people whose shifts the
    roster now holds move them (two queries when there are none)."""
    tz = company_tz()
    lo = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    swaps = list(
        ShiftSwap.objects.filter(state=SwapState.APPROVED)
        .filter(Q(employee_id__in=people) | Q(colleague_id__in=people))
        .filter(
            Q(shift_start__gte=lo, shift_start__lt=hi)
            | Q(colleague_shift_start__gte=lo, colleague_shift_start__lt=hi)
        )
    )
    return sum(1 for swap in swaps if shifts_swap(swap))


def swap_partners(people: set[int], start: dt.date, end: dt.date) -> set[int]:
    """Who now works a shift of these people in the period (moved to them by a swap)."""
    return set(
        Shift.objects.filter(rostered_id__in=people, date__gte=start, date__lte=end)
        .exclude(employee_id__in=people)
        .values_list("employee_id", flat=True)
    )


# --- reading the roster ------------------------------------------------------------------------


def shifts_between(*, start: dt.date, end: dt.date, department=None, employee=None):
    """Shifts starting on the dates start..end (of one department, of one worker)."""
    qs = Shift.objects.select_related("employee__user", "rostered__user", "department").filter(
        date__gte=start, date__lte=end
    )
    if department is not None:
        qs = qs.filter(department=department)
    if employee is not None:
        qs = qs.filter(employee=employee)
    return qs.order_by("date", "start", "employee_id", "pk")
