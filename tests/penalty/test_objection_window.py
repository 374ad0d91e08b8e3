"""The objection window (APPEAL-1) at its exact edges, in calendar days and in working days
(DEADLINE-1), across the 2026 National Day holiday and its make-up working Saturday (10 Oct).

Served Wednesday 30 Sep 2026 10:00 (Asia/Shanghai):
- calendar days: 3 days after the day of service → window ends 3 Oct 23:59:59.999999 (a holiday
  changes nothing);
- working days: 1–7 Oct are holidays (and 4 Oct a Sunday), 8 and 9 Oct count, Saturday 10 Oct is
  a make-up working day → window ends 10 Oct 23:59:59.999999 (not 12 Oct).
"""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from approvals.deadlines import Deadline
from approvals.penalty.models import Objection
from audit.models import AuditEvent
from performance.models import ScoreEvent
from tests.penalty.helpers import act, local, read, serve, sweep_timers

pytestmark = pytest.mark.django_db

SERVED = local(2026, 9, 30, 10, 0)
LAST_INSTANT = {
    "calendar": local(2026, 10, 3, 23, 59, 59, 999999),
    "working": local(2026, 10, 10, 23, 59, 59, 999999),
}
ONE_SECOND = dt.timedelta(seconds=1)


def _served(org):
    with time_machine.travel(SERVED, tick=False):
        case = serve(org.lead, org.agent)
        act(org.agent, case["id"], "sign")
    return case


def test_appeal1_window_end_is_stored_on_the_case(org, mode):
    case = _served(org)
    due = dt.datetime.fromisoformat(case["objection_due"])
    assert due == LAST_INSTANT[mode]
    [deadline] = case["deadlines"]
    assert deadline["name"] == "objection"
    assert dt.datetime.fromisoformat(deadline["due_at"]) == LAST_INSTANT[mode]


def test_appeal1_objection_in_the_last_second_is_filed(org, mode):
    case = _served(org)
    with time_machine.travel(LAST_INSTANT[mode] - ONE_SECOND, tick=False):
        case = act(org.agent, case["id"], "object", {"reason": "当天系统故障, 有截图"})
    assert case["state"] == "objected"
    assert case["objection"]["reason"] == "当天系统故障, 有截图"


def test_appeal1_objection_at_the_last_instant_is_filed(org, mode):
    case = _served(org)
    with time_machine.travel(LAST_INSTANT[mode], tick=False):
        assert act(org.agent, case["id"], "object", {"reason": "x"})["state"] == "objected"


@pytest.mark.parametrize("language, text", [("en", "closed at"), ("zh-hans", "异议期已于")])
def test_appeal1_objection_one_second_late_is_refused_naming_the_deadline(
    org, mode, language, text
):
    case = _served(org)
    events_before = AuditEvent.objects.count()
    with time_machine.travel(LAST_INSTANT[mode] + ONE_SECOND, tick=False):
        result = act(
            org.agent, case["id"], "object", {"reason": "迟到的异议"}, expect=400, language=language
        )
    assert result["code"] == "objection_window_closed"
    assert result["rule"] == "APPEAL-1"
    assert text in result["detail"]
    assert LAST_INSTANT[mode].strftime("%Y-%m-%d 23:59:59") in result["detail"]
    # Nothing recorded as filed.
    assert not Objection.objects.exists()
    assert AuditEvent.objects.count() == events_before
    assert Deadline.objects.get(name="objection").met_at is None
    assert read(org.agent, case["id"])["state"] == "served"


def test_appeal1_the_window_is_enforced_even_if_no_timer_fired(org, mode):
    case = _served(org)
    with time_machine.travel(LAST_INSTANT[mode] + dt.timedelta(days=30), tick=False):
        # No sweep ran: the case still says "served", the domain still refuses.
        result = act(org.agent, case["id"], "object", {"reason": "x"}, expect=400)
    assert result["code"] == "objection_window_closed"


def test_appeal3_window_lapse_makes_the_sanction_final_by_itself(org, mode):
    case = _served(org)
    with time_machine.travel(LAST_INSTANT[mode], tick=False):
        sweep_timers()
        assert read(org.agent, case["id"])["state"] == "served"  # the last instant is still in
    with time_machine.travel(LAST_INSTANT[mode] + ONE_SECOND, tick=False):
        assert sweep_timers() >= 1
        case = read(org.agent, case["id"])
    assert case["state"] == "final" and case["final"] is True
    assert [e["action"] for e in case["timeline"]][-2:] == ["lapse", "finalise"]
    assert case["deadlines"][0]["met_at"] is not None
    event = ScoreEvent.objects.get()
    # APPEAL-3: booked to the month it became final (October), fine and points of the policy.
    assert event.month == dt.date(2026, 10, 1)
    assert (event.fine, event.points) == (10, -5)
    assert event.source == f"penalty:{case['id']}"


def test_appeal3_no_fine_while_the_objection_is_open(org):
    case = _served(org)
    with time_machine.travel(SERVED + dt.timedelta(hours=1), tick=False):
        act(org.agent, case["id"], "object", {"reason": "x"})
    with time_machine.travel(local(2026, 10, 5, 12, 0), tick=False):
        sweep_timers()
        assert read(org.agent, case["id"])["state"] == "objected"
    assert not ScoreEvent.objects.exists()


def test_appeal1_an_objection_needs_a_reason(org):
    case = _served(org)
    with time_machine.travel(SERVED, tick=False):
        result = act(org.agent, case["id"], "object", {"reason": " "}, expect=400)
    assert (result["code"], result["rule"]) == ("reason_required", "APPEAL-1")
    assert not Objection.objects.exists()


def test_appeal1_only_the_employee_objects_and_only_once(org):
    case = _served(org)
    with time_machine.travel(SERVED, tick=False):
        assert act(org.lead, case["id"], "object", {"reason": "x"}, expect=403)["code"] == (
            "not_the_employee"
        )
        act(org.agent, case["id"], "object", {"reason": "x"})
        assert act(org.agent, case["id"], "object", {"reason": "y"}, expect=409)["code"] == (
            "state_conflict"
        )
    assert Objection.objects.count() == 1


def test_deadline3_due_times_are_stored_in_utc(org):
    _served(org)
    due = Deadline.objects.get().due_at
    assert due.utcoffset() == dt.timedelta(0)
    assert timezone.localtime(due).date() == dt.date(2026, 10, 3)
