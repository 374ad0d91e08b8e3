"""Deadline arithmetic on the Chinese statutory calendar (DEADLINE-1, DEADLINE-3).

2026 data (State Council notice, in the `holidays` package): National Day holiday 1–7 October
(4 October is a Sunday); make-up working days Sunday 20 September and Saturday 10 October.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from policy.deadlines import CALENDAR, WORKING, CalendarError, due_at, is_working_day
from policy.models import CalendarOverride

SH = ZoneInfo("Asia/Shanghai")


def local(*args):
    return dt.datetime(*args, tzinfo=SH)


@pytest.mark.django_db
def test_deadline1_calendar_days_end_at_the_end_of_the_local_day():
    due = due_at(local(2026, 11, 23, 10, 0), 3, mode=CALENDAR)
    assert due.at == local(2026, 11, 26, 23, 59, 59, 999999)
    assert due.at.tzinfo == dt.UTC  # DEADLINE-3: stored in UTC
    assert not due.provisional


@pytest.mark.django_db
def test_deadline1_working_days_skip_national_day_and_count_the_make_up_saturday():
    due = due_at(local(2026, 9, 30, 10, 0), 3, mode=WORKING)
    # 1–7 Oct off; Thu 8, Fri 9, and the make-up Saturday 10 October are the three working days
    assert due.at.astimezone(SH).date() == dt.date(2026, 10, 10)


@pytest.mark.django_db
def test_deadline1_make_up_sunday_is_a_working_day():
    assert is_working_day(dt.date(2026, 9, 20))
    assert not is_working_day(dt.date(2026, 9, 19))
    assert due_at(local(2026, 9, 18, 17, 0), 1, mode=WORKING).at.astimezone(SH).date() == dt.date(
        2026, 9, 20
    )


@pytest.mark.django_db
def test_deadline1_calendar_mode_counts_holidays():
    assert due_at(local(2026, 9, 30, 10, 0), 3, mode=CALENDAR).at.astimezone(SH).date() == dt.date(
        2026, 10, 3
    )


@pytest.mark.django_db
def test_deadline1_year_without_official_notice_is_provisional():
    due = due_at(local(2027, 3, 1, 9, 0), 3, mode=WORKING)
    assert due.provisional
    assert not due_at(local(2026, 3, 2, 9, 0), 3, mode=WORKING).provisional


@pytest.mark.django_db
def test_deadline1_override_table_wins_over_the_package():
    base = due_at(local(2026, 11, 23, 9, 0), 1, mode=WORKING).at.astimezone(SH).date()
    assert base == dt.date(2026, 11, 24)
    CalendarOverride.objects.create(date=dt.date(2026, 11, 24), is_working_day=False, note="test")
    assert due_at(local(2026, 11, 23, 9, 0), 1, mode=WORKING).at.astimezone(SH).date() == dt.date(
        2026, 11, 25
    )


@pytest.mark.django_db
def test_deadline1_a_date_outside_the_calendar_is_an_error():
    with pytest.raises(CalendarError):
        due_at(local(2100, 12, 30, 9, 0), 5, mode=WORKING)


def test_naive_start_is_refused():
    with pytest.raises(ValueError):
        due_at(dt.datetime(2026, 1, 1), 1)  # noqa: DTZ001
