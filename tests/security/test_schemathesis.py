"""Issue 11: schemathesis against the served OpenAPI schema, for three roles.

Every operation of /api/v1/schema/ is called with generated input (the schema's examples, then
fuzzed bodies, query and path values) through Django's WSGI application, authenticated with an
API token of an employee, a department lead or administration (and the GM office) of the test
organisation (tests/orgdata.py). Each answer must be no server error, and must conform to the
schema: a documented status code, a documented content type and a body that matches the
documented schema (api/schema.py documents the error answers of every operation).

Bounds: SCHEMATHESIS_EXAMPLES (default 10) fuzzed examples per operation, derandomized (the same
cases on every run). Each role's test gets a fresh database; generated actions may change the
test organisation's cases, which is fine. The throttles are raised for the run (tokens never
fail here, but a 429 would hide what the request did); a 429 is documented all the same.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BOUNDED = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def _in_process(db, monkeypatch):
    """Requests through the WSGI application inside the test's transaction."""
    # As Django's test client does: the start and end of a request must not close the test's
    # connection (its transaction holds the organisation).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"anon": "100000/minute", "token_failure": "100000/minute"},
    )
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _load_schema():
    # Read at collection: the schema view needs no database.
    request_started.disconnect(close_old_connections)
    try:
        return schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)


schema = _load_schema()
ROLES = ["employee", "department_lead", "administration", "gm_office"]


def _person(org, role):
    return {
        "employee": org.agent,
        "department_lead": org.lead,
        "administration": org.admin,
        "gm_office": org.gm,
    }[role]


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@BOUNDED
def test_api_answers_within_the_schema(case, role, org, _in_process):
    """Issue 11: for each role, no 5xx and no schema violation (status code, content type and
    body as documented)."""
    token, _ = Token.objects.get_or_create(user=_person(org, role).user)
    case.call_and_validate(headers={"Authorization": f"Token {token.key}"}, checks=CHECKS)


def test_every_operation_documents_the_error_answers():
    """Issue 11 (api/schema.py): each operation documents 400/401/403/404/409/429, and 415 when
    it takes a body, with the error body — a view without the AutoSchema fails here."""
    from drf_spectacular.generators import SchemaGenerator

    generated = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in generated["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404", "409", "429"} <= codes, (method, path)
            if method == "post":
                assert "415" in codes, (method, path)
            ref = operation["responses"]["404"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error", (method, path)


@pytest.mark.django_db
def test_an_unmatched_api_path_answers_the_json_404(org):
    """Issue 11: `promotions/0.5/` matches no route; it answers the API's JSON 404, not the
    site's HTML page (schemathesis: undocumented content type)."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(org.agent.user)
    response = client.post("/api/v1/promotions/0.5/vote/", {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
