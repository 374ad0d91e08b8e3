"""CASE-7 bulk decisions: each case through its own action and transaction; one refusal never
stops the others; queries grow linearly with the number of cases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.leave.models import Leave
from audit.models import AuditEvent

from .helpers import client_for, leave, post

pytestmark = pytest.mark.django_db


def test_bulk_approval_with_a_mix_of_allowed_and_refused(org):
    """CASE-7: ok, a case decided already (409 code), one the lead may not see (not_found)."""
    first, second, decided = (leave(org.agent, day=d) for d in (9, 10, 11))
    post(org.lead, f"leaves/{decided['id']}/approve/", {"comment": "同意"})
    hidden = leave(org.other_dept_agent, day=12)
    body = post(
        org.lead,
        "leaves/bulk/approve/",
        {"ids": [first["id"], hidden["id"], decided["id"], second["id"]], "comment": "批量同意"},
    )
    results = body["results"]
    assert [r["id"] for r in results] == [first["id"], hidden["id"], decided["id"], second["id"]]
    assert results[0] == {"id": first["id"], "ok": True, "state": "approved"}
    assert results[1] == {"id": hidden["id"], "ok": False, "code": "not_found"}
    assert (results[2]["ok"], results[2]["code"]) == (False, "state_conflict")
    assert "detail" in results[2] and "rule" in results[2]
    assert results[3] == {"id": second["id"], "ok": True, "state": "approved"}
    assert Leave.objects.get(pk=hidden["id"]).state == "pending"
    comments = AuditEvent.objects.filter(action="approve", comment="批量同意")
    assert sorted(comments.values_list("case_id", flat=True)) == [first["id"], second["id"]]


def test_a_bulk_rejection_needs_the_reason_of_each_case(org):
    case = leave(org.agent)
    [result] = post(org.lead, "leaves/bulk/reject/", {"ids": [case["id"]]})["results"]
    assert (result["ok"], result["code"], result["rule"]) == (False, "reason_required", "LEAVE-1")
    [result] = post(org.lead, "leaves/bulk/reject/", {"ids": [case["id"]], "reason": "人手不足"})[
        "results"
    ]
    assert result == {"id": case["id"], "ok": True, "state": "rejected"}


def test_someone_who_may_decide_none_of_them_gets_a_403_code_for_each(org):
    case = leave(org.agent)
    [result] = post(org.agent, "leaves/bulk/approve/", {"ids": [case["id"]]})["results"]
    assert (result["ok"], result["code"]) == (False, "own_request")


@pytest.mark.parametrize("ids", [None, "1,2", [], ["x"], [True], list(range(1, 102))])
def test_a_malformed_id_list_is_a_400(org, ids):
    body = post(org.lead, "leaves/bulk/approve/", {"ids": ids}, expect=400)
    assert body["rule"] == "CASE-7" and body["code"] in ("invalid_ids", "too_many_ids")


def test_bulk_decisions_exist_for_shift_swaps_and_punch_corrections_too(org):
    for resource in ("shift-swaps", "punch-corrections"):
        body = post(org.lead, f"{resource}/bulk/approve/", {"ids": [999999]})
        assert body == {"results": [{"id": 999999, "ok": False, "code": "not_found"}]}


def test_an_unknown_bulk_action_is_a_404(org):
    response = client_for(org.lead).post("/api/v1/leaves/bulk/cancel/", {"ids": [1]}, format="json")
    assert response.status_code == 404


def _bulk_queries(org, cases) -> int:
    client = client_for(org.lead)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/api/v1/leaves/bulk/approve/", {"ids": [c["id"] for c in cases]}, format="json"
        )
    assert response.status_code == 200
    assert all(r["ok"] for r in response.json()["results"])
    return len(queries)


def test_the_queries_of_a_bulk_decision_grow_linearly(org):
    """CASE-7: a fixed cost plus the same cost per case (no per-case re-reading that grows)."""
    days = iter(range(3, 28))
    batch = lambda n: [leave(org.agent, day=next(days)) for _ in range(n)]  # noqa: E731
    _bulk_queries(org, batch(1))  # warms the caches (content types, permissions)
    two, four, six = (_bulk_queries(org, batch(n)) for n in (2, 4, 6))
    assert six - four == four - two > 0
    print(f"bulk approval queries: {two} for 2 leaves, {four} for 4, {six} for 6")
