"""The ledger's pages (SCORE-9, SCORE-10): /ledger/ (trainers and leads record events),
/ledger/me/ (one's own month, event by event), /months/ (administration closes and adjusts),
and the home page's block. Every refusal is shown on the form with its rule, in zh-hans and
en, with nothing saved; the ledger page of a department of 20 and of 200 costs the same
queries."""

from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from performance.ledger import ledger_record
from performance.ledger_close import month_close
from performance.models import Assessment, ScoreEvent
from performance.services import assessment_record
from tests.factories import DepartmentFactory
from tests.orgdata import employee
from tests.performance.ledger_helpers import IN_OCT, NOV_1, OCT, build_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger():
    return build_ledger()


@pytest.fixture
def in_oct():
    with time_machine.travel(IN_OCT, tick=False):
        yield


def browser(person, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(person.user)
    client.cookies["django_language"] = language
    return client


def record(client, who, **fields):
    data = {"month": "2026-10", "employee": who.pk, "code": "top_of_team", "note": "第一", **fields}
    return client.post("/ledger/?month=2026-10", data)


def book(ledger, who=None, code="top_of_team", points=None, note="好"):
    return ledger_record(
        actor=ledger.trainer.user,
        employee=who or ledger.agent,
        month=OCT,
        code=code,
        points=points,
        note=note,
    )


def text(response) -> str:
    return response.content.decode()


# --- /ledger/ -----------------------------------------------------------------------------------


def test_score_9_the_trainer_sees_their_agents_and_the_form(ledger, in_oct):
    book(ledger)
    page = text(browser(ledger.trainer).get("/ledger/?month=2026-10"))
    assert 'data-testid="record-form"' in page and 'data-testid="record-submit"' in page
    assert 'name="code"' in page and "2…5" in page  # late_or_early's range, shown
    assert ">agent<" in page and ">colleague<" in page and ">lead<" not in page
    assert 'data-testid="running-score">85<' in page
    # The person select holds only whom the trainer records: not themselves (SCORE-9).
    select = page.split('name="employee" id="record-employee"')[1].split("</select>")[0]
    assert f'value="{ledger.agent.pk}"' in select
    assert f'value="{ledger.trainer.pk}"' not in select


def test_score_9_a_trainer_records_and_is_sent_back_with_a_message(ledger, in_oct):
    client = browser(ledger.trainer)
    response = record(client, ledger.agent, evidence="质检表")
    assert response.status_code == 302 and response["Location"] == "/ledger/?month=2026-10"
    event = ScoreEvent.objects.get()
    assert (event.employee, event.code, event.evidence) == (ledger.agent, "top_of_team", "质检表")
    page = text(client.get(response["Location"]))
    assert "Running score of 2026-10: 85" in page


def test_score_9_a_range_takes_the_points_entered(ledger, in_oct):
    response = record(browser(ledger.trainer), ledger.agent, code="late_or_early", points="3")
    assert response.status_code == 302
    assert ScoreEvent.objects.get().points == Decimal(-3)


def test_score_9_the_lead_records_about_trainers(ledger, in_oct):
    page = text(browser(ledger.lead).get("/ledger/?month=2026-10"))
    select = page.split('name="employee" id="record-employee"')[1].split("</select>")[0]
    assert f'value="{ledger.trainer.pk}"' in select and f'value="{ledger.agent.pk}"' not in select
    assert record(browser(ledger.lead), ledger.trainer).status_code == 302


def test_score_9_an_agent_is_sent_to_their_own_month_and_cannot_post(ledger, in_oct):
    client = browser(ledger.agent)
    assert client.get("/ledger/")["Location"] == "/ledger/me/"
    response = record(client, ledger.colleague)
    assert response.status_code == 302 and response["Location"] == "/ledger/me/"
    assert not ScoreEvent.objects.exists()


def refused_on_form(response, rule: str | None, *words) -> str:
    page = text(response)
    assert response.status_code == 400, page[:500]
    error = page.split('data-testid="form-error"')[1].split("</p>")[0]
    if rule:
        assert f"({rule})" in error, error
    for word in words:
        assert word in error, error
    assert not ScoreEvent.objects.exists()
    return error


def test_score_9_a_trainer_recording_about_themselves_is_refused_on_the_form(ledger, in_oct):
    refused_on_form(record(browser(ledger.trainer), ledger.trainer), "SCORE-9", "themselves")
    refused_on_form(record(browser(ledger.trainer, "zh-hans"), ledger.trainer), "SCORE-9", "自己")


def test_score_9_a_trainer_recording_a_trainer_is_refused(ledger, in_oct):
    other = employee(
        "trainer_b", department=ledger.lead.department, level="senior", roles=["trainer"]
    )
    refused_on_form(record(browser(ledger.trainer), other), "SCORE-9", "客服部")


def test_score_10_a_closed_month_is_refused_on_the_form(ledger):
    with time_machine.travel(NOV_1, tick=False):
        month_close(actor=ledger.admin.user, month=OCT)
        refused_on_form(record(browser(ledger.trainer), ledger.agent), "SCORE-10", "2026-10")
        error = refused_on_form(
            record(browser(ledger.trainer, "zh-hans"), ledger.agent), "SCORE-10"
        )
        assert "调整" in error


def test_score_10_an_imported_month_is_refused_on_the_form(ledger, in_oct):
    assessment_record(employee=ledger.agent, month=OCT, score=Decimal(88), source="import")
    refused_on_form(record(browser(ledger.trainer), ledger.agent), "SCORE-10", "88")


def test_score_9_points_out_of_range_are_refused_with_the_range(ledger, in_oct):
    response = record(browser(ledger.trainer), ledger.agent, code="late_or_early", points="9")
    error = refused_on_form(response, "SCORE-9", "9", "2..5")
    assert 'value="9"' in text(response)  # what was typed is kept
    assert error


def test_a_bad_month_and_an_unknown_code_are_refused(ledger, in_oct):
    refused_on_form(record(browser(ledger.trainer), ledger.agent, month="2026-13"), None, "YYYY-MM")
    refused_on_form(record(browser(ledger.trainer), ledger.agent, code="nap"), "SCORE-9", "nap")
    refused_on_form(record(browser(ledger.trainer, "zh-hans"), ledger.agent, code="nap"), "SCORE-9")
    response = browser(ledger.trainer).get("/ledger/?month=banana")
    assert response.status_code == 400 and "YYYY-MM" in text(response)


# --- /ledger/me/ --------------------------------------------------------------------------------


def test_score_9_my_month_event_by_event_with_the_score_after_each(ledger, in_oct):
    book(ledger)
    book(ledger, code="late_or_early", points=3, note="迟到 12 分钟")
    book(ledger, code="games_or_films", note="看电影")
    page = text(browser(ledger.agent).get("/ledger/me/?month=2026-10"))
    afters = [part.split("<")[0] for part in page.split('data-testid="score-after">')[1:]]
    assert afters == ["85", "82", "72"]
    assert 'data-testid="running-score">72<' in page and 'data-testid="grade">C<' in page
    assert "2026-11-03" in page  # the close day of the policy
    assert "迟到 12 分钟" in page and "{% block" not in page


def test_score_10_my_closed_month_says_so(ledger):
    with time_machine.travel(IN_OCT, tick=False):
        book(ledger)
    with time_machine.travel(NOV_1, tick=False):
        month_close(actor=ledger.admin.user, month=OCT)
        page = text(browser(ledger.agent).get("/ledger/me/?month=2026-10"))
        zh = text(browser(ledger.agent, "zh-hans").get("/ledger/me/?month=2026-10"))
    assert "Closed on 2026-11-01" in page
    assert "2026-11-01" in zh and "Closed on" not in zh


def test_my_month_shows_only_my_events(ledger, in_oct):
    book(ledger, who=ledger.colleague, note="同事的事件")
    page = text(browser(ledger.agent).get("/ledger/me/?month=2026-10"))
    assert "同事的事件" not in page and 'data-testid="running-score">80<' in page


def test_home_shows_this_months_running_score(ledger, in_oct):
    book(ledger)
    page = text(browser(ledger.agent).get("/"))
    assert 'data-testid="home-running-score">85<' in page and "/ledger/me/" in page


# --- /months/ -----------------------------------------------------------------------------------


def test_score_10_months_page_is_for_administration(ledger, in_oct):
    assert browser(ledger.admin).get("/months/").status_code == 200
    for person in (ledger.trainer, ledger.lead, ledger.agent):
        assert browser(person).get("/months/").status_code == 404
        assert browser(person).post("/months/2026-09/close/").status_code == 404
        assert browser(person).post("/months/adjust/", {"month": "2026-09"}).status_code == 404


def test_score_10_close_with_a_confirm_step(ledger):
    with time_machine.travel(IN_OCT, tick=False):
        book(ledger)
    with time_machine.travel(NOV_1, tick=False):
        client = browser(ledger.admin)
        page = text(client.get("/months/"))
        assert 'data-testid="close-button"' in page and "/months/2026-10/close/" in page
        confirm = client.get("/months/2026-10/close/")
        assert 'data-testid="close-confirm"' in text(confirm)
        assert not Assessment.objects.exists()  # the GET only asks
        response = client.post("/months/2026-10/close/", {"department": ""})
        assert response.status_code == 302 and response["Location"] == "/months/"
        assert "2026-10 closed: 5 scores computed" in text(client.get("/months/"))
    assert Assessment.objects.get(employee=ledger.agent, month=OCT).closed_at is not None


def test_score_10_closing_a_month_not_ended_is_refused_on_the_page(ledger, in_oct):
    response = browser(ledger.admin).post("/months/2026-10/close/", {})
    assert response.status_code == 400 and "(SCORE-10)" in text(response)
    assert not Assessment.objects.exists()


def test_score_10_adjust_a_closed_month(ledger):
    with time_machine.travel(IN_OCT, tick=False):
        book(ledger)
    with time_machine.travel(NOV_1, tick=False):
        month_close(actor=ledger.admin.user, month=OCT)
        client = browser(ledger.admin)
        assert 'data-testid="adjust-form"' in text(client.get("/months/"))
        data = {"month": "2026-10", "employee": ledger.agent.pk, "points": "-6", "reason": "复核"}
        response = client.post("/months/adjust/", data)
        assert response.status_code == 302
        assert "85.0 → 79.0" in text(client.get("/months/"))
        response = client.post("/months/adjust/", {**data, "reason": ""})
        assert response.status_code == 400 and "(SCORE-10)" in text(response)
    assert Assessment.objects.get(employee=ledger.agent, month=OCT).score == Decimal(79)


# --- queries ------------------------------------------------------------------------------------


def _department_of(size: int, code: str):
    department = DepartmentFactory(code=code, name=code)
    lead = employee(
        f"{code}-lead", department=department, level="reserve_supervisor", roles=["department_lead"]
    )
    department.lead = lead
    department.save()
    trainer = employee(f"{code}-trainer", department=department, level="senior", roles=["trainer"])
    agents = [employee(f"{code}-{i}", department=department) for i in range(size - 2)]
    for agent in agents[:5]:
        ledger_record(actor=trainer.user, employee=agent, month=OCT, code="top_of_team", note="好")
    return lead, trainer


def _queries(person) -> tuple[int, int]:
    client = browser(person)
    client.get("/ledger/?month=2026-10")  # warm the caches a running server has
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/ledger/?month=2026-10")
    assert response.status_code == 200
    return len(queries), text(response).count('data-testid="ledger-row"')


def test_score_9_the_ledger_page_costs_the_same_queries_for_20_and_200_people(in_oct):
    small_lead, small_trainer = _department_of(20, "small")
    big_lead, big_trainer = _department_of(200, "big")
    small, big = _queries(small_trainer), _queries(big_trainer)
    assert (small[1], big[1]) == (19, 199)
    print("queries (20, 200):", small, big)
    assert small[0] == big[0], (small, big)
    small, big = _queries(small_lead), _queries(big_lead)
    assert (small[1], big[1]) == (20, 200)
    print("queries (20, 200):", small, big)
    assert small[0] == big[0], (small, big)


def test_score_9_the_gm_office_reads_the_ledger_and_records_nothing(ledger, in_oct):
    gm = employee("gm", department=ledger.admin.department, level=None, roles=["gm_office"])
    page = text(browser(gm).get(f"/ledger/?month=2026-10&department={ledger.lead.department_id}"))
    assert ">agent<" in page and ">trainer2<" not in page
    assert 'data-testid="record-form"' not in page
    response = record(browser(gm), ledger.agent)
    refused_on_form(response, "SCORE-9")


def test_my_month_is_a_404_for_a_user_who_is_no_employee(ledger, in_oct):
    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory(username="robot"))
    assert client.get("/ledger/me/").status_code == 404


def test_the_ledger_pages_speak_chinese(ledger, in_oct):
    book(ledger)
    ledger_page = text(browser(ledger.trainer, "zh-hans").get("/ledger/?month=2026-10"))
    assert "月度考核台账 2026-10" in ledger_page and "登记考核事件" in ledger_page
    assert "迟到早退" in ledger_page
    mine = text(browser(ledger.agent, "zh-hans").get("/ledger/me/?month=2026-10"))
    assert "我的考核 2026-10" in mine and "进行中:本月将于 2026-11-03 月结" in mine
    months = text(browser(ledger.admin, "zh-hans").get("/months/"))
    assert "调整已月结的月份" in months and "月结日" in months


def test_score_10_too_many_people_to_list_take_an_id_or_a_department(ledger, monkeypatch):
    monkeypatch.setattr("workflows.ledger_views.SELECT_MAX", 3)
    with time_machine.travel(NOV_1, tick=False):
        month_close(actor=ledger.admin.user, month=OCT)
        client = browser(ledger.admin)
        page = text(client.get("/months/"))
        assert '<input type="number" name="employee" id="adjust-employee"' in page
        page = text(client.get(f"/months/?department={ledger.lead.department_id}"))
        assert '<select name="employee" id="adjust-employee">' not in page  # 4 people: still many
        page = text(client.get(f"/months/?department={ledger.other_trainer.department_id}"))
        assert '<select name="employee" id="adjust-employee">' in page
        data = {"month": "2026-10", "employee": ledger.agent.pk, "points": "2", "reason": "复核"}
        assert client.post("/months/adjust/", data).status_code == 302
