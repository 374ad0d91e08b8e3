"""The casework fields of every case representation, the actions offered, constant-query
reads and the OpenAPI schema."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from approvals.leave.models import Leave
from casework.participation import facts_for
from casework.selectors import CASEWORK_ACTION_NAMES, casework_for
from workflows.leave import LeaveFlow

from .helpers import at_gm_review, client_for, get, leave, post

pytestmark = pytest.mark.django_db

FIELDS = {"comments", "attachments", "consultations", "cc", "casework_actions"}


def test_every_case_representation_carries_the_casework_fields(org):
    for data in (leave(org.agent), at_gm_review(org)):
        assert set(data) >= FIELDS
        assert not set(data["available_actions"]) & set(CASEWORK_ACTION_NAMES)


def test_the_holder_the_applicant_and_the_gm_office_are_offered_their_casework(org):
    case = leave(org.agent)
    path = f"leaves/{case['id']}/"
    assert get(org.lead, path)["casework_actions"] == [
        "transfer",
        "consult",
        "cc",
        "comment",
        "attach",
    ]
    assert get(org.agent, path)["casework_actions"] == ["urge", "comment", "attach"]
    assert get(org.gm, path)["casework_actions"] == ["cc", "comment", "attach"]


def test_casework_of_many_cases_is_read_in_a_constant_number_of_queries(org):
    cases = [leave(org.agent, day=d) for d in (9, 10, 11, 12)]
    for case in cases:
        post(org.lead, f"leaves/{case['id']}/comment/", {"body": "看一下"})
        post(org.lead, f"leaves/{case['id']}/cc/", {"people": [org.colleague.pk]})
        post(org.lead, f"leaves/{case['id']}/consult/", {"to": org.colleague.pk, "question": "?"})
    leaves = list(Leave.objects.order_by("pk"))

    def read(some):
        with CaptureQueriesContext(connection) as queries:
            facts = facts_for(LeaveFlow, some)
            work = casework_for(LeaveFlow, some, facts=facts)
        assert all(len(work[c.pk]["comments"]) == 1 for c in some)
        return len(queries)

    read(leaves[:1])  # content types cached
    assert read(leaves[:1]) == read(leaves)


def test_the_schema_lists_the_casework_routes_and_bodies(org):
    schema = client_for(org.agent).get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    for resource in (
        "promotions",
        "probations",
        "leaves",
        "shift-swaps",
        "punch-corrections",
        "penalties",
    ):
        for name in (
            "transfer",
            "consult",
            "consult-reply",
            "urge",
            "cc",
            "comment",
            "attachments",
        ):
            assert "post" in paths[f"/api/v1/{resource}/{{id}}/{name}/"], (resource, name)
    for resource in ("leaves", "shift-swaps", "punch-corrections"):
        assert "post" in paths[f"/api/v1/{resource}/bulk/{{decision}}/"]
    assert "/api/v1/promotions/bulk/{decision}/" not in paths
    assert "post" in paths["/api/v1/inbox/{task_id}/claim/"]
    components = schema["components"]["schemas"]
    assert {"to", "comment"} <= set(components["CaseTransferBody"]["properties"])
    assert "ids" in components["BulkDecideBody"]["properties"]


def test_casework_needs_authentication(org):
    case = leave(org.agent)
    response = APIClient().post(
        f"/api/v1/leaves/{case['id']}/comment/", {"body": "x"}, format="json"
    )
    assert response.status_code == 401
