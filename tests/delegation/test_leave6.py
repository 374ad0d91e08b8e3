"""LEAVE-6: while a reviewer is on approved leave, their review tasks go to the delegate named on
the leave, the delegate decides "for" them (the history says so), and the tasks still open go back
when the leave ends. Personal steps never move; nobody is handed their own case."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.leave.models import Leave, LeaveKind, LeaveState
from approvals.promotion import services
from approvals.promotion.models import Promotion
from audit.models import AuditEvent
from notifications.scheduler import sweep
from tests.events import dispatched
from tests.orgdata import employee
from tests.penalty.helpers import act, client_for, local, serve
from workflows.engine import start_flow
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db

MONDAY = local(2026, 3, 2, 9, 0)  # the lead's leave: Monday 9:00 to Friday 18:00
FRIDAY = local(2026, 3, 6, 18, 0)


def leave_of(person, delegate, *, state=LeaveState.APPROVED, start=MONDAY, end=FRIDAY):
    return Leave.objects.create(
        employee=person,
        department=person.department,
        kind=LeaveKind.ANNUAL,
        start=start,
        end=end,
        reason="年假",
        delegate=delegate,
        state=state,
        policy_version="test",
        submitted_at=start - dt.timedelta(days=7),
        submitted_by=person,
    )


def submit(applicant) -> Promotion:
    promotion = services.promotion_submit(
        actor=applicant.user, target_level="intermediate", statement="s", skip_level_reason="例外"
    )
    start_flow(flow_class=PromotionFlow, case=promotion)
    return promotion


def nominate_task(promotion):
    return Task.objects.get(
        process__artifact_object_id=promotion.pk,
        flow_task=PromotionFlow.instance.node("nominate"),
    )


def promotion_action(person, promotion, action, expect=200, body=None):
    response = client_for(person).post(
        f"/api/v1/promotions/{promotion.pk}/{action}/", body or {}, format="json"
    )
    assert response.status_code == expect, response.json()
    return response.json()


@pytest.fixture
def deputy(org):
    """The senior agent who stands in for the lead."""
    return employee("deputy", department=org.cs, level="senior", name="代理人")


def test_leave6_new_task_goes_to_the_delegate_who_decides_for_the_lead(org, deputy):
    leave_of(org.lead, deputy)
    at = MONDAY + dt.timedelta(hours=1)
    with time_machine.travel(at, tick=False), dispatched():
        promotion = submit(org.agent)
    with time_machine.travel(at, tick=False):
        task = nominate_task(promotion)
        assert task.owner_id == deputy.user_id
        assert task.data["acting_for"] == org.lead.user_id
        [row] = client_for(deputy).get("/api/v1/inbox/").json()
        assert row["acting_for"] == org.lead.name
        assert client_for(org.lead).get("/api/v1/inbox/").json() == []

        case = promotion_action(deputy, promotion, "nominate", body={"comment": "代为推荐"})
    assert case["state"] == "nominated"
    event = AuditEvent.objects.get(case_type="promotion", case_id=promotion.pk, action="nominate")
    assert (event.actor_id, event.on_behalf_of_id) == (deputy.user_id, org.lead.user_id)
    [step] = [e for e in case["timeline"] if e["action"] == "nominate"]
    assert (step["actor"], step["on_behalf_of"]) == (deputy.name, org.lead.name)


def test_leave6_the_case_page_says_decided_by_x_for_y(org, deputy, client):
    leave_of(org.lead, deputy)
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        promotion = submit(org.agent)
        promotion_action(deputy, promotion, "nominate")
        client.force_login(org.gm.user)
        page = client.get(f"/promotions/{promotion.pk}/").content.decode()
    assert f"{deputy.name}（代 {org.lead.name}）" in page  # the GM reads zh-hans


def test_leave6_open_task_moves_at_leave_start_and_returns_when_it_ends(org, deputy):
    with time_machine.travel(MONDAY - dt.timedelta(days=1), tick=False):
        promotion = submit(org.agent)
    leave_of(org.lead, deputy)
    assert nominate_task(promotion).owner_id == org.lead.user_id

    with time_machine.travel(MONDAY - dt.timedelta(seconds=1), tick=False):
        sweep()
    assert nominate_task(promotion).owner_id == org.lead.user_id  # not yet

    mail.outbox.clear()
    with time_machine.travel(MONDAY, tick=False), dispatched():
        report = sweep()
    assert report.steps["delegation"] == 1
    assert nominate_task(promotion).owner_id == deputy.user_id
    with time_machine.travel(MONDAY, tick=False):
        sweep()  # delivers the "task assigned" notice
    assert [m.to for m in mail.outbox] == [[deputy.user.email]]

    with time_machine.travel(FRIDAY, tick=False):
        assert sweep().steps["delegation"] == 1
    task = nominate_task(promotion)
    assert task.owner_id == org.lead.user_id and "acting_for" not in task.data
    with time_machine.travel(FRIDAY, tick=False):
        body = promotion_action(deputy, promotion, "nominate", expect=404)
    assert body["code"] == "not_found"


def test_leave6_delegate_refused_once_the_leave_has_ended(org, deputy):
    leave_of(org.lead, deputy)
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        promotion = submit(org.agent)
    with time_machine.travel(FRIDAY, tick=False):
        client_for(org.gm).get("/")  # the GM office still sees it; the deputy no longer does
        response = client_for(deputy).post(
            f"/api/v1/promotions/{promotion.pk}/nominate/", {}, format="json"
        )
    assert response.status_code == 404
    assert Promotion.objects.get(pk=promotion.pk).state == "submitted"


@pytest.mark.parametrize("state", [LeaveState.PENDING, LeaveState.REJECTED, LeaveState.CANCELLED])
def test_leave6_only_an_approved_leave_delegates(org, deputy, state):
    leave_of(org.lead, deputy, state=state)
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        promotion = submit(org.agent)
        assert nominate_task(promotion).owner_id == org.lead.user_id
        response = client_for(deputy).post(
            f"/api/v1/promotions/{promotion.pk}/nominate/", {}, format="json"
        )
    assert response.status_code == 404  # the deputy does not even see the case
    assert Promotion.objects.get(pk=promotion.pk).state == "submitted"


def test_leave6_someone_other_than_the_delegate_is_refused(org, deputy):
    """The GM office sees the case but does not stand in for the lead (a colleague gets 404)."""
    leave_of(org.lead, deputy)
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        promotion = submit(org.agent)
        promotion_action(org.colleague, promotion, "nominate", expect=404)
        body = promotion_action(org.gm, promotion, "nominate", expect=403)
    assert (body["code"], body["rule"]) == ("wrong_role", "PROMO-3")
    assert Promotion.objects.get(pk=promotion.pk).state == "submitted"


def test_leave6_the_delegate_is_never_handed_their_own_case(org):
    """The agent stands in for the lead but applies themselves: their application waits for the
    lead (and the GM office's escalation), and the agent cannot nominate it."""
    leave_of(org.lead, org.agent)
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        promotion = submit(org.agent)
        assert nominate_task(promotion).owner_id == org.lead.user_id
        body = promotion_action(org.agent, promotion, "nominate", expect=403)
    assert body["code"] == "own_request"


def test_leave6_the_delegate_sees_the_lead_cases_only_while_the_leave_runs(org, deputy):
    with time_machine.travel(MONDAY - dt.timedelta(days=1), tick=False):
        promotion = submit(org.agent)
    leave_of(org.lead, deputy)
    url = f"/api/v1/promotions/{promotion.pk}/"
    with time_machine.travel(MONDAY - dt.timedelta(seconds=1), tick=False):
        assert client_for(deputy).get(url).status_code == 404
    with time_machine.travel(MONDAY, tick=False):
        case = client_for(deputy).get(url).json()
        assert "nominate" in case["available_actions"]
    with time_machine.travel(FRIDAY, tick=False):
        assert client_for(deputy).get(url).status_code == 404


def test_leave6_personal_steps_never_move(org, deputy):
    """The agent is on leave with a delegate: the slip's signing and objection stay theirs."""
    leave_of(org.agent, deputy)
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        penalty = serve(org.lead, org.agent)
        sweep()
    owners = set(
        Task.objects.filter(
            process__artifact_object_id=penalty["id"],
            status__in=[STATUS.NEW, STATUS.ASSIGNED],
        ).values_list("owner_id", flat=True)
    )
    assert owners == {org.agent.user_id}


def test_leave6_objection_answered_by_the_delegate_for_the_responder(org, deputy):
    """APPEAL-2's responder is the department lead when the lead did not issue the slip: here the
    post changed hands after the slip was served. The new lead is on leave: the deputy answers
    for them."""
    with time_machine.travel(MONDAY - dt.timedelta(days=1), tick=False):
        penalty = serve(org.lead, org.agent)
    new_lead = employee("newlead", department=org.cs, level="reserve_supervisor", name="新主管")
    org.cs.lead = new_lead
    org.cs.save()
    leave_of(new_lead, deputy)
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        act(org.agent, penalty["id"], "object", {"reason": "当天系统故障"})
        respond = Task.objects.get(
            process__artifact_object_id=penalty["id"],
            flow_task_type="HUMAN",
            status=STATUS.ASSIGNED,
            owner=deputy.user,
        )
        assert respond.data["acting_for"] == new_lead.user_id
        refused = act(
            org.colleague,
            penalty["id"],
            "respond",
            {"decision": "uphold", "reason": "x"},
            expect=404,
        )
        assert refused["code"] == "not_found"
        case = act(deputy, penalty["id"], "respond", {"decision": "uphold", "reason": "事实清楚"})
    [step] = [e for e in case["timeline"] if e["action"] == "respond"]
    assert (step["actor"], step["on_behalf_of"]) == (deputy.name, new_lead.name)


def test_leave6_reminders_of_a_moved_task_go_to_the_delegate(org, deputy):
    """DEADLINE-2 with LEAVE-6: the reminder planned for the lead reaches whoever holds the task
    when it is due; the GM office's escalation is unchanged."""
    from notifications.models import Reminder

    day_before = MONDAY - dt.timedelta(days=1)
    with (
        time_machine.travel(day_before, tick=False),
        dispatched(),
    ):
        promotion = submit(org.agent)
    leave_of(org.lead, deputy, end=local(2026, 3, 20, 18, 0))
    before = Reminder.objects.get(recipient=org.lead.user, kind=Reminder.Kind.BEFORE)
    with time_machine.travel(MONDAY, tick=False), dispatched():
        sweep()
    assert nominate_task(promotion).owner_id == deputy.user_id
    with time_machine.travel(MONDAY, tick=False):
        sweep()
    mail.outbox.clear()
    with time_machine.travel(before.send_at, tick=False):
        sweep()
    assert [m.to for m in mail.outbox] == [[deputy.user.email]]
