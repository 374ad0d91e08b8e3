"""Requests at the same moment (PostgreSQL row locks): two make-ups racing for the last place of
the month (PUNCH-1), and the lead's approval racing the requester's cancellation (SWAP-1). Exactly one
wins; the other gets a 400 or 409 with a code, never a 500, and nothing is left half done."""

import time

import pytest
import time_machine
from rest_framework.test import APIClient
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.attendance import common
from approvals.attendance.models import PunchCorrection, ShiftSwap
from audit.models import AuditEvent
from tests.attendance.helpers import PUNCHES, SWAPS, local, request_punch, request_swap
from tests.notifications.reminderdata import run_together
from tests.orgdata import build_org

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = local(2026, 3, 6, 20, 0)


def _post(user, url, body):
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(url, body, format="json")
    return response.status_code, response.json().get("code")


def _slow_log(monkeypatch):
    """Widen the race: each request pauses inside its transaction after its checks."""
    original = common.log

    def slow(*args, **kwargs):
        original(*args, **kwargs)
        time.sleep(0.05)

    monkeypatch.setattr(common, "log", slow)


def test_punch1_two_requests_for_the_last_place_of_the_month(monkeypatch):
    org = build_org()
    with time_machine.travel(NOW, tick=False):
        for day in range(3, 7):
            request_punch(org.agent, f"2026-03-{day:02d}T09:00:00+08:00")
        _slow_log(monkeypatch)
        body = {"missed_at": "2026-03-06T18:00:00+08:00", "reason": "忘记打卡"}
        results, errors = run_together(lambda: _post(org.agent.user, f"/api/v1/{PUNCHES}/", body))
    assert errors == []
    assert sorted(results) == [(201, None), (400, "punch_monthly_limit")]
    assert PunchCorrection.objects.filter(employee=org.agent).count() == 5


def test_swap1_approval_racing_cancel_leaves_one_outcome(monkeypatch):
    org = build_org()
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        case_id = request_swap(org.agent, org.colleague)["id"]
        _post(org.colleague.user, f"/api/v1/{SWAPS}/{case_id}/consent/", {})
        _slow_log(monkeypatch)
        calls = iter(
            [
                (org.lead.user, f"/api/v1/{SWAPS}/{case_id}/approve/"),
                (org.agent.user, f"/api/v1/{SWAPS}/{case_id}/cancel/"),
            ]
        )
        results, errors = run_together(lambda: _post(*next(calls), {}))
    assert errors == []
    assert sorted(results) == [(200, None), (409, "state_conflict")]
    assert ShiftSwap.objects.get().state in ("approved", "cancelled")
    open_tasks = Task.objects.filter(
        process__artifact_object_id=case_id,
        status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED],
        flow_task_type="HUMAN",
    )
    assert not open_tasks.exists()
    assert (
        AuditEvent.objects.filter(case_type="shiftswap", action__in=["approve", "cancel"]).count()
        == 1
    )
