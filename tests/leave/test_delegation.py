"""LEAVE-6 through the leave process itself: the lead's approved leave (asked for and approved
here, naming a delegate) hands the leave decisions of the department to the delegate."""

import datetime as dt

import pytest
import time_machine
from viewflow.workflow.models import Task

from approvals.leave.models import Leave
from notifications.scheduler import sweep
from tests.orgdata import employee
from workflows.leave import LeaveFlow

from .helpers import MON_9, MON_18, act, ask, local, read

pytestmark = pytest.mark.django_db


@pytest.fixture
def deputy(org):
    return employee("deputy", department=org.cs, level="senior", name="代理人")


def test_leave6_the_delegate_decides_leave_for_the_lead_and_the_history_says_so(
    org, deputy, week_before
):
    away = ask(
        org.lead,
        kind="personal",
        start=MON_9,
        end=MON_18 + dt.timedelta(days=4),
        delegate=deputy.pk,
    )
    assert away["delegate"] == deputy.pk
    act(org.gm, away["id"], "approve")
    with time_machine.travel(MON_9 + dt.timedelta(hours=1), tick=False):
        case = ask(org.agent, start=local(2026, 3, 11, 9), end=local(2026, 3, 11, 18))
        task = Task.objects.get(
            process__artifact_object_id=case["id"], flow_task=LeaveFlow.instance.node("decide")
        )
        assert task.owner == deputy.user
        assert read(deputy, case["id"])["available_actions"] == ["approve", "reject"]
        assert act(org.colleague, case["id"], "approve", expect=404)["code"] == "not_found"
        decided = act(deputy, case["id"], "approve")
    assert decided["state"] == "approved"
    assert decided["timeline"][-1]["actor"] == "代理人"
    assert decided["timeline"][-1]["on_behalf_of"] == "lead"


def test_leave6_after_the_leave_the_lead_decides_again(org, deputy, week_before):
    away = ask(org.lead, start=MON_9, end=MON_18, delegate=deputy.pk)
    act(org.gm, away["id"], "approve")
    with time_machine.travel(MON_9 + dt.timedelta(hours=1), tick=False):
        case = ask(org.agent, start=local(2026, 3, 12, 9), end=local(2026, 3, 12, 18))
    with time_machine.travel(MON_18 + dt.timedelta(hours=1), tick=False):
        sweep()
        task = Task.objects.get(
            process__artifact_object_id=case["id"], flow_task=LeaveFlow.instance.node("decide")
        )
        assert task.owner == org.lead.user
        assert act(deputy, case["id"], "approve", expect=404)["code"] == "not_found"
        assert act(org.lead, case["id"], "approve")["state"] == "approved"


def test_leave6_a_delegate_is_never_handed_their_own_request(org, deputy, week_before):
    away = ask(org.lead, start=MON_9, end=MON_18 + dt.timedelta(days=4), delegate=deputy.pk)
    act(org.gm, away["id"], "approve")
    with time_machine.travel(MON_9 + dt.timedelta(hours=1), tick=False):
        own = ask(deputy, start=local(2026, 3, 11, 9), end=local(2026, 3, 11, 18))
        assert act(deputy, own["id"], "approve", expect=403)["code"] == "own_request"
    assert Leave.objects.get(pk=own["id"]).state == "pending"


def test_leave6_naming_yourself_as_delegate_is_refused(org, week_before):
    error = ask(org.lead, delegate=org.lead.pk, expect=400)
    assert error["code"] == "delegate_is_self"
    assert error["rule"] == "LEAVE-6"
    assert Leave.objects.count() == 0
