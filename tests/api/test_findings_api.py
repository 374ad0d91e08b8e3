"""REST findings/ (ATT-2, ATT-3, PEN-2): the list by department, month and state with each
caller's visibility, confirm/dismiss (404 for what the caller may not see), bulk with each
finding's outcome, the administration's check, the drafts served, and the schema."""

import pytest
import time_machine

from approvals.attendance.findings import findings_check
from approvals.attendance.models import Finding
from approvals.penalty.models import Penalty, PenaltyDraft
from performance.models import ScoreEvent
from tests.attendance.findings_helpers import DAY, NOW, punch, shift
from tests.penalty.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def findings(org, now):
    shift(org.agent)
    punch(org.agent, "09:07", "18:00")  # late 7
    shift(org.colleague)  # absence
    shift(org.other_dept_agent)  # another department's absence
    findings_check(start=DAY, end=DAY)
    return {f.employee_id: f for f in Finding.objects.all()}


def get(employee, query="", expect=200):
    response = client_for(employee).get(f"/api/v1/findings/{query}")
    assert response.status_code == expect, response.content
    return response.json()


def post(employee, path, body=None, expect=200, language=None):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client_for(employee).post(
        f"/api/v1/findings/{path}", body or {}, format="json", **headers
    )
    assert response.status_code == expect, response.content
    return response.json()


def test_att2_list_per_caller(org, findings):
    everyone = get(org.admin)
    assert {r["employee"] for r in everyone} == {
        org.agent.pk,
        org.colleague.pk,
        org.other_dept_agent.pk,
    }
    mine = get(org.lead)
    assert {r["employee"] for r in mine} == {org.agent.pk, org.colleague.pk}
    assert [r["employee"] for r in get(org.agent)] == [org.agent.pk]
    late = get(org.agent)[0]
    assert (late["kind"], late["minutes"], late["rule"], late["points"]) == (
        "late",
        7,
        "ATT-2",
        "2.0",
    )
    assert late["punches"] == ["2026-03-09T09:07+08:00", "2026-03-09T18:00+08:00"]


def test_att2_list_filters(org, findings):
    assert len(get(org.admin, f"?department={org.cs.pk}")) == 2
    assert len(get(org.admin, "?month=2026-03&state=proposed")) == 3
    assert get(org.admin, "?month=2026-02") == []
    assert get(org.admin, "?state=nope", expect=400)["code"] == "invalid_state"
    assert get(org.admin, "?month=March", expect=400)["code"] == "bad_month"


def test_att3_confirm_and_dismiss_through_the_api(org, findings):
    late = findings[org.agent.pk]
    done = post(org.lead, f"{late.pk}/confirm/")
    assert done["state"] == "confirmed" and done["score_event"]
    absent = findings[org.colleague.pk]
    error = post(org.lead, f"{absent.pk}/dismiss/", {"reason": ""}, expect=400, language="en")
    assert error == {
        "code": "reason_required",
        "detail": "A dismissal needs a reason. (ATT-3)",
        "rule": "ATT-3",
        "field": "reason",
    } or (error["code"], error["rule"]) == ("reason_required", "ATT-3")
    zh = post(org.lead, f"{absent.pk}/dismiss/", {}, expect=400, language="zh-hans")
    assert "理由" in zh["detail"]
    assert post(org.lead, f"{absent.pk}/dismiss/", {"reason": "病假条补交"})["state"] == "dismissed"
    assert ScoreEvent.objects.count() == 1


def test_att3_who_may_not_decide(org, findings):
    late = findings[org.agent.pk]
    # the employee sees their own finding but may not decide it
    assert post(org.agent, f"{late.pk}/confirm/", expect=403)["rule"] == "ATT-3"
    # a colleague does not see it at all
    post(org.colleague, f"{late.pk}/confirm/", expect=404)
    # another department's finding is not the lead's to see
    post(org.lead, f"{findings[org.other_dept_agent.pk].pk}/confirm/", expect=404)
    post(org.lead, "999999/confirm/", expect=404)
    assert not ScoreEvent.objects.exists()


def test_att3_bulk_results(org, findings):
    ids = [findings[org.agent.pk].pk, findings[org.colleague.pk].pk]
    other = findings[org.other_dept_agent.pk].pk
    out = post(org.lead, "bulk/confirm/", {"ids": [*ids, other]})["results"]
    assert [r["ok"] for r in out] == [True, True, False]
    assert out[2]["code"] == "not_found"
    assert post(org.lead, "bulk/dismiss/", {"ids": ids}, expect=400)["code"] == "reason_required"
    assert post(org.lead, "bulk/confirm/", {"ids": "x"}, expect=400)["code"] == "bad_ids"
    assert PenaltyDraft.objects.count() == 1  # the colleague's absence


def test_att2_check_is_administrations(org, now):
    shift(org.agent)
    body = {"from": "2026-03-09", "to": "2026-03-09", "department": org.cs.pk}
    assert post(org.lead, "check/", body, expect=403)["code"] == "wrong_role"
    report = post(org.admin, "check/", body)
    assert report["created"] == 1 and report["shifts"] == 1
    assert post(org.admin, "check/", body)["created"] == 0
    bad = post(org.admin, "check/", {"from": "2026-03-09"}, expect=400)
    assert bad["code"] == "bad_date"
    bad = post(org.admin, "check/", {"from": "x", "to": "2026-03-09"}, expect=400)
    assert bad["code"] == "bad_date"
    bad = post(org.admin, "check/", {**body, "department": 99999}, expect=400)
    assert bad["code"] == "invalid_department"


def test_pen2_drafts_listed_and_served(org, findings):
    post(org.lead, f"{findings[org.colleague.pk].pk}/confirm/")
    rows = client_for(org.lead).get("/api/v1/findings/drafts/?state=open").json()
    assert len(rows) == 1 and rows[0]["rule"] == "LEAVE-3"
    assert client_for(org.agent).get("/api/v1/findings/drafts/").json() == []
    draft = rows[0]["id"]
    post(org.agent, f"drafts/{draft}/serve/", expect=404)
    served = post(org.lead, f"drafts/{draft}/serve/", {"sanction": "verbal_warning"}, expect=201)
    assert served["state"] == "served" and Penalty.objects.get().pk == served["penalty"]
    assert post(org.lead, f"drafts/{draft}/discard/", {"reason": "x"}, expect=409)


def test_att3_schema_has_the_findings(client, db):
    text = client.get("/api/v1/schema/").content.decode()
    for path in (
        "/api/v1/findings/",
        "/api/v1/findings/check/",
        "/api/v1/findings/bulk/{decision}/",
        "/api/v1/findings/{id}/{decision}/",
        "/api/v1/findings/drafts/{id}/{action}/",
    ):
        assert path in text


@pytest.mark.parametrize("bad", [2**70, 0, -5, 1.5, True, "12x"])
def test_att3_bulk_refuses_what_is_no_id_and_decides_nothing(org, findings, bad):
    """ATT-3: an id a database key cannot hold (or no whole number) is a 400 naming the field,
    never a 500, and no finding of the request is decided."""
    ids = [findings[org.agent.pk].pk, bad]
    body = post(org.lead, "bulk/confirm/", {"ids": ids}, expect=400)
    assert body["code"] == "bad_ids"
    assert not ScoreEvent.objects.exists()
