"""API shape of `probations` (API.md) and who sees and does what: an employee only their own
case, 404 for cases not visible, 403 for visible ones outside one's role; LEAVE-6 for the lead's
assessment (PROB-2)."""

import datetime as dt

import pytest
import time_machine
from viewflow.workflow.models import Task

from approvals.leave.models import Leave, LeaveKind, LeaveState
from audit.models import AuditEvent
from tests.orgdata import employee
from workflows.probation import ProbationFlow

from .helpers import act, client_for, inbox, local, read

pytestmark = pytest.mark.django_db

COMMON = {"id", "state", "employee", "available_actions", "deadlines", "timeline"}


def test_api_shape(org, case, trainee):
    body = read(org.lead, case.pk)
    assert set(body) >= COMMON
    assert body["employee"] == trainee.pk
    assert body["state"] == "in_probation"
    assert body["ends_on"] == "2026-04-10" and body["hired_on"] == "2026-01-10"
    assert body["available_actions"] == ["assess", "extend"]
    [deadline] = body["deadlines"]
    assert deadline["name"] == "assessment" and deadline["met_at"] is None
    assert dt.datetime.fromisoformat(deadline["due_at"]) == local(2026, 4, 10)
    [event] = body["timeline"]
    assert {"at", "actor", "action", "from_state", "to_state", "comment"} <= set(event)
    assert (event["action"], event["to_state"]) == ("start-probation", "in_probation")


def test_available_actions_per_role(org, case, trainee, trainer):
    assert read(trainer, case.pk)["available_actions"] == ["record-exam"]
    assert read(trainee, case.pk)["available_actions"] == []
    assert read(org.gm, case.pk)["available_actions"] == []
    assert read(org.admin, case.pk)["available_actions"] == []


def test_employee_sees_only_own_case(org, case, trainee):
    other = employee("newbie2", department=org.cs, level="probationer")
    from workflows.probation import probation_start

    theirs = probation_start(employee=other)
    response = client_for(trainee).get("/api/v1/probations/")
    assert [c["id"] for c in response.json()] == [case.pk]
    read(trainee, theirs.pk, expect=404)
    read(org.colleague, case.pk, expect=404)
    read(org.other_dept_agent, case.pk, expect=404)


def test_lead_and_oversight_see_the_department_cases(org, case):
    for person in (org.lead, org.gm, org.admin):
        response = client_for(person).get("/api/v1/probations/")
        assert [c["id"] for c in response.json()] == [case.pk]


def test_actions_on_invisible_case_are_404(org, case):
    for action, body in [
        ("record-exam", {"passed": True}),
        ("assess", {"outcome": "convert"}),
        ("approve", {}),
    ]:
        response = act(org.other_dept_agent, case.pk, action, body, expect=404)
        assert response["code"] == "not_found"


def test_unknown_case_is_404(org, case):
    read(org.gm, case.pk + 100, expect=404)


def test_unauthenticated_is_401(case):
    from rest_framework.test import APIClient

    assert APIClient().get(f"/api/v1/probations/{case.pk}/").status_code in (401, 403)


def test_inbox_lists_the_lead_and_trainer_tasks(org, case, trainer):
    [row] = [r for r in inbox(org.lead) if r["resource"] == "probations"]
    assert row["case_id"] == case.pk and row["action"] == "assess"
    assert dt.datetime.fromisoformat(row["due_at"]) == local(2026, 4, 10)
    [row] = [r for r in inbox(trainer) if r["resource"] == "probations"]
    assert row["actions"] == ["record-exam"]


def test_leave6_delegate_assesses_for_the_lead(org, case, trainer):
    deputy = employee("deputy", department=org.cs, level="senior", name="代理人")
    start, end = local(2026, 3, 30, 9, 0), local(2026, 4, 3, 18, 0)
    Leave.objects.create(
        employee=org.lead,
        department=org.cs,
        kind=LeaveKind.ANNUAL,
        start=start,
        end=end,
        reason="年假",
        delegate=deputy,
        state=LeaveState.APPROVED,
        policy_version="test",
        submitted_at=start - dt.timedelta(days=7),
        submitted_by=org.lead,
    )
    with time_machine.travel(local(2026, 4, 1, 10, 0), tick=False):
        from notifications.scheduler import sweep

        sweep()  # moves the lead's open assessment to the delegate
        task = Task.objects.get(
            process__artifact_object_id=case.pk, flow_task=ProbationFlow.instance.node("assess")
        )
        assert task.owner == deputy.user
        act(trainer, case.pk, "record-exam", {"passed": True})
        assert read(deputy, case.pk)["available_actions"] == ["assess", "extend"]
        act(deputy, case.pk, "assess", {"outcome": "convert"})
    event = AuditEvent.objects.get(case_type="probation", case_id=case.pk, action="assess")
    assert event.actor == deputy.user and event.on_behalf_of == org.lead.user
    assert case.__class__.objects.get(pk=case.pk).assessed_by == org.lead


def test_leave6_delegate_cannot_act_after_the_leave(org, case):
    deputy = employee("deputy", department=org.cs, level="senior")
    with time_machine.travel(local(2026, 4, 1, 10, 0), tick=False):
        act(deputy, case.pk, "assess", {"outcome": "end", "reason": "x"}, expect=404)
