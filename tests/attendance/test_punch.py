"""PUNCH-1 through the API: a make-up is asked within 3 days of the missed punch (to the end of
the third local day after it, Asia/Shanghai), with a reason, at most 5 a month per employee
(the month of the missed punch; pending and approved count, rejected do not); the department
lead approves or rejects (the GM office for a lead's own)."""

import datetime as dt

import pytest
import time_machine

from approvals.attendance.models import PunchCorrection
from audit.models import AuditEvent
from tests.attendance.helpers import PUNCHES, act, local, request_punch, tasks

pytestmark = pytest.mark.django_db

MISSED = "2026-03-02T18:00:00+08:00"  # Monday evening, local
LAST_INSTANT = local(2026, 3, 5, 23, 59, 59, 999999)  # end of Thursday, local


def test_punch1_window_last_instant_is_accepted(org):
    with time_machine.travel(LAST_INSTANT, tick=False):
        case = request_punch(org.agent, MISSED)
    assert case["state"] == "pending"
    assert case["missed_at"] == "2026-03-02T18:00:00+08:00"


def test_punch1_window_next_instant_is_refused_and_nothing_saved(org):
    with time_machine.travel(LAST_INSTANT + dt.timedelta(microseconds=1), tick=False):
        error = request_punch(org.agent, MISSED, expect=400, language="en")
    assert error["code"] == "punch_window_closed" and error["rule"] == "PUNCH-1"
    assert "3 days" in error["detail"] and "2026-03-05 23:59" in error["detail"]
    assert not PunchCorrection.objects.exists()
    assert not AuditEvent.objects.filter(case_type="punchcorrection").exists()


def test_punch1_window_counts_local_days_not_utc(org):
    """Missed at 07:00 local on Tuesday is still Monday 23:00 UTC: the window ends with local
    Friday, not Thursday."""
    with time_machine.travel(local(2026, 3, 6, 23, 0), tick=False):
        request_punch(org.agent, "2026-03-02T23:00:00+00:00")


def test_punch1_a_missed_at_in_the_future_is_refused(org):
    with time_machine.travel(local(2026, 3, 2, 17, 59), tick=False):
        error = request_punch(org.agent, MISSED, expect=400)
    assert error["code"] == "missed_at_in_future" and error["rule"] == "PUNCH-1"
    assert not PunchCorrection.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", None, 5])
def test_punch1_a_reason_is_required(org, reason):
    with time_machine.travel(local(2026, 3, 3, 9, 0), tick=False):
        error = request_punch(org.agent, MISSED, reason=reason, expect=400)
    assert error["code"] == "reason_required" and error["rule"] == "PUNCH-1"
    assert not PunchCorrection.objects.exists()


def test_punch1_a_missed_at_that_is_not_a_time_is_refused(org):
    with time_machine.travel(local(2026, 3, 3, 9, 0), tick=False):
        error = request_punch(org.agent, "yesterday", expect=400)
    assert error["code"] == "invalid_datetime" and error["field"] == "missed_at"


def _five_in_march(person):
    ids = []
    for day in range(1, 6):
        with time_machine.travel(local(2026, 3, day, 20, 0), tick=False):
            ids.append(request_punch(person, f"2026-03-{day:02d}T18:00:00+08:00")["id"])
    return ids


def test_punch1_the_sixth_in_a_month_is_refused_with_the_count(org):
    _five_in_march(org.agent)
    with time_machine.travel(local(2026, 3, 6, 20, 0), tick=False):
        error = request_punch(org.agent, "2026-03-06T18:00:00+08:00", expect=400, language="en")
        assert error["code"] == "punch_monthly_limit" and error["rule"] == "PUNCH-1"
        assert "already has 5" in error["detail"] and "2026-03" in error["detail"]
        assert PunchCorrection.objects.count() == 5
        # Another employee's count is their own.
        request_punch(org.colleague, "2026-03-06T18:00:00+08:00")


def test_punch1_rejected_make_ups_do_not_count_approved_ones_do(org):
    ids = _five_in_march(org.agent)
    with time_machine.travel(local(2026, 3, 6, 20, 0), tick=False):
        act(PUNCHES, org.lead, ids[0], "approve")
        act(PUNCHES, org.lead, ids[1], "reject", {"reason": "无考勤异常"})
        request_punch(org.agent, "2026-03-06T18:00:00+08:00")
        error = request_punch(org.agent, "2026-03-06T08:30:00+08:00", expect=400)
    assert error["code"] == "punch_monthly_limit"


def test_punch1_the_month_is_that_of_the_missed_punch(org):
    """Five punches missed in March; one missed on 31 March local (still March) is refused, one
    missed on 1 April local (31 March UTC) is allowed."""
    _five_in_march(org.agent)
    with time_machine.travel(local(2026, 4, 1, 12, 0), tick=False):
        assert request_punch(org.agent, "2026-03-31T18:00:00+08:00", expect=400)["code"] == (
            "punch_monthly_limit"
        )
        request_punch(org.agent, "2026-04-01T07:30:00+08:00")


def test_punch1_the_policy_pack_sets_the_figures(org):
    from policy.models import PolicyVersion

    version = PolicyVersion.objects.get()
    assert version.data["attendance"]["punch_window_days"] == 3  # refreshed by the migration
    version.data = {
        **version.data,
        "attendance": {"punch_window_days": 1, "punch_max_per_month": 1},
    }
    from tests.packs import store_pack

    store_pack(version)
    with time_machine.travel(local(2026, 3, 4, 0, 0), tick=False):
        assert request_punch(org.agent, MISSED, expect=400)["code"] == "punch_window_closed"
    with time_machine.travel(local(2026, 3, 3, 12, 0), tick=False):
        request_punch(org.agent, MISSED)
        error = request_punch(org.agent, "2026-03-03T08:00:00+08:00", expect=400, language="en")
    assert "At most 1 " in error["detail"]


def test_punch1_the_figures_fall_back_when_the_pack_lacks_them():
    from policy.pack import Policy

    assert Policy({"attendance": {}}).punch_window_days == 3
    assert Policy({}).punch_max_per_month == 5
    legacy = Policy({"attendance": {"punch_makeup_days": 2, "punch_makeup_per_month": 4}})
    assert (legacy.punch_window_days, legacy.punch_max_per_month) == (2, 4)


def test_punch1_lead_approves_from_the_inbox(org):
    with time_machine.travel(local(2026, 3, 3, 9, 0), tick=False):
        case = request_punch(org.agent, MISSED)
        assert [t["case_id"] for t in tasks(org.lead, PUNCHES)] == [case["id"]]
        assert tasks(org.gm, PUNCHES) == []
        case = act(PUNCHES, org.lead, case["id"], "approve", {"comment": "已核实"})
    assert case["state"] == "approved" and case["available_actions"] == []
    assert tasks(org.lead, PUNCHES) == []


def test_punch1_reject_needs_a_reason(org):
    with time_machine.travel(local(2026, 3, 3, 9, 0), tick=False):
        case = request_punch(org.agent, MISSED)
        error = act(PUNCHES, org.lead, case["id"], "reject", {}, expect=400)
        assert error["code"] == "reason_required" and error["rule"] == "PUNCH-1"
        assert act(PUNCHES, org.lead, case["id"], "reject", {"reason": "无"})["state"] == (
            "rejected"
        )
        error = act(PUNCHES, org.lead, case["id"], "approve", expect=409, language="en")
    assert error["code"] == "state_conflict" and "“Rejected”" in error["detail"]


def test_punch1_a_leads_own_make_up_goes_to_the_gm_office(org):
    with time_machine.travel(local(2026, 3, 3, 9, 0), tick=False):
        case = request_punch(org.lead, MISSED)
        assert tasks(org.lead, PUNCHES) == []
        assert [t["case_id"] for t in tasks(org.gm, PUNCHES)] == [case["id"]]
        assert act(PUNCHES, org.lead, case["id"], "approve", expect=403)["code"] == "own_request"
        assert act(PUNCHES, org.gm, case["id"], "approve")["state"] == "approved"


def test_punch1_only_the_lead_approves_not_the_gm_office_nor_a_colleague(org):
    with time_machine.travel(local(2026, 3, 3, 9, 0), tick=False):
        case = request_punch(org.agent, MISSED)
        error = act(PUNCHES, org.gm, case["id"], "approve", expect=403)
        assert error["code"] == "not_department_lead" and error["rule"] == "PUNCH-1"
        assert act(PUNCHES, org.colleague, case["id"], "approve", expect=404)
        assert act(PUNCHES, org.agent, case["id"], "approve", expect=403)["code"] == "own_request"
