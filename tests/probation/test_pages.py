"""Probation pages: the case summary, task pages with their action forms (ActionForm), the
probationer's early conversion button (PROB-4) and the home page lists (PROB-1..PROB-3)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from approvals.probation.models import Probation

from .helpers import act, local, score

pytestmark = pytest.mark.django_db


def client(person) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(person.user)
    return c


def execute_url(case, node=None, person=None):
    """Every step is decided on the case page (a queued step is taken by whoever acts)."""
    return f"/probations/{case.pk}/"


def test_case_page_shows_summary_and_months(org, case, trainee):
    score(trainee, dt.date(2026, 1, 1), 75)
    page = client(org.lead).get(f"/probations/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Probation #" in html and "2026-04-10" in html and "2026-01" in html


def test_case_page_404_for_others(org, case):
    assert client(org.colleague).get(f"/probations/{case.pk}/").status_code == 404


def test_home_lists_own_and_department_probations(org, case, trainee):
    html = client(trainee).get("/").content.decode()
    assert 'id="my-probation"' in html and f"/probations/{case.pk}/" in html
    html = client(org.lead).get("/").content.decode()
    assert 'id="department-probations"' in html and trainee.name in html
    html = client(org.colleague).get("/").content.decode()
    assert "my-probation" not in html and "department-probations" not in html


def test_task_pages_exam_assess_approve_confirm(org, case, trainer):
    with time_machine.travel(local(2026, 4, 1, 10, 0), tick=False):
        url = execute_url(case, "exam", trainer)
        page = client(trainer).get(url)
        assert page.status_code == 200 and 'data-action="record-exam"' in page.content.decode()
        client(trainer).post(url, {"action": "record-exam", "passed": "true", "score": "90"})
        assert Probation.objects.get(pk=case.pk).exam_passed is True

        url = execute_url(case, "assess")
        html = client(org.lead).get(url).content.decode()
        assert 'data-action="assess"' in html and 'data-action="extend"' in html
        response = client(org.lead).post(url, {"action": "extend", "months": "9", "reason": "x"})
        assert response.status_code == 400
        assert "1 to 3 months" in response.content.decode()
        client(org.lead).post(url, {"action": "assess", "outcome": "convert"})
        assert Probation.objects.get(pk=case.pk).state == "awaiting_approval"

        url = execute_url(case, "approval", org.gm)
        client(org.gm).post(url, {"action": "approve"})
        url = execute_url(case, "administer", org.admin)
        client(org.admin).post(url, {"action": "confirm", "effective_date": "2026-04-10"})
    assert Probation.objects.get(pk=case.pk).state == "confirmed"


def test_task_page_refuses_other_roles(org, case, trainee):
    url = execute_url(case, "assess")
    assert 'data-action="assess"' not in client(trainee).get(url).content.decode()
    assert client(org.colleague).get(url).status_code == 404
    assert client(trainee).post(url, {"action": "assess", "outcome": "convert"}).status_code == 400
    assert Probation.objects.get(pk=case.pk).state == "in_probation"


@time_machine.travel(local(2026, 3, 5, 10, 0), tick=False)
def test_prob4_apply_early_from_the_case_page(org, case, trainee, trainer):
    html = client(trainee).get(f"/probations/{case.pk}/").content.decode()
    assert "Not yet eligible" in html  # no scores, no exam
    score(trainee, dt.date(2026, 1, 1), 95)
    score(trainee, dt.date(2026, 2, 1), 93)
    act(trainer, case.pk, "record-exam", {"passed": True})
    html = client(trainee).get(f"/probations/{case.pk}/").content.decode()
    assert 'data-action="apply-early"' in html
    response = client(trainee).post(
        "/probations/apply/", {"statement": "申请提前转正"}, follow=True
    )
    assert response.status_code == 200
    assert Probation.objects.get(pk=case.pk).early_applied_at is not None


@time_machine.travel(local(2026, 3, 5, 10, 0), tick=False)
def test_prob4_apply_early_refusal_is_shown(org, case, trainee):
    response = client(trainee).post("/probations/apply/", {"statement": "x"}, follow=True)
    assert "PROB-4" in response.content.decode()
    assert Probation.objects.get(pk=case.pk).early_applied_at is None


def test_apply_refusal_never_redirects_off_the_site(org, case, trainee):
    response = client(trainee).post(
        "/probations/apply/", {"statement": "x", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
