"""Issue 11, finding 6: races on the embedded default (SQLite) and the LEAVE-5 timer.

SQLite has no row locks: its transactions begin IMMEDIATE (they take the write lock when they
start) and wait for it up to a busy timeout, so two requests deciding the same step run one after
the other and the second is told 409, as on PostgreSQL, never a 500 "database is locked".
"""

import datetime as dt
import time

import pytest
import time_machine
from django.db import OperationalError

from approvals.leave import services
from approvals.leave.models import Leave
from audit.models import AuditEvent
from notifications.scheduler import sweep
from tests.leave.helpers import MON_9, WEEK_BEFORE, act, ask
from tests.orgdata import build_org, employee
from tests.races import decide_twice
from workflows import engine
from workflows.leave import LeaveFlow

ROUNDS = 20


def _approve_twice(user, url):
    return decide_twice(user, url, {"comment": "ok"})


@pytest.mark.django_db(transaction=True)
def test_finding6_sqlite_double_approve_answers_409_never_500(monkeypatch):
    # Widen the race window: each request pauses after it has read the case, inside its
    # transaction. With deferred transactions both read, and the second to write failed with
    # "database is locked"; with BEGIN IMMEDIATE the second waits, then reads the decided case.
    original = services.check_pending

    def slow_check(leave, action):
        time.sleep(0.05)
        original(leave, action)

    monkeypatch.setattr(services, "check_pending", slow_check)
    org = build_org()
    with time_machine.travel(WEEK_BEFORE, tick=True):
        for i in range(ROUNDS):
            asker = employee(f"r{i}", department=org.cs)
            case = ask(asker)
            results = _approve_twice(org.lead.user, f"/api/v1/leaves/{case['id']}/approve/")
            # the loser waited for the winner's commit and read the decided case (without
            # IMMEDIATE it met "database is locked": a 500, or now case_busy at the edge)
            assert results == [(200, None), (409, "state_conflict")], results
            assert Leave.objects.get(pk=case["id"]).state == "approved"
            assert (
                AuditEvent.objects.filter(
                    case_type="leave", case_id=case["id"], action="approve"
                ).count()
                == 1
            )


def test_finding6_sqlite_transactions_begin_immediate():
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        assert options["transaction_mode"] == "IMMEDIATE"
        assert options["timeout"] >= 5
    else:  # PostgreSQL locks rows; the SQLite options are not passed to it
        assert "transaction_mode" not in options


@pytest.mark.django_db
def test_finding6_a_database_still_locked_after_the_timeout_is_409_case_busy(monkeypatch):
    org = build_org()
    with time_machine.travel(WEEK_BEFORE, tick=False):
        case = ask(org.agent)

        def locked(**kwargs):
            raise OperationalError("database is locked")

        monkeypatch.setitem(
            LeaveFlow.actions, "approve", engine.Action(locked, nodes=("decide", "decide_gm"))
        )
        error = act(org.lead, case["id"], "approve", expect=409)
    assert error["code"] == "case_busy"


@pytest.mark.django_db
def test_finding6_leave5_timer_then_lead_approve_is_409():
    """LEAVE-5: the lead opened the request before its start; the timer handed it to the GM
    office first. The step is no longer theirs because of time, not role: 409, not 403."""
    org = build_org()
    with time_machine.travel(WEEK_BEFORE, tick=False):
        case = ask(org.agent)
    with time_machine.travel(MON_9 + dt.timedelta(minutes=1), tick=False):
        sweep()
        assert Leave.objects.get(pk=case["id"]).escalated_at is not None
        error = act(org.lead, case["id"], "approve", expect=409)
        assert (error["code"], error["rule"]) == ("state_conflict", "LEAVE-5")
        assert act(org.gm, case["id"], "approve")["state"] == "approved"
