"""Racing leave requests on PostgreSQL (row locks, LEAVE-4): two overlapping requests sent at
once save one; two annual requests that fit the balance only one at a time save one, and the
balance is charged once."""

import datetime as dt
import threading

import pytest
import time_machine

from approvals.leave.models import Leave
from tests.notifications.reminderdata import run_together
from tests.orgdata import build_org

from .helpers import MON_9, MON_18, WEEK_BEFORE, balance, body, client_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(person, first: dict, second: dict):
    bodies = iter([first, second])
    lock = threading.Lock()

    def send():
        with lock:
            data = next(bodies)
        response = client_for(person).post("/api/v1/leaves/", data, format="json")
        return response.status_code, response.json().get("code")

    with time_machine.travel(WEEK_BEFORE, tick=False):
        results, errors = run_together(send)
    assert errors == []
    return sorted(results)


def test_leave4_two_overlapping_requests_at_once_save_one():
    org = build_org()
    results = _race(
        org.agent,
        body(start=MON_9, end=MON_18),
        body(start=MON_9 + dt.timedelta(hours=2), end=MON_18 + dt.timedelta(hours=2)),
    )
    assert results == [(201, None), (400, "overlap")]
    assert Leave.objects.count() == 1


def test_leave4_two_annual_requests_beyond_the_balance_at_once_save_one():
    org = build_org()
    balance(org.agent, entitled=3)
    results = _race(
        org.agent,
        body(kind="annual", start=MON_9, end=MON_18 + dt.timedelta(days=1)),  # 2 days
        body(kind="annual", start=MON_9 + dt.timedelta(days=7), end=MON_18 + dt.timedelta(days=8)),
    )
    assert results == [(201, None), (400, "annual_balance")]
    assert Leave.objects.count() == 1
    assert balance(org.agent).pending == 2
