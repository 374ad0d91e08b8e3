"""SWAP-1 through the API: the colleague consents first (their inbox task), then the department
lead approves (the GM office when the requester or the colleague is the lead); refusals,
rejections with a reason, cancellation until approval, and state conflicts naming the state."""

import pytest
import time_machine

from approvals.attendance.models import ShiftSwap
from tests.attendance.helpers import SWAPS, act, local, read, request_swap, tasks
from tests.orgdata import employee

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("monday")]

MONDAY = local(2026, 3, 2, 10, 0)


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


def test_swap1_colleague_consents_then_lead_approves(org):
    case = request_swap(org.agent, org.colleague)
    assert case["state"] == "awaiting_consent"
    assert [t["action"] for t in tasks(org.colleague, SWAPS)] == ["consent"]
    assert tasks(org.lead, SWAPS) == []  # the lead waits for the colleague's consent
    case = act(SWAPS, org.colleague, case["id"], "consent", {"comment": "好的"})
    assert case["state"] == "awaiting_approval"
    assert tasks(org.colleague, SWAPS) == []
    assert [t["case_id"] for t in tasks(org.lead, SWAPS)] == [case["id"]]
    case = act(SWAPS, org.lead, case["id"], "approve", {"comment": "同意"})
    assert case["state"] == "approved"
    assert [e["action"] for e in case["timeline"]] == ["submit", "consent", "approve"]
    assert tasks(org.lead, SWAPS) == []


def test_swap1_the_colleague_may_refuse_and_that_ends_it(org):
    case = request_swap(org.agent, org.colleague)
    case = act(SWAPS, org.colleague, case["id"], "refuse", {"reason": "那天我有课"})
    assert case["state"] == "refused"
    assert tasks(org.lead, SWAPS) == [] and tasks(org.colleague, SWAPS) == []
    assert case["decision_reason"] == "那天我有课"


def test_swap1_lead_rejects_with_a_reason_only(org):
    case = request_swap(org.agent, org.colleague)
    act(SWAPS, org.colleague, case["id"], "consent")
    error = act(SWAPS, org.lead, case["id"], "reject", {"reason": "  "}, expect=400)
    assert error["code"] == "reason_required" and error["rule"] == "SWAP-1"
    assert read(SWAPS, org.lead, case["id"])["state"] == "awaiting_approval"
    case = act(SWAPS, org.lead, case["id"], "reject", {"reason": "人手不足"})
    assert case["state"] == "rejected"


def test_swap1_a_leads_own_swap_goes_to_the_gm_office(org):
    deputy = employee("deputy", department=org.cs, level="senior")
    case = request_swap(org.lead, deputy)
    act(SWAPS, deputy, case["id"], "consent")
    assert tasks(org.lead, SWAPS) == []
    assert [t["case_id"] for t in tasks(org.gm, SWAPS)] == [case["id"]]
    error = act(SWAPS, org.lead, case["id"], "approve", expect=403)
    assert error["code"] == "own_request"
    assert act(SWAPS, org.gm, case["id"], "approve")["state"] == "approved"


def test_swap1_a_swap_naming_the_lead_as_colleague_goes_to_the_gm_office(org):
    case = request_swap(org.agent, org.lead)
    act(SWAPS, org.lead, case["id"], "consent")
    error = act(SWAPS, org.lead, case["id"], "approve", expect=403)
    assert error["code"] == "colleague_approves"
    assert act(SWAPS, org.gm, case["id"], "approve")["state"] == "approved"


def test_swap1_nobody_consents_to_their_own_and_only_the_colleague_consents(org):
    case = request_swap(org.agent, org.colleague)
    assert act(SWAPS, org.agent, case["id"], "consent", expect=403)["code"] == "own_request"
    error = act(SWAPS, org.lead, case["id"], "consent", expect=403)
    assert error["code"] == "not_the_colleague" and error["rule"] == "SWAP-1"
    # The lead cannot approve before the colleague consented: the state says why.
    error = act(SWAPS, org.lead, case["id"], "approve", expect=409)
    assert error["code"] == "state_conflict"
    assert (
        "Awaiting the colleague's consent"
        in act(SWAPS, org.lead, case["id"], "approve", expect=409, language="en")["detail"]
    )


def test_swap1_the_colleague_cannot_approve(org):
    case = request_swap(org.agent, org.colleague)
    act(SWAPS, org.colleague, case["id"], "consent")
    error = act(SWAPS, org.colleague, case["id"], "approve", expect=403)
    assert error["code"] == "colleague_approves" and error["rule"] == "SWAP-1"
    assert act(SWAPS, org.agent, case["id"], "approve", expect=403)["code"] == "own_request"
    trainer = org.panel[2]  # same department, neither party nor lead: cannot even see it
    assert act(SWAPS, trainer, case["id"], "approve", expect=404)["code"] == "not_found"


def test_swap1_the_requester_cancels_until_approval(org):
    first = request_swap(org.agent, org.colleague)
    assert read(SWAPS, org.agent, first["id"])["available_actions"] == ["cancel"]
    assert act(SWAPS, org.agent, first["id"], "cancel")["state"] == "cancelled"
    assert tasks(org.colleague, SWAPS) == []
    second = request_swap(org.agent, org.colleague)
    act(SWAPS, org.colleague, second["id"], "consent")
    assert act(SWAPS, org.colleague, second["id"], "cancel", expect=403)["code"] == "not_applicant"
    assert act(SWAPS, org.agent, second["id"], "cancel")["state"] == "cancelled"
    assert tasks(org.lead, SWAPS) == []
    third = request_swap(org.agent, org.colleague)
    act(SWAPS, org.colleague, third["id"], "consent")
    act(SWAPS, org.lead, third["id"], "approve")
    error = act(SWAPS, org.agent, third["id"], "cancel", expect=409, language="en")
    assert error["code"] == "state_conflict" and "“Approved”" in error["detail"]
    assert ShiftSwap.objects.get(pk=third["id"]).state == "approved"


def test_swap1_acting_twice_is_a_conflict(org):
    case = request_swap(org.agent, org.colleague)
    act(SWAPS, org.colleague, case["id"], "consent")
    error = act(SWAPS, org.colleague, case["id"], "refuse", expect=409, language="en")
    assert error["code"] == "state_conflict" and "Awaiting approval" in error["detail"]
