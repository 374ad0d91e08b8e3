"""Deadline arithmetic (DEADLINE-1, DEADLINE-3): due times in calendar days or in working days on
the Chinese statutory calendar, in the company time zone, stored as aware datetimes.

Working days: Monday–Friday, minus the statutory holidays, plus the weekend days made working
days (调休), as published by the State Council — the `holidays` package (country CN) — with the
admin-editable `CalendarOverride` table winning over it. A year the package has no official notice
for is computed by rule (weekends and the fixed holidays) and every deadline that depends on it is
marked provisional until the notice is entered. "Within N days" ends at the end of the local day.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from holidays.countries.china import ChinaStaticHolidays

from .tables import CachedTable

CALENDAR, WORKING = "calendar", "working"
# The last year the State Council's notice is in the package; later years are provisional.
LAST_OFFICIAL_YEAR = max(ChinaStaticHolidays.special_public_holidays)
FIRST_YEAR, LAST_YEAR = 1999, 2100  # outside this the calendar has nothing to say: an error


class CalendarError(ValueError):
    """A date the calendar cannot answer for (never guessed)."""


@dataclass(frozen=True)
class DueTime:
    at: dt.datetime
    provisional: bool = False


@lru_cache(maxsize=16)
def _china(year: int):
    return holidays.country_holidays("CN", years=year)


def _load_overrides() -> dict[dt.date, bool]:
    from .models import CalendarOverride

    return dict(CalendarOverride.objects.values_list("date", "is_working_day"))


# The whole override table (a few dozen days a year): every deadline reads it, and it changes
# about once a year.
OVERRIDES = CachedTable("policy:calendar-overrides", _load_overrides)


def all_overrides() -> dict[dt.date, bool]:
    return OVERRIDES.get()


def overrides_between(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """The override table's days in [start, end], read once for a loop over them."""
    return {day: working for day, working in all_overrides().items() if start <= day <= end}


def is_working_day(day: dt.date, overrides: dict[dt.date, bool] | None = None) -> bool:
    if not (FIRST_YEAR <= day.year <= LAST_YEAR):
        raise CalendarError(
            f"{day} is outside the statutory calendar's data ({FIRST_YEAR}–{LAST_YEAR})"
        )
    if overrides is not None and day in overrides:
        return overrides[day]
    return _china(day.year).is_working_day(day)


def company_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def due_at(
    start: dt.datetime, days: int, *, mode: str = CALENDAR, end_of_day: bool = True
) -> DueTime:
    """The due time `days` days (calendar or working) after `start`.

    With `end_of_day`, the deadline is the end (23:59:59.999999) of the last local day: "within
    3 days of service on Monday" ends at the end of Thursday. Without it, the same local time of
    day on the last day. Working days count the days after the start day.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    tz = company_tz()
    local = start.astimezone(tz)
    day = local.date()
    provisional = False
    if mode == CALENDAR:
        last = day + dt.timedelta(days=days)
    elif mode == WORKING:
        overrides = overrides_between(day, day + dt.timedelta(days=days * 3 + 30))
        last, counted = day, 0
        while counted < days:
            last += dt.timedelta(days=1)
            if is_working_day(last, overrides):
                counted += 1
            provisional = provisional or (last.year > LAST_OFFICIAL_YEAR and last not in overrides)
    else:
        raise ValueError(f"unknown day mode {mode!r}")
    if end_of_day:
        moment = dt.datetime.combine(last, dt.time.max, tzinfo=tz)
    else:
        moment = dt.datetime.combine(last, local.timetz().replace(tzinfo=None), tzinfo=tz)
    return DueTime(at=moment.astimezone(dt.UTC), provisional=provisional)
