"""The leave pages refuse and allow like the API (LEAVE-1, LEAVE-4): a refusal is shown in the
reader's language with nothing saved, a case page is 404 for anyone who may not see it."""

import pytest
from django.test import Client

from approvals.leave.models import Leave, LeaveBalance

from .helpers import ask

pytestmark = pytest.mark.django_db


def client(person, language="zh-hans"):
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(person.user)
    return c


FORM = {"kind": "personal", "start": "2026-03-09T09:00", "end": "2026-03-09T18:00", "reason": "事"}


def test_leave1_asking_on_the_page_starts_the_request(org, week_before):
    response = client(org.agent).post("/leaves/new/", FORM)
    leave = Leave.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/leaves/{leave.pk}/"
    assert leave.start.hour == 1  # 09:00 in Shanghai is 01:00 UTC
    page = client(org.agent).get(f"/leaves/{leave.pk}/")
    assert page.status_code == 200 and "事" in page.content.decode()


def test_leave4_a_refusal_on_the_page_is_in_the_readers_language_and_saves_nothing(
    org, week_before
):
    bad = {**FORM, "start": "2026-03-09T18:00", "end": "2026-03-09T09:00"}
    zh = client(org.agent).post("/leaves/new/", bad)
    assert zh.status_code == 400
    assert "请假结束时间（2026-03-09 09:00）早于开始时间（2026-03-09 18:00）" in zh.content.decode()
    en = client(org.agent, "en").post("/leaves/new/", bad)
    assert "The leave ends (2026-03-09 09:00) before it starts" in en.content.decode()
    assert Leave.objects.count() == 0


def test_leave_case_page_is_404_for_those_who_may_not_see_it(org, week_before):
    case = ask(org.agent)
    for person in (org.colleague, org.other_dept_agent):
        assert client(person).get(f"/leaves/{case['id']}/").status_code == 404
    for person in (org.agent, org.lead, org.gm):
        assert client(person).get(f"/leaves/{case['id']}/").status_code == 200


def test_leave1_the_employee_cancels_on_the_case_page_and_others_cannot(org, week_before):
    case = ask(org.agent)
    client(org.lead).post(f"/leaves/{case['id']}/", {"action": "cancel"})
    assert Leave.objects.get().state == "pending"
    client(org.agent).post(f"/leaves/{case['id']}/", {"action": "cancel"})
    assert Leave.objects.get().state == "cancelled"


def test_leave4_home_page_shows_the_annual_balance(org, week_before):
    """Days as people write them: "2 of 5", "1.5", never "2.0"."""
    LeaveBalance.objects.create(employee=org.agent, year=2026, entitled=5, taken=1, pending=2)
    page = client(org.agent, "en").get("/").content.decode()
    assert "Annual leave 2026: 2 of 5 day(s) left (2 awaiting approval)." in page
    LeaveBalance.objects.filter(employee=org.agent).update(pending="2.5")
    page = client(org.agent, "en").get("/").content.decode()
    assert "Annual leave 2026: 1.5 of 5 day(s) left (2.5 awaiting approval)." in page
