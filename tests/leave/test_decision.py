"""LEAVE-1, LEAVE-4, LEAVE-5: deciding, cancelling, the balance, and the deadline at the start."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.leave.models import Leave
from audit.models import AuditEvent
from notifications.scheduler import sweep
from tests.events import dispatched
from workflows.leave import LeaveFlow

from .helpers import MON_9, MON_18, WEEK_BEFORE, act, ask, balance, client_for, local, read

pytestmark = pytest.mark.django_db


def annual(person, days=2):
    return ask(person, kind="annual", start=MON_9, end=MON_18 + dt.timedelta(days=days - 1))


def test_leave1_the_lead_approves_and_the_balance_moves_from_pending_to_taken(org, week_before):
    balance(org.agent, entitled=5)
    case = annual(org.agent)
    assert (balance(org.agent).pending, balance(org.agent).taken) == (2, 0)
    decided = act(org.lead, case["id"], "approve", {"comment": "好的"})
    assert decided["state"] == "approved"
    assert decided["available_actions"] == []
    assert (balance(org.agent).pending, balance(org.agent).taken) == (0, 2)
    assert [d["met_at"] is not None for d in decided["deadlines"]] == [True]
    assert decided["timeline"][-1]["action"] == "approve"


def test_leave1_a_rejection_needs_a_reason_and_gives_the_days_back(org, week_before):
    balance(org.agent, entitled=5)
    case = annual(org.agent)
    error = act(org.lead, case["id"], "reject", {"reason": " "}, expect=400)
    assert error["code"] == "reason_required"
    assert Leave.objects.get().state == "pending"
    decided = act(org.lead, case["id"], "reject", {"reason": "旺季"})
    assert decided["state"] == "rejected"
    assert decided["decision_reason"] == "旺季"
    assert (balance(org.agent).pending, balance(org.agent).taken) == (0, 0)


def test_leave1_cancelling_a_pending_request_gives_the_days_back_and_ends_the_task(
    org, week_before
):
    balance(org.agent, entitled=5)
    case = annual(org.agent)
    assert act(org.agent, case["id"], "cancel")["state"] == "cancelled"
    assert balance(org.agent).pending == 0
    task = Task.objects.get(flow_task=LeaveFlow.instance.node("decide"))
    assert task.status == STATUS.CANCELED
    assert client_for(org.lead).get("/api/v1/inbox/").json() == []


def test_leave1_cancelling_an_approved_leave_before_it_starts_returns_the_taken_days(
    org, week_before
):
    balance(org.agent, entitled=5)
    case = annual(org.agent)
    act(org.lead, case["id"], "approve")
    act(org.agent, case["id"], "cancel")
    assert (balance(org.agent).pending, balance(org.agent).taken) == (0, 0)


def test_leave1_an_approved_leave_that_has_started_cannot_be_cancelled(org, week_before):
    case = ask(org.agent)
    act(org.lead, case["id"], "approve")
    with time_machine.travel(MON_9, tick=False):
        error = act(org.agent, case["id"], "cancel", expect=400, language="en")
    assert error["code"] == "leave_started"
    assert "2026-03-09 09:00" in error["detail"]
    assert Leave.objects.get().state == "approved"


def test_leave1_a_decided_request_cannot_be_decided_again(org, week_before):
    case = ask(org.agent)
    act(org.lead, case["id"], "approve")
    error = act(org.lead, case["id"], "reject", {"reason": "x"}, expect=409)
    assert error["code"] == "state_conflict"
    assert Leave.objects.get().state == "approved"


def test_leave1_only_the_own_lead_decides(org, week_before):
    case = ask(org.agent)
    for person in (org.gm, org.admin):  # they see every case, but the lead decides
        error = act(person, case["id"], "approve", expect=403)
        assert error["code"] == "not_department_lead"
    for person in (org.colleague, org.panel[2], org.other_dept_agent):  # cannot even see it
        assert act(person, case["id"], "approve", expect=404)["code"] == "not_found"
    assert Leave.objects.get().state == "pending"


def test_leave1_only_the_employee_cancels(org, week_before):
    case = ask(org.agent)
    assert act(org.lead, case["id"], "cancel", expect=403)["code"] == "not_applicant"
    assert Leave.objects.get().state == "pending"


def test_leave1_a_leads_own_leave_goes_to_the_gm_office_and_not_to_the_lead(org, week_before):
    case = ask(org.lead)
    assert act(org.lead, case["id"], "approve", expect=403)["code"] == "own_request"
    queue = Task.objects.get(flow_task=LeaveFlow.instance.node("decide"))
    assert queue.owner_id is None and queue.owner_permission == "org.gm_office"
    assert read(org.gm, case["id"])["available_actions"] == ["approve", "reject"]
    assert act(org.gm, case["id"], "approve")["state"] == "approved"


def test_a_gm_office_member_does_not_decide_their_own_leave(org, week_before):
    from tests.orgdata import employee

    gm2 = employee("gm2", department=org.gm.department, level=None, roles=["gm_office"])
    case = ask(org.gm)
    assert act(org.gm, case["id"], "approve", expect=403)["code"] == "own_request"
    assert act(gm2, case["id"], "approve")["state"] == "approved"


def test_an_employee_sees_only_their_own_leave(org, week_before):
    case = ask(org.agent)
    ask(org.colleague)
    read(org.colleague, case["id"], expect=404)
    read(org.other_dept_agent, case["id"], expect=404)
    assert [c["id"] for c in client_for(org.agent).get("/api/v1/leaves/").json()] == [case["id"]]
    assert len(client_for(org.lead).get("/api/v1/leaves/").json()) == 2
    assert len(client_for(org.gm).get("/api/v1/leaves/").json()) == 2


def test_unauthenticated_is_401(org):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/leaves/").status_code in (401, 403)


def test_leave5_reminders_before_the_start_then_the_gm_office_decides(org, week_before):
    with dispatched():
        case = ask(org.agent)
    sweep()  # delivers the "new task" notice
    mail.outbox.clear()
    # 24 hours before the start: the lead is reminded
    with (
        time_machine.travel(MON_9 - dt.timedelta(hours=23), tick=False),
        dispatched(),
    ):
        sweep()
    assert [m.to for m in mail.outbox] == [[org.lead.user.email]]
    mail.outbox.clear()
    # the start passes undecided: the GM office queue gets it, the lead's task is gone
    with time_machine.travel(MON_9 + dt.timedelta(minutes=1), tick=False):
        with dispatched():
            sweep()
        sweep()  # delivers the GM office's "new task" notice
        assert org.lead.user.email not in {a for m in mail.outbox for a in m.to}
        leave = Leave.objects.get()
        assert leave.escalated_at is not None and leave.state == "pending"
        assert org.gm.user.email in {a for m in mail.outbox for a in m.to}
        refused = act(org.lead, case["id"], "approve", expect=409)
        assert (refused["code"], refused["rule"]) == ("state_conflict", "LEAVE-5")
        decided = act(org.gm, case["id"], "approve")
    assert decided["state"] == "approved"
    actions = [e["action"] for e in decided["timeline"]]
    assert actions == ["submit", "decision-overdue", "approve"]
    event = AuditEvent.objects.get(case_type="leave", action="approve")
    assert "LEAVE-5" in event.rules
    lead_task = Task.objects.get(flow_task=LeaveFlow.instance.node("decide"))
    assert lead_task.status == STATUS.CANCELED


def test_leave5_the_start_instant_still_belongs_to_the_lead(org, week_before):
    case = ask(org.agent)
    with time_machine.travel(MON_9, tick=False):
        sweep()
        assert Leave.objects.get().escalated_at is None
        assert act(org.lead, case["id"], "approve")["state"] == "approved"


def test_leave5_a_decided_request_is_not_escalated(org, week_before):
    case = ask(org.agent)
    act(org.lead, case["id"], "approve")
    with time_machine.travel(MON_9 + dt.timedelta(hours=1), tick=False):
        sweep()
    assert Leave.objects.get().escalated_at is None


def test_leave2_an_emergency_is_decided_after_its_start(org):
    with time_machine.travel(MON_9 + dt.timedelta(minutes=20), tick=False):
        case = ask(org.agent, kind="sick", emergency=True)
    with time_machine.travel(MON_18 + dt.timedelta(hours=3), tick=False):
        sweep()
        assert Leave.objects.get().escalated_at is None  # due the end of the next day
        decided = act(org.lead, case["id"], "approve")
    assert decided["state"] == "approved"
    assert "LEAVE-2" in AuditEvent.objects.get(case_type="leave", action="approve").rules


def test_leave1_the_balance_is_per_year(org):
    with time_machine.travel(WEEK_BEFORE, tick=False):
        balance(org.agent, year=2026, entitled=1)
        balance(org.agent, year=2027, entitled=5)
        start = MON_9.replace(year=2027, month=3, day=8)
        ask(org.agent, kind="annual", start=start, end=start + dt.timedelta(days=2, hours=9))
    assert balance(org.agent, year=2027).pending == 3
    assert balance(org.agent, year=2026).pending == 0


def test_leave5_an_emergency_left_undecided_past_the_next_day_goes_to_the_gm_office(org):
    with time_machine.travel(MON_9 + dt.timedelta(minutes=20), tick=False):
        case = ask(org.agent, kind="sick", emergency=True)
    with time_machine.travel(local(2026, 3, 10, 23, 59, 59), tick=False):
        sweep()
        assert Leave.objects.get().escalated_at is None  # the whole next day is the lead's
    with time_machine.travel(local(2026, 3, 11, 0, 0, 1), tick=False):
        sweep()
        assert Leave.objects.get().escalated_at is not None
        refused = act(org.lead, case["id"], "approve", expect=409)
        assert (refused["code"], refused["rule"]) == ("state_conflict", "LEAVE-5")
        assert act(org.gm, case["id"], "approve")["state"] == "approved"
