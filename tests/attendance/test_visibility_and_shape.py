"""Security rules for SWAP-1 and PUNCH-1: an employee sees only their own requests (and a
colleague the swaps naming them), a lead their department's, the GM office and administration
all; another employee's case answers 404, never 403. The API shape of API.md."""

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.attendance.helpers import (
    PUNCHES,
    SWAPS,
    act,
    client_for,
    create,
    listed,
    local,
    read,
    request_punch,
    request_swap,
    swap_body,
)
from tests.orgdata import employee

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("monday")]


@pytest.fixture
def monday():
    with time_machine.travel(local(2026, 3, 2, 20, 0), tick=False):
        yield


def test_swap1_visibility_requester_colleague_lead_only(org):
    mine = request_swap(org.agent, org.colleague)["id"]
    trainer = org.panel[2]
    other = request_swap(trainer, org.lead)["id"]
    assert listed(SWAPS, org.agent) == [mine]
    assert listed(SWAPS, org.colleague) == [mine]  # the swap names them
    assert sorted(listed(SWAPS, org.lead)) == [mine, other]
    assert sorted(listed(SWAPS, org.gm)) == [mine, other]
    assert sorted(listed(SWAPS, org.admin)) == [mine, other]
    assert listed(SWAPS, org.other_dept_agent) == []
    read(SWAPS, org.agent, other, expect=404)
    read(SWAPS, org.other_dept_agent, mine, expect=404)
    error = act(SWAPS, org.other_dept_agent, mine, "consent", expect=404)
    assert error == {"code": "not_found", "detail": error["detail"], "rule": None}


def test_punch1_visibility_own_and_the_lead_only(org):
    mine = request_punch(org.agent, "2026-03-02T18:00:00+08:00")["id"]
    theirs = request_punch(org.colleague, "2026-03-02T18:00:00+08:00")["id"]
    assert listed(PUNCHES, org.agent) == [mine]
    read(PUNCHES, org.agent, theirs, expect=404)
    assert act(PUNCHES, org.colleague, mine, "approve", expect=404)["code"] == "not_found"
    assert sorted(listed(PUNCHES, org.lead)) == [mine, theirs]
    ops_lead = employee("ops_lead", department=org.other_dept_agent.department)
    org.other_dept_agent.department.lead = ops_lead
    org.other_dept_agent.department.save()
    assert listed(PUNCHES, ops_lead) == []
    read(PUNCHES, ops_lead, mine, expect=404)


def test_unauthenticated_requests_are_refused(org):
    for resource in (SWAPS, PUNCHES):
        assert APIClient().get(f"/api/v1/{resource}/").status_code == 401
        assert APIClient().post(f"/api/v1/{resource}/", {}, format="json").status_code == 401


def test_swap1_api_shape(org):
    case = request_swap(org.agent, org.colleague)
    for key in ("id", "state", "employee", "available_actions", "deadlines", "timeline"):
        assert key in case
    assert case["employee"] == org.agent.pk
    assert case["colleague"] == org.colleague.pk
    assert case["shift_start"] == "2026-03-05T09:00:00+08:00"
    assert case["colleague_shift_end"] == "2026-03-06T18:00:00+08:00"
    assert case["available_actions"] == ["cancel"]
    assert read(SWAPS, org.colleague, case["id"])["available_actions"] == ["consent", "refuse"]
    assert read(SWAPS, org.lead, case["id"])["available_actions"] == []
    [event] = case["timeline"]
    assert set(event) >= {"at", "actor", "action", "from_state", "to_state", "comment"}
    assert (event["action"], event["to_state"], event["actor"]) == (
        "submit",
        "awaiting_consent",
        "agent",
    )


def test_swap1_400_error_body_names_the_rule_and_saves_nothing(org):
    from approvals.attendance.models import ShiftSwap

    error = request_swap(org.agent, org.agent, expect=400)
    assert set(error) == {"code", "detail", "rule", "field"}
    assert (error["code"], error["rule"], error["field"]) == (
        "colleague_is_self",
        "SWAP-1",
        "colleague",
    )
    assert "(SWAP-1)" in error["detail"]
    error = request_swap(org.agent, org.other_dept_agent, expect=400, language="en")
    assert error["code"] == "colleague_other_department"
    assert "客服部" in error["detail"]
    error = request_swap(
        org.agent, org.colleague, expect=400, shift_start="2026-03-02T19:00:00+08:00"
    )
    assert error["code"] == "shift_in_past" and error["field"] == "shift_start"
    error = request_swap(
        org.agent, org.colleague, expect=400, shift_end="2026-03-05T08:00:00+08:00"
    )
    assert error["code"] == "end_before_start" and error["field"] == "shift_end"
    error = create(SWAPS, org.agent, {**swap_body(org.colleague), "colleague": None}, expect=400)
    assert error["code"] == "colleague_required"
    assert not ShiftSwap.objects.exists()


def test_punch1_api_shape_and_error_language(org):
    case = request_punch(org.agent, "2026-03-02T18:00:00+08:00")
    assert case["missed_at"] == "2026-03-02T18:00:00+08:00" and case["reason"] == "忘记打卡"
    assert case["available_actions"] == [] and case["deadlines"] == []
    assert read(PUNCHES, org.lead, case["id"])["available_actions"] == ["approve", "reject"]
    error = request_punch(org.agent, "2026-03-02T18:00:00+08:00", reason="", expect=400)
    assert error["rule"] == "PUNCH-1"
    assert error["detail"] == "必须填写理由。 (PUNCH-1)"  # the default language: zh-hans
    response = client_for(org.agent).post(
        f"/api/v1/{PUNCHES}/", ["not", "an", "object"], format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_schema_lists_the_attendance_resources(org):
    response = client_for(org.gm).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for action in ("consent", "refuse", "approve", "reject", "cancel"):
        assert f"/api/v1/shift-swaps/{{id}}/{action}/" in paths
    assert "/api/v1/punch-corrections/{id}/approve/" in paths
