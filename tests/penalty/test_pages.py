"""PEN-2 on the page: a refused slip is shown on the form in the reader's language, what was
typed is kept, and nothing is saved; a served slip goes to its case page."""

import pytest
from django.test import Client

from approvals.penalty.models import Penalty

pytestmark = pytest.mark.django_db


def client(person, language="zh-hans"):
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(person.user)
    return c


def form(org, **extra):
    return {
        "employee": org.agent.pk,
        "facts": "3月2日迟到25分钟",
        "rule": "考勤制度第3条",
        "evidence": "打卡记录",
        "sanction": "verbal_warning",
        **extra,
    }


def test_pen2_a_refused_slip_is_shown_on_the_form_and_nothing_is_saved(org):
    response = client(org.lead, "en").post("/penalties/new/", form(org, evidence=" "))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="form-error" data-field="evidence"' in page
    assert "A written evidence is required." in page
    assert "3月2日迟到25分钟" in page  # what was typed is kept
    assert Penalty.objects.count() == 0


def test_pen2_a_colleague_cannot_serve_a_slip_on_the_page(org):
    response = client(org.colleague).post("/penalties/new/", form(org))
    assert response.status_code == 400
    assert Penalty.objects.count() == 0


def test_pen2_the_lead_serves_a_slip_on_the_page(org):
    response = client(org.lead).post("/penalties/new/", form(org))
    penalty = Penalty.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/penalties/{penalty.pk}/"
    assert penalty.state == "served"
