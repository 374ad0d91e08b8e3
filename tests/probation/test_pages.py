"""Probation pages: the case summary, task pages with their action forms (ActionForm), the
probationer's early conversion button (PROB-4) and the home page lists (PROB-1..PROB-3)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from viewflow.workflow.models import Task

from approvals.probation.models import Probation
from workflows.inbox import task_url
from workflows.probation import ProbationFlow

from .helpers import act, local, score

pytestmark = pytest.mark.django_db


def client(person) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(person.user)
    return c


def execute_url(case, node, person=None):
    """The task's execute page; a role-queue task is first taken from the queue by `person`."""
    task = Task.objects.get(
        process__artifact_object_id=case.pk,
        flow_task=ProbationFlow.instance.node(node),
        status__in=["NEW", "ASSIGNED"],
    )
    base = task_url(task).rstrip("/")
    if person is not None and task.status == "NEW":
        assert client(person).post(base + "/assign/").status_code in (200, 302)
    return base + "/execute/"


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
        response = client(org.lead).post(
            url, {"action": "extend", "months": "9", "reason": "x"}, follow=True
        )
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
    for intruder in (trainee, org.colleague):
        assert client(intruder).get(url).status_code in (403, 404)
    client(trainee).post(url, {"action": "assess", "outcome": "convert"})
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
