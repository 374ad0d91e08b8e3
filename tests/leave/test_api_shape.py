"""The leaves resource as API.md names it: create body and actions in the schema (with their
request bodies), the representation's fields, bodies that are not objects answered 400."""

import datetime as dt

import pytest

from approvals.leave.models import Leave

from .helpers import ask, client_for

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_leaves_and_their_action_bodies(org):
    schema = client_for(org.agent).get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/leaves/"]) >= {"get", "post"}
    create = schema["components"]["schemas"]["LeaveCreateBody"]["properties"]
    assert {"kind", "start", "end", "reason", "emergency"} <= set(create)
    for name in ("approve", "reject", "cancel"):
        post = paths[f"/api/v1/leaves/{{id}}/{name}/"]["post"]
        assert "requestBody" in post, name
    reject = schema["components"]["schemas"]["LeaveRejectBody"]
    assert "reason" in reject["properties"]


def test_openapi_schema_has_the_request_bodies_of_other_processes_too(org):
    schema = client_for(org.agent).get("/api/v1/schema/?format=json").json()
    body = schema["paths"]["/api/v1/penalties/{id}/object/"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("PenaltyObjectBody")


def test_representation_has_the_api_md_fields(org, week_before):
    case = ask(org.agent)
    for key in ("id", "state", "employee", "available_actions", "deadlines", "timeline"):
        assert key in case
    assert {"kind", "start", "end", "reason", "emergency", "days", "delegate"} <= set(case)
    assert case["timeline"][0]["action"] == "submit"
    due = dt.datetime.fromisoformat(case["deadlines"][0]["due_at"])
    assert due.utcoffset() is not None  # ISO 8601 with offset (API.md)


@pytest.mark.parametrize("payload", [["a"], "text", 3])
def test_a_body_that_is_not_an_object_is_a_400(org, week_before, payload):
    response = client_for(org.agent).post("/api/v1/leaves/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert Leave.objects.count() == 0
