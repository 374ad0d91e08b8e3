"""ATT-1, ATT-2: POST/GET /api/v1/rosters/ and /api/v1/punches/: the report, the bad-rows
error listing every row as {"row", "field", "detail"}, who may import and who reads what."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from approvals.attendance.models import Punch, Shift
from tests.attendance.helpers import client_for, local

pytestmark = pytest.mark.django_db

ROSTERS, PUNCHES = "/api/v1/rosters/", "/api/v1/punches/"


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(local(2026, 3, 2, 8), tick=False):
        yield


def shift_rows(*users):
    return [{"username": u, "date": "2026-03-02", "start": "09:00", "end": "18:00"} for u in users]


def test_att1_post_json_rows_returns_the_report(org):
    response = client_for(org.lead).post(
        ROSTERS, {"rows": shift_rows("agent", "colleague")}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["ok"] and body["created"] == 2 and body["from"] == "2026-03-02"
    again = client_for(org.lead).post(
        ROSTERS, {"rows": shift_rows("agent", "colleague")}, format="json"
    )
    assert again.json()["nothing_changed"] is True and Shift.objects.count() == 2


def test_att1_post_a_file(org):
    content = b"username,date,start,end\nagent,2026-03-02,15:00,24:00\n"
    response = client_for(org.admin).post(
        ROSTERS, {"file": SimpleUploadedFile("roster.csv", content)}, format="multipart"
    )
    assert response.status_code == 200 and response.json()["created"] == 1


def test_att1_bad_rows_all_listed_and_nothing_written(org):
    rows = shift_rows("agent", "nobody", "outsider") + [
        {"username": "agent", "date": "2026-03-02", "start": "x", "end": "18:00"}
    ]
    response = client_for(org.lead).post(ROSTERS, {"rows": rows}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_rows" and body["rule"] == "ATT-1" and body["detail"]
    assert [(e["row"], e["field"]) for e in body["errors"]] == [
        (3, "username"),
        (4, "username"),
        (5, "start"),
    ]
    assert all(set(e) == {"row", "field", "detail"} for e in body["errors"])
    assert not Shift.objects.exists()


@pytest.mark.parametrize("who", ["agent", "gm"])
def test_att1_agents_and_the_gm_office_may_not_import_the_roster(org, who):
    response = client_for(getattr(org, who)).post(
        ROSTERS, {"rows": shift_rows("agent")}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "wrong_role" and response.json()["rule"] == "ATT-1"


def test_att1_a_lead_naming_another_department_is_refused(org):
    other = org.other_dept_agent.department.pk
    response = client_for(org.lead).post(
        ROSTERS, {"rows": shift_rows("agent"), "department": other}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "not_department_lead"


def test_att1_bad_body_is_a_400_not_a_500(org):
    response = client_for(org.lead).post(ROSTERS, {"rows": "nope"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "bad_rows"
    response = client_for(org.lead).post(
        ROSTERS, {"file": SimpleUploadedFile("roster.txt", b"x")}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_file"


def test_att1_get_shifts_by_role(org):
    client_for(org.admin).post(
        ROSTERS, {"rows": shift_rows("agent", "colleague", "outsider")}, format="json"
    )
    span = "from=2026-03-02&to=2026-03-08"
    assert len(client_for(org.admin).get(f"{ROSTERS}?{span}").json()) == 3
    assert len(client_for(org.gm).get(f"{ROSTERS}?{span}").json()) == 3
    lead = client_for(org.lead).get(f"{ROSTERS}?{span}").json()
    assert {s["username"] for s in lead} == {"agent", "colleague"}
    other = org.other_dept_agent.department.pk
    assert client_for(org.lead).get(f"{ROSTERS}?{span}&department={other}").status_code == 404
    mine = client_for(org.agent).get(f"{ROSTERS}?{span}").json()
    assert [s["username"] for s in mine] == ["agent"]
    assert client_for(org.lead).get(f"{ROSTERS}?from=2026-13-01").status_code == 400


def test_att2_post_and_get_punches(org):
    rows = [
        {"username": "agent", "time": "2026-03-02 08:58"},
        {"username": "outsider", "time": "2026-03-02 09:10"},
    ]
    response = client_for(org.admin).post(PUNCHES, {"rows": rows}, format="json")
    assert response.status_code == 200 and response.json()["created"] == 2
    again = client_for(org.admin).post(PUNCHES, {"rows": rows}, format="json")
    assert again.json()["nothing_changed"] and Punch.objects.count() == 2
    span = "from=2026-03-02&to=2026-03-02"
    assert len(client_for(org.admin).get(f"{PUNCHES}?{span}").json()) == 2
    assert [p["username"] for p in client_for(org.lead).get(f"{PUNCHES}?{span}").json()] == [
        "agent"
    ]
    assert [p["username"] for p in client_for(org.agent).get(f"{PUNCHES}?{span}").json()] == [
        "agent"
    ]
    outsider = org.other_dept_agent.pk
    assert client_for(org.agent).get(f"{PUNCHES}?employee={outsider}").status_code == 404
    assert client_for(org.lead).get(f"{PUNCHES}?employee={outsider}").status_code == 404


def test_att2_bad_punch_rows_and_roles(org):
    rows = [
        {"username": "agent", "time": "soon"},
        {"username": "ghost", "time": "2026-03-02 08:00"},
    ]
    response = client_for(org.admin).post(PUNCHES, {"rows": rows}, format="json")
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
        (2, "time"),
        (3, "username"),
    ]
    assert not Punch.objects.exists()
    refused = client_for(org.lead).post(PUNCHES, {"rows": rows}, format="json")
    assert refused.status_code == 403 and refused.json()["rule"] == "ATT-2"


def test_att1_att2_in_the_schema(org):
    schema = client_for(org.admin).get("/api/v1/schema/?format=json").json()
    assert "/api/v1/rosters/" in schema["paths"] and "/api/v1/punches/" in schema["paths"]
