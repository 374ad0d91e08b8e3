"""Building shifts and punches directly (the import services are another area's) for the
finding tests (ATT-2, ATT-3)."""

import datetime as dt

from approvals.attendance.models import Punch, Shift
from tests.penalty.helpers import local

DAY = dt.date(2026, 3, 9)  # a Monday; the tests run on Tuesday 2026-03-10 noon, local
NOW = local(2026, 3, 10, 12, 0)


def at(day: dt.date, hhmm: str, seconds: int = 0) -> dt.datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return local(day.year, day.month, day.day, h, m, seconds)


def shift(employee, day: dt.date = DAY, start="09:00", end="18:00", **extra) -> Shift:
    return Shift.objects.create(
        employee=employee,
        rostered=extra.pop("rostered", employee),
        department=employee.department,
        date=day,
        start=at(day, start),
        end=at(day, end),
        **extra,
    )


def punch(employee, *times, day: dt.date = DAY) -> None:
    Punch.objects.bulk_create(
        [Punch(employee=employee, at=at(day, t) if isinstance(t, str) else t) for t in times]
    )
