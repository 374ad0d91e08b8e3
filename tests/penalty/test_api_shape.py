"""The penalties resource as API.md names it: actions in the schema, the representation's
fields, and bad bodies answered 400 (never 500) with nothing changed."""

import pytest

from approvals.penalty.models import Penalty
from tests.penalty.helpers import act, client_for, serve

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_every_penalty_action(org):
    paths = client_for(org.agent).get("/api/v1/schema/?format=json").json()["paths"]
    assert "/api/v1/penalties/" in paths
    for name in ("sign", "refuse-to-sign", "witness", "object", "respond", "escalate"):
        assert f"/api/v1/penalties/{{id}}/{name}/" in paths


def test_representation_has_the_api_md_fields(org):
    case = serve(org.lead, org.agent)
    for key in (
        "id",
        "state",
        "employee",
        "available_actions",
        "deadlines",
        "timeline",
        "sanction",
        "served_at",
        "signed",
        "witnesses",
        "objection",
        "final",
    ):
        assert key in case
    assert isinstance(case["witnesses"], int)


@pytest.mark.parametrize(
    "action, body, code",
    [
        ("object", {}, "reason_required"),
        ("object", {"reason": ["a", "b"]}, "reason_required"),
        ("refuse-to-sign", {"witnesses": {"a": 1}}, "invalid_witnesses"),
        ("escalate", {"to": "final_warning"}, "reason_required"),
    ],
)
def test_malformed_bodies_are_400_and_change_nothing(org, action, body, code):
    case = serve(org.lead, org.agent)
    who = org.lead if action == "escalate" else org.agent
    before = Penalty.objects.values().get()
    result = act(who, case["id"], action, body, expect=400)
    assert result["code"] == code
    assert Penalty.objects.values().get() == before


def test_a_json_list_body_is_a_400(org):
    case = serve(org.lead, org.agent)
    response = client_for(org.agent).post(
        f"/api/v1/penalties/{case['id']}/object/", [1, 2], format="json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("employee", ["abc", None, 999999])
def test_create_with_a_bad_employee_is_refused(org, employee):
    response = client_for(org.lead).post(
        "/api/v1/penalties/",
        {
            "employee": employee,
            "facts": "f",
            "rule": "r",
            "sanction": "verbal_warning",
            "evidence": "e",
        },
        format="json",
    )
    assert response.status_code in (400, 404)
    assert response.json()["code"] in ("invalid_employee", "unknown_employee")
    assert not Penalty.objects.exists()
