"""The roster as a week grid (ATT-1): who works when in one department, who is on approved leave
(LEAVE-1), which shifts an approved swap moved (SWAP-1). Read by the /roster/ page.

Who sees which department: administration and the GM office every department; a department
lead the departments they lead, and their delegate the lead's while the lead is on approved
leave (LEAVE-6); nobody else (the page answers 404). Three queries whatever the
number of people: the department's people, the week's shifts, the week's approved leave."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy

from approvals import permissions as perms
from approvals.errors import InvalidInput
from approvals.leave.models import Leave, LeaveState
from org.levels import Role
from org.models import Employee
from policy.deadlines import company_tz

from .models import Shift
from .roster_access import led_departments, roster_departments

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(value: str | None) -> dt.date:
    """The Monday of an ISO week YYYY-Www (the current week when empty)."""
    if not value:
        today = timezone.localdate()
        return today - dt.timedelta(days=today.weekday())
    match = _WEEK.match(str(value).strip()[:10])
    try:
        if match is None:
            raise ValueError
        return dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise InvalidInput(
            gettext_lazy("week %(value)s is not YYYY-Www (e.g. 2026-W10)"),
            code="bad_week",
            params={"value": repr(str(value)[:20])},
            field="week",
        ) from None


def week_label(monday: dt.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def visible_departments(actor, *, standing_in: bool = True) -> set[int] | None:
    """None: every department; else the ids the actor may read the roster of (maybe none): the
    ones they lead and, while they stand in for a lead on leave, the lead's (LEAVE-6).
    `standing_in=False`: the ones they lead only (the punch list, ATT-2, is the lead's own)."""
    if perms.has_role(actor, Role.ADMINISTRATION) or perms.has_role(actor, Role.GM_OFFICE):
        return None
    return roster_departments(actor) if standing_in else led_departments(actor)


@dataclass
class Cell:
    day: dt.date
    shifts: list = field(default_factory=list)
    leaves: list = field(default_factory=list)


@dataclass
class GridRow:
    employee: Employee
    cells: list[Cell]


@dataclass
class WeekGrid:
    monday: dt.date
    days: list[dt.date]
    rows: list[GridRow]

    @property
    def label(self) -> str:
        return week_label(self.monday)

    @property
    def previous(self) -> str:
        return week_label(self.monday - dt.timedelta(days=7))

    @property
    def next(self) -> str:
        return week_label(self.monday + dt.timedelta(days=7))


def week_grid(*, department, monday: dt.date) -> WeekGrid:
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    tz = company_tz()
    lo = dt.datetime.combine(monday, dt.time(), tzinfo=tz)
    hi = lo + dt.timedelta(days=7)
    people = {
        e.pk: e
        for e in Employee.objects.select_related("user").filter(
            department=department, user__is_active=True
        )
    }
    shifts = list(
        Shift.objects.select_related("employee__user", "rostered__user").filter(
            department=department, date__gte=days[0], date__lte=days[-1]
        )
    )
    for s in shifts:
        people.setdefault(s.employee_id, s.employee)
    leaves = list(
        Leave.objects.filter(
            employee_id__in=list(people), state=LeaveState.APPROVED, start__lt=hi, end__gt=lo
        )
    )
    rows = {pk: GridRow(e, [Cell(day) for day in days]) for pk, e in people.items()}
    for s in shifts:
        rows[s.employee_id].cells[(s.date - monday).days].shifts.append(s)
    for leave in leaves:
        first = max(timezone.localtime(leave.start, tz).date(), monday)
        last = min(
            timezone.localtime(leave.end - dt.timedelta(microseconds=1), tz).date(), days[-1]
        )
        day = first
        while day <= last:
            rows[leave.employee_id].cells[(day - monday).days].leaves.append(leave)
            day += dt.timedelta(days=1)
    ordered = sorted(rows.values(), key=lambda r: (r.employee.user.username, r.employee.pk))
    return WeekGrid(monday=monday, days=days, rows=ordered)
