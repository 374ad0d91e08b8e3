"""assessments_for: an employee's monthly scores, newest first, optionally within the last n
complete months (the calendar window PROMO-2 counts in)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from performance.selectors import assessments_for, last_complete_months
from performance.services import assessment_record
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_last_complete_months_in_company_time_zone():
    # 2026-11-30 17:00 UTC is already 1 December in Shanghai: November is complete.
    with time_machine.travel(dt.datetime(2026, 11, 30, 17, tzinfo=dt.UTC), tick=False):
        assert last_complete_months(2) == [dt.date(2026, 10, 1), dt.date(2026, 11, 1)]


def test_assessments_for_newest_first_and_within_a_window():
    employee = EmployeeFactory()
    with time_machine.travel(dt.datetime(2026, 11, 22, 4, tzinfo=dt.UTC), tick=False):
        for month in (dt.date(2026, 6, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)):
            assessment_record(employee=employee, month=month, score=Decimal(85), source="manual")
        assert [a.month.month for a in assessments_for(employee)] == [10, 9, 6]
        assert [a.month.month for a in assessments_for(employee, months=3)] == [10, 9]
        assert list(assessments_for(employee, months=0)) == []
    assert list(assessments_for(EmployeeFactory())) == []
