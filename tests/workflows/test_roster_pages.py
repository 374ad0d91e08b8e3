"""ATT-1, ATT-2, SWAP-1: the /roster/ week grid per role (404 for others), its imports with
every bad row shown, and a constant number of queries whatever the number of people."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from approvals.attendance.models import Punch, Shift
from approvals.attendance.roster import roster_import
from approvals.leave.models import Leave
from tests.attendance.helpers import local
from tests.orgdata import employee

pytestmark = pytest.mark.django_db

URL = "/roster/?week=2026-W10"


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(local(2026, 3, 2, 8), tick=False):
        yield


def client_of(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def _roster(org):
    rows = [
        {"username": u, "date": f"2026-03-0{d}", "start": "09:00", "end": "18:00"}
        for u in ("agent", "colleague")
        for d in (2, 3, 4)
    ]
    assert roster_import(actor=org.lead.user, rows=rows).ok


@pytest.mark.parametrize("who", ["lead", "admin", "gm"])
def test_att1_the_grid_for_the_lead_administration_and_the_gm_office(org, who):
    _roster(org)
    person = getattr(org, who)
    response = client_of(person).get(f"{URL}&department={org.cs.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="roster-grid"' in html
    assert html.count('data-testid="roster-shift"') == 6
    assert ('data-testid="roster-file"' in html) == (who in ("lead", "admin"))
    assert ('data-testid="punch-file"' in html) == (who == "admin")


@pytest.mark.parametrize("who", ["agent", "trainer"])
def test_att1_anyone_else_gets_404(org, who):
    person = org.agent if who == "agent" else org.panel[2]
    assert client_of(person).get(URL).status_code == 404
    assert client_of(person).post(URL, {"what": "roster"}).status_code == 404


def test_att1_the_lead_gets_404_for_another_department(org):
    other = org.other_dept_agent.department
    assert client_of(org.lead).get(f"{URL}&department={other.pk}").status_code == 404


def test_att1_leave_and_swapped_shifts_are_shown(org):
    _roster(org)
    Leave.objects.create(
        employee=org.agent,
        department=org.cs,
        kind="sick",
        start=local(2026, 3, 3, 9),
        end=local(2026, 3, 3, 18),
        reason="发烧",
        state="approved",
        policy_version="test",
        submitted_at=local(2026, 3, 2, 8),
        submitted_by=org.agent,
    )
    shift = Shift.objects.get(rostered=org.agent, date=dt.date(2026, 3, 4))
    from approvals.attendance.models import ShiftSwap

    swap = ShiftSwap.objects.create(
        employee=org.agent,
        department=org.cs,
        colleague=org.colleague,
        shift_start=shift.start,
        shift_end=shift.end,
        colleague_shift_start=local(2026, 3, 5, 9),
        colleague_shift_end=local(2026, 3, 5, 18),
        state="approved",
        policy_version="test",
        submitted_at=local(2026, 3, 1, 8),
    )
    Shift.objects.filter(pk=shift.pk).update(employee=org.colleague, swap=swap)
    html = client_of(org.lead).get(URL).content.decode()
    assert html.count('data-testid="roster-leave"') == 1
    assert f'data-swap="{swap.pk}"' in html


def test_att1_the_roster_import_form_shows_every_bad_row(org):
    content = b"username,date,start,end\nagent,2026-03-02,09:00,18:00\nnobody,2026-03-02,09:00,18:00\nagent,2026-13-01,09:00,18:00\n"
    response = client_of(org.lead).post(
        URL,
        {"what": "roster", "roster_file": SimpleUploadedFile("r.csv", content)},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="roster-errors"' in html
    assert 'data-row="3"' in html and 'data-row="4"' in html
    assert not Shift.objects.exists()
    good = b"username,date,start,end\nagent,2026-03-02,09:00,18:00\n"
    response = client_of(org.lead).post(
        URL, {"what": "roster", "roster_file": SimpleUploadedFile("r.csv", good)}
    )
    assert (
        response.status_code == 200 and 'data-testid="roster-report"' in response.content.decode()
    )
    assert Shift.objects.count() == 1


def test_att2_the_punch_import_form_for_administration_only(org):
    content = b"username,time\nagent,2026-03-02 08:58\nagent,2026-03-02 8h\n"
    upload = {"what": "punches", "punch_file": SimpleUploadedFile("p.csv", content)}
    assert client_of(org.lead).post(URL, upload).status_code == 403
    upload["punch_file"] = SimpleUploadedFile("p.csv", content)
    response = client_of(org.admin).post(URL, upload)
    assert response.status_code == 400 and 'data-row="3"' in response.content.decode()
    assert not Punch.objects.exists()
    good = {
        "what": "punches",
        "punch_file": SimpleUploadedFile("p.csv", content.rsplit(b"\n", 2)[0]),
    }
    response = client_of(org.admin).post(URL, good)
    assert response.status_code == 200 and Punch.objects.count() == 1


def _queries(client, department, people):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{URL}&department={department.pk}")
    assert response.content.decode().count('data-testid="roster-row"') == people
    return len(captured.captured_queries)


def test_att1_the_grid_costs_the_same_queries_for_5_or_50_people(org):
    _roster(org)
    client = client_of(org.admin)
    few = _queries(client, org.cs, 4)  # lead, trainer, agent, colleague
    rows = []
    for i in range(45):
        employee(f"extra{i}", department=org.cs)
        rows += [
            {
                "username": f"extra{i}",
                "date": f"2026-03-0{d}",
                "start": "09:00",
                "end": "18:00",
            }
            for d in (2, 3)
        ]
    assert roster_import(actor=org.admin.user, rows=rows).ok
    assert _queries(client, org.cs, 49) == few


def test_att1_the_page_speaks_chinese(org):
    """zh-hans by default: no English left in the page an administrator sees, forms included."""
    from tests.i18n_check import english_words, names_of_people

    _roster(org)
    html = client_of(org.admin).get(f"{URL}&department={org.cs.pk}").content.decode()
    assert (
        english_words(
            html,
            names_of_people()
            | {
                "csv",
                "xlsx",
                "username",
                "date",
                "start",
                "end",
                "time",
                "YYYY",
                "MM",
                "DD",
                "HH",
                "SS",
                "ATT",
                "SWAP",
            },
        )
        == []
    )
