"""Issue 11, finding 10 (LEAVE-1, LEAVE-5): a request whose only possible decider is its own
requester goes to the fallback role the policy names (`routing.self_decision_fallback`,
default administration); the requester never decides it."""

import pytest
import time_machine
from viewflow.workflow.models import Task

from notifications.scheduler import sweep
from tests.orgdata import employee
from workflows.leave import LeaveFlow

from .helpers import act, ask, local

pytestmark = pytest.mark.django_db


def _queue(node="decide"):
    return Task.objects.get(flow_task=LeaveFlow.instance.node(node)).owner_permission


def test_finding10_a_sole_gm_office_members_leave_is_queued_to_administration(org, week_before):
    case = ask(org.gm)  # org.gm is the only GM-office member
    assert _queue() == "org.administration"
    assert act(org.admin, case["id"], "approve")["state"] == "approved"


def test_finding10_the_sole_gm_office_member_cannot_decide_their_own_leave(org, week_before):
    case = ask(org.gm)
    refused = act(org.gm, case["id"], "approve", expect=403)
    assert (refused["code"], refused["rule"]) == ("own_request", "LEAVE-1")


def test_finding10_with_two_gm_office_members_the_other_one_decides(org, week_before):
    gm2 = employee("gm2", department=org.gm.department, level=None, roles=["gm_office"])
    case = ask(org.gm)
    assert _queue() == "org.gm_office"
    assert act(org.admin, case["id"], "approve", expect=403)["code"] == "wrong_role"
    refused = act(org.gm, case["id"], "approve", expect=403)
    assert (refused["code"], refused["rule"]) == ("own_request", "LEAVE-1")
    assert act(gm2, case["id"], "approve")["state"] == "approved"


def test_finding10_a_lead_whose_leave_goes_to_the_gm_office_is_unaffected(org, week_before):
    case = ask(org.lead)
    assert _queue() == "org.gm_office"
    assert act(org.admin, case["id"], "approve", expect=403)["code"] == "wrong_role"
    assert act(org.gm, case["id"], "approve")["state"] == "approved"


def test_finding10_leave5_an_overdue_sole_gm_office_leave_stays_with_administration(
    org, week_before
):
    case = ask(org.gm)
    with time_machine.travel(local(2026, 3, 9, 9, 1), tick=False):
        sweep()
    assert _queue("decide_gm") == "org.administration"
    assert act(org.admin, case["id"], "approve")["state"] == "approved"


def test_finding10_the_fallback_role_is_read_from_the_cases_policy(org, week_before):
    """The pack names the fallback; a pack naming the GM office itself cannot leave the sole
    member's own leave with them: it goes to the other oversight role, administration."""
    from policy.models import PolicyVersion
    from tests.packs import store_pack

    version = PolicyVersion.objects.get()
    version.data = {**version.data, "routing": {"self_decision_fallback": "gm_office"}}
    store_pack(version)
    ask(org.gm)
    assert _queue() == "org.administration"
