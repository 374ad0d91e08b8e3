"""The promotion process end to end through the REST API (API.md), PROMO-3 step by step."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient
from viewflow.workflow.timers import fire_due_timers

from approvals.promotion.models import Promotion
from org.models import LevelHistory
from tests.orgdata import build_org

pytestmark = pytest.mark.django_db


def client_for(employee) -> APIClient:
    client = APIClient()
    client.force_authenticate(employee.user)
    return client


def inbox(employee):
    response = client_for(employee).get("/api/v1/inbox/")
    assert response.status_code == 200
    return response.json()


def act(employee, case_id, action, body=None, expect=200):
    response = client_for(employee).post(
        f"/api/v1/promotions/{case_id}/{action}/", body or {}, format="json"
    )
    assert response.status_code == expect, response.json()
    return response.json()


def test_promotion_end_to_end_with_defence_and_confirmation():
    """PROMO-3.1..3.5 and ORG-3: apply, nominate, approve, defence by a panel of 3, confirm; the
    level and base salary change on the effective date and the level history shows it."""
    org = build_org()
    created = client_for(org.agent).post(
        "/api/v1/promotions/",
        {
            "target_level": "intermediate",
            "statement": "我希望承担更多责任",
            "skip_level_reason": None,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    case = created.json()
    assert case["state"] == "submitted"
    assert case["eligibility"]["eligible"] is True
    assert case["skip_level"] is False
    assert case["available_actions"] == ["withdraw"]
    assert [e["action"] for e in case["timeline"]] == ["submit"]

    [task] = inbox(org.lead)
    assert task["resource"] == "promotions" and task["case_id"] == case["id"]
    assert task["action"] == "nominate"
    case = act(org.lead, case["id"], "nominate", {"comment": "推荐"})
    assert case["state"] == "nominated"
    assert inbox(org.lead) == []

    [task] = inbox(org.gm)
    assert task["action"] == "gm_review"
    case = act(org.gm, case["id"], "approve", {"comment": "同意"})
    assert case["state"] == "approved"

    [task] = inbox(org.admin)
    assert task["action"] == "administer"
    at = (timezone.now() + dt.timedelta(days=2)).isoformat()
    case = act(
        org.admin, case["id"], "schedule-defence", {"at": at, "panel": [p.pk for p in org.panel]}
    )
    assert case["state"] == "defence_scheduled"
    assert case["defence"]["scores_count"] == 0

    # The panel scores once the defence has been held (issue 11, finding 10).
    with time_machine.travel(dt.datetime.fromisoformat(at) + dt.timedelta(hours=2), tick=False):
        for member, score in zip(org.panel, [72, 80, 75], strict=True):
            [task] = [t for t in inbox(member) if t["action"] == "score_defence"]
            case = act(member, case["id"], "score-defence", {"score": score, "notes": "ok"})
        assert case["state"] == "defence_passed"
        assert case["defence"]["mean"] == "75.67" and case["defence"]["passed"] is True

        [task] = inbox(org.admin)
        assert task["action"] == "confirm"
        effective = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
        case = act(org.admin, case["id"], "confirm", {"effective_date": effective})
        assert case["state"] == "confirmed"
    org.agent.refresh_from_db()
    assert org.agent.level == "junior"  # not before the effective date

    with time_machine.travel(dt.datetime.fromisoformat(effective + "T00:05:00+08:00")):
        assert fire_due_timers() == 1
    promotion = Promotion.objects.get(pk=case["id"])
    assert promotion.state == "effective"
    org.agent.refresh_from_db()
    assert org.agent.level == "intermediate"
    assert str(org.agent.base_salary) == "2400.00"
    change = LevelHistory.objects.get(employee=org.agent, to_level="intermediate")
    assert change.effective_on.isoformat() == effective and change.from_level == "junior"


def test_confirm_today_takes_effect_at_once_without_defence():
    """PROMO-3.4 (defence optional below reserve supervisor) and PROMO-3.5."""
    org = build_org()
    case_id = (
        client_for(org.agent)
        .post(
            "/api/v1/promotions/", {"target_level": "intermediate", "statement": "s"}, format="json"
        )
        .json()["id"]
    )
    act(org.lead, case_id, "nominate")
    act(org.gm, case_id, "approve")
    case = act(org.admin, case_id, "confirm", {"effective_date": timezone.localdate().isoformat()})
    assert case["state"] == "effective"
    org.agent.refresh_from_db()
    assert org.agent.level == "intermediate"


def test_case_representation_carries_contract_fields():
    """API.md: id, state, employee, available_actions, deadlines, timeline, promotion extras."""
    org = build_org()
    case = (
        client_for(org.agent)
        .post(
            "/api/v1/promotions/", {"target_level": "intermediate", "statement": "s"}, format="json"
        )
        .json()
    )
    for field in (
        "id",
        "state",
        "employee",
        "available_actions",
        "deadlines",
        "timeline",
        "target_level",
        "skip_level",
        "eligibility",
        "vote",
        "defence",
    ):
        assert field in case
    assert case["employee"] == org.agent.pk
    assert set(case["eligibility"]) >= {"eligible", "rule", "months", "reasons"}
    lead_view = client_for(org.lead).get(f"/api/v1/promotions/{case['id']}/").json()
    assert lead_view["available_actions"] == ["nominate", "decline", "open-vote"] or set(
        lead_view["available_actions"]
    ) == {"open-vote", "nominate", "decline"}


def test_employee_sees_only_own_cases_and_404_for_others():
    """Security: an employee sees only their own cases; another's case is a 404, not a 403."""
    org = build_org()
    case_id = (
        client_for(org.agent)
        .post(
            "/api/v1/promotions/", {"target_level": "intermediate", "statement": "s"}, format="json"
        )
        .json()["id"]
    )
    assert client_for(org.other_dept_agent).get(f"/api/v1/promotions/{case_id}/").status_code == 404
    assert client_for(org.other_dept_agent).get("/api/v1/promotions/").json() == []
    assert [c["id"] for c in client_for(org.agent).get("/api/v1/promotions/").json()] == [case_id]
    assert [c["id"] for c in client_for(org.lead).get("/api/v1/promotions/").json()] == [case_id]
    response = client_for(org.other_dept_agent).post(
        f"/api/v1/promotions/{case_id}/withdraw/", {}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unauthenticated_gets_401_with_error_body():
    response = APIClient().get("/api/v1/promotions/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_error_body_in_request_language():
    """Errors name the rule, in the request's language (zh-hans default, en on request)."""
    org = build_org()
    client = client_for(org.colleague)
    body = {"target_level": "intermediate", "statement": "s"}
    zh = client.post(
        "/api/v1/promotions/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).json()
    en = client.post("/api/v1/promotions/", body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert zh["code"] == en["code"] == "not_eligible"
    assert zh["rule"] == en["rule"] == "PROMO-2"
    assert "not eligible" in en["detail"]
    assert zh["detail"] != en["detail"]
    assert Promotion.objects.count() == 0


def test_employee_endpoints():
    org = build_org()
    me = client_for(org.agent).get("/api/v1/employees/me/").json()
    assert me["username"] == "agent" and me["level"] == "junior" and me["department"] == "cs"
    assert client_for(org.agent).get(f"/api/v1/employees/{org.colleague.pk}/").status_code == 404
    assert client_for(org.lead).get(f"/api/v1/employees/{org.colleague.pk}/").status_code == 200
    scores = client_for(org.agent).get(f"/api/v1/employees/{org.agent.pk}/assessments/").json()
    assert len(scores) == 5 and {"month", "score", "tier", "grade"} <= set(scores[0])
    elig = (
        client_for(org.agent)
        .get(f"/api/v1/employees/{org.agent.pk}/eligibility/?target_level=intermediate")
        .json()
    )
    assert elig["eligible"] is True and elig["rule"] == "PROMO-2" and len(elig["months"]) >= 5


def test_openapi_schema_lists_every_promotion_action():
    org = build_org()
    response = client_for(org.agent).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for name in (
        "withdraw",
        "open-vote",
        "vote",
        "close-vote",
        "nominate",
        "decline",
        "approve",
        "reject",
        "send-back",
        "schedule-defence",
        "score-defence",
        "confirm",
    ):
        assert f"/api/v1/promotions/{{id}}/{name}/" in paths
    assert "/api/v1/inbox/" in paths


def test_missing_or_malformed_bodies_are_400_never_500():
    """Bad input gets a clear error and loses nothing."""
    org = build_org()
    case_id = (
        client_for(org.agent)
        .post(
            "/api/v1/promotions/", {"target_level": "intermediate", "statement": "s"}, format="json"
        )
        .json()["id"]
    )
    act(org.lead, case_id, "open-vote")
    assert act(org.colleague, case_id, "vote", {}, expect=400)["field"] == "support"
    assert act(org.colleague, case_id, "vote", {"support": "yes"}, expect=400)["code"] == "invalid"
    assert act(org.lead, case_id, "decline", {}, expect=400)["code"] == "reason_required"
    assert act(org.lead, case_id, "decline", {"reason": ["x"]}, expect=400)["code"] == (
        "reason_required"
    )
    act(org.lead, case_id, "nominate")
    act(org.gm, case_id, "approve")
    assert act(org.admin, case_id, "schedule-defence", {"at": "tomorrow", "panel": []}, expect=400)[
        "code"
    ] == ("invalid_datetime")
    at = (timezone.now() + dt.timedelta(days=1)).isoformat()
    act(org.admin, case_id, "schedule-defence", {"at": at, "panel": [p.pk for p in org.panel]})
    assert act(org.panel[0], case_id, "score-defence", {}, expect=400)["code"] == "invalid_score"
    assert (
        act(org.panel[0], case_id, "score-defence", {"score": "NaN"}, expect=400)["code"]
        == "invalid_score"
    )
    response = client_for(org.agent).post(
        "/api/v1/promotions/", ["not", "an", "object"], format="json"
    )
    assert response.status_code == 400
    assert Promotion.objects.get(pk=case_id).state == "defence_scheduled"
