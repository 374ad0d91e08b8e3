"""LEAVE-1, LEAVE-2, LEAVE-4: asking for leave, and every refusal leaving nothing behind."""

import datetime as dt

import pytest
import time_machine

from approvals.deadlines import Deadline
from approvals.leave.models import Leave, LeaveBalance
from approvals.leave.services import leave_days
from audit.models import AuditEvent
from workflows.leave import LeaveFlow

from .helpers import MON_9, MON_18, act, ask, balance, local, read

pytestmark = pytest.mark.django_db


def nothing_saved():
    assert Leave.objects.count() == 0
    assert AuditEvent.objects.filter(case_type="leave").count() == 0
    assert Deadline.objects.filter(case_type="leave").count() == 0


def test_leave1_every_kind_can_be_asked_for_and_goes_to_the_lead(org, week_before):
    kinds = ["personal", "sick", "annual", "marriage", "maternity", "home_visit", "compensatory"]
    balance(org.agent, entitled=10)
    for n, kind in enumerate(kinds):
        start = MON_9 + dt.timedelta(days=7 * n)
        case = ask(org.agent, kind=kind, start=start, end=start + dt.timedelta(hours=9))
        assert case["state"] == "pending"
        assert case["kind"] == kind
        assert read(org.lead, case["id"])["available_actions"] == ["approve", "reject"]
    assert Leave.objects.count() == len(kinds)


def test_leave1_the_request_has_a_decision_deadline_at_its_start(org, week_before):
    case = ask(org.agent)
    [deadline] = case["deadlines"]
    assert deadline["name"] == "decision"
    assert dt.datetime.fromisoformat(deadline["due_at"]) == MON_9
    assert case["days"] == "1.0"


def test_leave4_end_before_start_is_refused_naming_both_times(org, week_before):
    error = ask(org.agent, start=MON_18, end=MON_9, expect=400, language="en")
    assert error["code"] == "end_before_start"
    assert error["rule"] == "LEAVE-4"
    assert "2026-03-09 09:00" in error["detail"] and "2026-03-09 18:00" in error["detail"]
    nothing_saved()


def test_leave4_end_equal_to_start_is_refused(org, week_before):
    error = ask(org.agent, start=MON_9, end=MON_9, expect=400)
    assert error["code"] == "end_before_start"
    nothing_saved()


def test_leave4_refusal_in_chinese(org, week_before):
    error = ask(org.agent, start=MON_18, end=MON_9, expect=400, language="zh-hans")
    assert "结束" in error["detail"]
    assert error["rule"] == "LEAVE-4"


@pytest.mark.parametrize("state", ["pending", "approved"])
def test_leave4_overlap_with_a_pending_or_approved_leave_is_refused(org, week_before, state):
    first = ask(org.agent)
    if state == "approved":
        act(org.lead, first["id"], "approve")
    error = ask(
        org.agent,
        start=MON_18 - dt.timedelta(hours=1),
        end=MON_18 + dt.timedelta(hours=2),
        expect=400,
        language="en",
    )
    assert error["code"] == "overlap"
    assert error["rule"] == "LEAVE-4"
    assert f"#{first['id']}" in error["detail"]
    assert Leave.objects.count() == 1


@pytest.mark.parametrize("state", ["rejected", "cancelled"])
def test_leave4_a_rejected_or_cancelled_leave_does_not_block_the_same_dates(
    org, week_before, state
):
    first = ask(org.agent)
    if state == "rejected":
        act(org.lead, first["id"], "reject", {"reason": "人手不足"})
    else:
        act(org.agent, first["id"], "cancel")
    ask(org.agent)
    assert Leave.objects.count() == 2


def test_leave4_back_to_back_leaves_do_not_overlap(org, week_before):
    ask(org.agent)
    ask(org.agent, start=MON_18, end=MON_18 + dt.timedelta(hours=3))
    assert Leave.objects.count() == 2


def test_leave4_non_emergency_start_in_the_past_is_refused(org):
    with time_machine.travel(MON_9 + dt.timedelta(minutes=1), tick=False):
        error = ask(org.agent, expect=400, language="en")
    assert error["code"] == "start_in_past"
    assert error["rule"] == "LEAVE-4"
    assert "2026-03-09 09:00" in error["detail"]
    nothing_saved()


def test_leave4_annual_leave_beyond_the_balance_is_refused_with_the_figures(org, week_before):
    balance(org.agent, entitled=2)
    error = ask(
        org.agent,
        kind="annual",
        start=MON_9,
        end=MON_18 + dt.timedelta(days=2),  # Monday to Wednesday: 3 days
        expect=400,
        language="en",
    )
    assert error["code"] == "annual_balance"
    assert error["rule"] == "LEAVE-4"
    assert "3.0 day(s)" in error["detail"] and "only 2.0" in error["detail"]
    nothing_saved()
    assert balance(org.agent).pending == 0


def test_leave4_pending_annual_leave_counts_against_the_balance(org, week_before):
    balance(org.agent, entitled=3)
    ask(org.agent, kind="annual", start=MON_9, end=MON_18 + dt.timedelta(days=1))  # 2 days
    error = ask(
        org.agent,
        kind="annual",
        start=MON_9 + dt.timedelta(days=7),
        end=MON_18 + dt.timedelta(days=8),  # 2 more, 1 left
        expect=400,
        language="en",
    )
    assert "only 1.0" in error["detail"]
    assert balance(org.agent).pending == 2


@pytest.mark.parametrize(
    "field,value,code",
    [
        ("kind", "holiday", "invalid_kind"),
        ("start", "next monday", "invalid_datetime"),
        ("reason", "   ", "reason_required"),
        ("reason", ["a"], "reason_required"),
        ("emergency", "maybe", "invalid_emergency"),
    ],
)
def test_leave4_bad_input_is_a_400_naming_the_field(org, week_before, field, value, code):
    error = ask(org.agent, expect=400, **{field: value})
    assert error["code"] == code
    nothing_saved()


def test_leave1_the_balance_opens_with_the_policy_entitlement(org, week_before):
    org.agent.hired_on = dt.date(2014, 6, 1)  # 11 full years on 2026-01-01
    org.agent.save()
    ask(org.agent, kind="annual")
    row = LeaveBalance.objects.get(employee=org.agent, year=2026)
    assert row.entitled == 10
    assert row.pending == 1


def test_leave_days_count_half_days_and_whole_days():
    assert leave_days(local(2026, 3, 9, 9), local(2026, 3, 9, 13)) == 0.5
    assert leave_days(local(2026, 3, 9, 9), local(2026, 3, 9, 14)) == 1
    assert leave_days(local(2026, 3, 9, 9), local(2026, 3, 11, 18)) == 3
    # a night shift 22:00–06:00 touches two days, two hours and six
    assert leave_days(local(2026, 3, 9, 22), local(2026, 3, 10, 6)) == 1.5


def test_leave2_emergency_recorded_within_the_hour_after_the_start(org):
    with time_machine.travel(MON_9 + dt.timedelta(minutes=59), tick=False):
        case = ask(org.agent, kind="sick", emergency=True)
    assert case["emergency"] is True
    assert case["state"] == "pending"
    # decided afterwards: by the end of the next day
    [deadline] = case["deadlines"]
    assert dt.datetime.fromisoformat(deadline["due_at"]) == local(2026, 3, 10, 23, 59, 59, 999999)


def test_leave2_emergency_after_the_hour_is_refused_naming_the_limit(org):
    with time_machine.travel(MON_9 + dt.timedelta(hours=1, seconds=1), tick=False):
        error = ask(org.agent, kind="sick", emergency=True, expect=400, language="en")
    assert error["code"] == "emergency_too_late"
    assert error["rule"] == "LEAVE-2"
    assert "by 2026-03-09 10:00" in error["detail"]
    nothing_saved()


def test_leave2_the_lead_records_an_emergency_for_an_employee(org):
    with time_machine.travel(MON_9 + dt.timedelta(minutes=30), tick=False):
        case = ask(org.lead, kind="sick", emergency=True, employee=org.agent.pk)
    leave = Leave.objects.get(pk=case["id"])
    assert leave.employee == org.agent and leave.submitted_by == org.lead
    assert read(org.agent, case["id"])["available_actions"] == ["cancel"]


def test_leave2_a_lead_records_for_others_only_in_an_emergency(org, week_before):
    error = ask(org.lead, employee=org.agent.pk, expect=400)
    assert error["code"] == "emergency_only"
    nothing_saved()


def test_leave2_a_colleague_cannot_record_leave_for_someone(org):
    with time_machine.travel(MON_9, tick=False):
        error = ask(org.colleague, kind="sick", emergency=True, employee=org.agent.pk, expect=403)
    assert error["rule"] == "LEAVE-2"
    nothing_saved()


def test_the_process_starts_with_the_request(org, week_before):
    from workflows.engine import process_for

    case = ask(org.agent)
    process = process_for(LeaveFlow, Leave.objects.get(pk=case["id"]))
    assert process.task_set.filter(flow_task=LeaveFlow.instance.node("decide")).count() == 1


@pytest.mark.parametrize(
    "delegate,status,code",
    [("someone", 400, "invalid_delegate"), (999999, 404, "unknown_delegate")],
)
def test_leave6_an_unknown_delegate_is_refused_and_nothing_saved(
    org, week_before, delegate, status, code
):
    error = ask(org.lead, delegate=delegate, expect=status)
    assert error["code"] == code
    nothing_saved()


def test_leave2_a_lead_records_an_emergency_only_for_their_own_department(org):
    with time_machine.travel(MON_9 + dt.timedelta(minutes=10), tick=False):
        error = ask(
            org.lead, kind="sick", emergency=True, employee=org.other_dept_agent.pk, expect=403
        )
    assert error["rule"] == "LEAVE-2"
    nothing_saved()


def test_finding10_annual_leave_counts_only_statutory_working_days(org):
    """Issue 11, finding 10 (ATT-4 without a roster): 21–31 December 2026 is nine working days,
    not the eleven calendar days it spans; the weekend of the 26th and 27th costs nothing."""
    balance(org.agent, entitled=15)
    with time_machine.travel(local(2026, 12, 1, 9), tick=False):
        case = ask(
            org.agent, kind="annual", start=local(2026, 12, 21, 9), end=local(2026, 12, 31, 18)
        )
    assert case["days"] == "9.0"
    assert balance(org.agent).pending == 9


def test_finding10_public_holidays_and_makeup_working_days_follow_the_calendar():
    """National Day 2026: 1–7 October are off, Saturday 10 October is a working day (调休)."""
    span = (local(2026, 10, 5, 9), local(2026, 10, 10, 18))
    assert leave_days(*span, working_days_only=True) == 3  # the 8th, 9th and 10th
    assert leave_days(*span) == 6  # other kinds keep counting the days they touch


def test_finding10_a_calendar_override_changes_what_annual_leave_costs(db):
    from policy.models import CalendarOverride

    CalendarOverride.objects.create(date=dt.date(2026, 12, 28), is_working_day=False)
    assert leave_days(local(2026, 12, 28, 9), local(2026, 12, 29, 18), working_days_only=True) == 1


def test_finding10_annual_leave_over_a_weekend_only_charges_nothing():
    assert leave_days(local(2026, 12, 26, 9), local(2026, 12, 27, 18), working_days_only=True) == 0
