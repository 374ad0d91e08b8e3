"""ATT-1, LEAVE-6: while the department lead is on approved leave with a delegate, the delegate
has the lead's roster: imports it (recorded "X for Y") and sees the week grid, on the page and in
the API, for the leave's duration only. Before the leave starts and after it ends the delegate is
refused as anyone else is (403 naming whom they stand in for and when; the page answers 404),
and a colleague who is not the delegate is refused throughout."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from approvals.attendance.models import Punch, RosterImport, Shift
from approvals.attendance.roster import roster_import
from approvals.errors import NotAllowed
from approvals.leave.models import Leave, LeaveState
from audit.models import AuditEvent
from tests.attendance.helpers import client_for, lead_on_leave, local

pytestmark = pytest.mark.django_db

ROSTERS, PUNCHES = "/api/v1/rosters/", "/api/v1/punches/"
START, END = local(2026, 3, 2, 9, 0), local(2026, 3, 6, 18, 0)  # the lead's leave
DURING, BEFORE, AFTER = local(2026, 3, 3, 10), local(2026, 3, 2, 8, 59), local(2026, 3, 6, 18)
GRID = "/roster/?week=2026-W11"


@pytest.fixture
def lead_away(org, deputy):
    return lead_on_leave(org, deputy, START, END)


def rows(*users, day="2026-03-09"):
    return [{"username": u, "date": day, "start": "09:00", "end": "18:00"} for u in users]


def page(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def test_leave6_att1_the_delegate_imports_the_leads_roster_recorded_for_the_lead(
    org, deputy, lead_away
):
    with time_machine.travel(DURING, tick=False):
        response = client_for(deputy).post(
            ROSTERS, {"rows": rows("agent", "colleague")}, format="json"
        )
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2
    event = AuditEvent.objects.get(case_type="roster_import", action="import")
    assert event.actor == deputy.user and event.on_behalf_of == org.lead.user  # "X for Y"
    assert event.rules == ["ATT-1", "LEAVE-6"]
    assert event.data["on_behalf_of"] == [org.lead.pk]
    assert RosterImport.objects.get().imported_by == deputy


def test_leave6_att1_the_delegate_imports_on_the_page_and_sees_the_week_grid(
    org, deputy, lead_away
):
    with time_machine.travel(DURING, tick=False):
        upload = SimpleUploadedFile(
            "roster.csv", b"username,date,start,end\nagent,2026-03-09,09:00,18:00\n"
        )
        response = page(deputy).post(f"{GRID}&department={org.cs.pk}", {"roster_file": upload})
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="roster-grid"' in html and 'data-testid="roster-file"' in html
        assert html.count('data-testid="roster-shift"') == 1
        assert page(deputy).get(f"{GRID}&department={org.cs.pk}").status_code == 200
        listed = client_for(deputy).get(f"{ROSTERS}?from=2026-03-09&to=2026-03-15").json()
    assert [s["username"] for s in listed] == ["agent"]
    event = AuditEvent.objects.get(case_type="roster_import", action="import")
    assert event.actor == deputy.user and event.on_behalf_of == org.lead.user


def test_leave6_att1_the_delegate_has_only_the_leads_departments(org, deputy, lead_away):
    other = org.other_dept_agent.department
    with time_machine.travel(DURING, tick=False):
        with pytest.raises(NotAllowed) as refused:
            roster_import(actor=deputy.user, rows=rows("outsider"), department=other)
        assert refused.value.code == "not_department_lead" and refused.value.rule == "ATT-1"
        report = roster_import(actor=deputy.user, rows=rows("outsider"))
        assert [(e.row, e.field) for e in report.errors] == [(2, "username")]
        assert page(deputy).get(f"{GRID}&department={other.pk}").status_code == 404
    assert not Shift.objects.exists()


@pytest.mark.parametrize("when", [BEFORE, AFTER], ids=["before-the-leave", "after-the-leave"])
def test_leave6_att1_outside_the_leave_the_delegate_is_refused(org, deputy, lead_away, when):
    with time_machine.travel(when, tick=False):
        response = client_for(deputy).post(
            ROSTERS, {"rows": rows("agent")}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert page(deputy).get(f"{GRID}&department={org.cs.pk}").status_code == 404
        listed = client_for(deputy).get(f"{ROSTERS}?from=2026-03-09&department={org.cs.pk}")
    assert response.status_code == 403
    body = response.json()
    assert (body["code"], body["rule"]) == ("wrong_role", "ATT-1")
    # the refusal names whom they stand in for and when (the leave's figures)
    assert "lead" in body["detail"] and "2026-03-02 09:00" in body["detail"]
    assert "2026-03-06 18:00" in body["detail"] and "LEAVE-6" in body["detail"]
    assert listed.status_code == 200 and listed.json() == []
    assert not Shift.objects.exists()
    assert not AuditEvent.objects.filter(case_type="roster_import").exists()


def test_leave6_att1_a_colleague_who_is_not_the_delegate_is_refused(org, deputy, lead_away):
    with time_machine.travel(DURING, tick=False):
        response = client_for(org.colleague).post(
            ROSTERS, {"rows": rows("agent")}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert page(org.colleague).get(f"{GRID}&department={org.cs.pk}").status_code == 404
    assert response.status_code == 403
    body = response.json()
    assert (body["code"], body["rule"]) == ("wrong_role", "ATT-1")
    assert body["detail"].startswith("Only a department lead or administration imports")
    assert not Shift.objects.exists()


def test_leave6_att1_a_leave_not_approved_gives_the_delegate_nothing(org, deputy, lead_away):
    Leave.objects.filter(pk=lead_away.pk).update(state=LeaveState.CANCELLED)
    with time_machine.travel(DURING, tick=False):
        response = client_for(deputy).post(ROSTERS, {"rows": rows("agent")}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "wrong_role"


def test_leave6_att2_the_punch_list_stays_the_leads_own(org, deputy, lead_away):
    """The stand-in is the roster's (ATT-1); reading the department's punches is not part of it."""
    Punch.objects.create(employee=org.agent, at=local(2026, 3, 3, 8, 58))
    with time_machine.travel(DURING, tick=False):
        theirs = client_for(deputy).get(f"{PUNCHES}?from=2026-03-02&to=2026-03-08").json()
        lead = client_for(org.lead).get(f"{PUNCHES}?from=2026-03-02&to=2026-03-08").json()
    assert theirs == [] and [p["username"] for p in lead] == ["agent"]


def test_leave6_att1_the_refusal_outside_the_leave_speaks_chinese(org, deputy, lead_away):
    with time_machine.travel(AFTER, tick=False):
        response = client_for(deputy).post(
            ROSTERS, {"rows": rows("agent")}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    detail = response.json()["detail"]
    assert response.status_code == 403 and "休假期间" in detail and "2026-03-06 18:00" in detail
