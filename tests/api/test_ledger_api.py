"""The ledger's REST API (SCORE-9, SCORE-10): GET/POST ledger/, ledger/catalogue/, months/ and
a month's close and adjustment; who sees whom, every refusal with its code and rule in zh-hans
and en (never a 500), nothing saved by a refusal, and the list's queries constant in the size
of the department."""

from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from performance.ledger import ledger_record
from performance.ledger_close import month_close
from performance.models import Assessment, ScoreEvent
from performance.services import assessment_record
from tests.factories import DepartmentFactory
from tests.orgdata import employee
from tests.performance.ledger_helpers import IN_OCT, NOV_1, OCT, build_ledger

pytestmark = pytest.mark.django_db

URL = "/api/v1/ledger/"


def api(person, language="en"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(person.user)
    return client


@pytest.fixture
def ledger():
    return build_ledger()


@pytest.fixture
def in_oct():
    with time_machine.travel(IN_OCT, tick=False):
        yield


def post(person, employee_, language="en", **body):
    data = {
        "employee": employee_.pk,
        "month": "2026-10",
        "code": "top_of_team",
        "note": "本月工作量第一",
        **body,
    }
    return api(person, language).post(URL, data, format="json")


def refused(response, status, code, rule):
    body = response.json()
    assert response.status_code == status, body
    assert (body["code"], body["rule"]) == (code, rule), body
    return body


def book(ledger, who=None, code="top_of_team", points=None, note="好"):
    return ledger_record(
        actor=ledger.trainer.user,
        employee=who or ledger.agent,
        month=OCT,
        code=code,
        points=points,
        note=note,
    )


# --- who sees whom ------------------------------------------------------------------------------


def names(response) -> set:
    assert response.status_code == 200, response.json()
    return {row["name"] for row in response.json()}


def test_score_9_an_agent_sees_only_their_own_month(ledger, in_oct):
    assert names(api(ledger.agent).get(URL, {"month": "2026-10"})) == {"agent"}


def test_score_9_a_trainer_sees_their_departments_agents_and_themselves(ledger, in_oct):
    employee("trainer_b", department=ledger.lead.department, level="senior", roles=["trainer"])
    seen = names(api(ledger.trainer).get(URL, {"month": "2026-10"}))
    assert seen == {"trainer", "agent", "colleague"}  # not the lead, nor another trainer


def test_score_9_a_lead_sees_the_department(ledger, in_oct):
    seen = names(api(ledger.lead).get(URL, {"month": "2026-10"}))
    assert seen == {"lead", "trainer", "agent", "colleague"}


def test_score_9_administration_and_gm_office_see_everyone(ledger, in_oct):
    gm = employee("gm", department=ledger.admin.department, level=None, roles=["gm_office"])
    everyone = {"lead", "trainer", "agent", "colleague", "admin", "trainer2", "gm"}
    assert names(api(ledger.admin).get(URL, {"month": "2026-10"})) == everyone
    assert names(api(gm).get(URL, {"month": "2026-10"})) == everyone
    cs = ledger.lead.department_id
    assert names(api(ledger.admin).get(URL, {"month": "2026-10", "department": cs})) == {
        "lead",
        "trainer",
        "agent",
        "colleague",
    }


def test_score_9_someone_the_caller_may_not_see_is_a_404(ledger, in_oct):
    response = api(ledger.agent).get(URL, {"month": "2026-10", "employee": ledger.colleague.pk})
    refused(response, 404, "not_found", None)
    response = api(ledger.trainer).get(URL, {"month": "2026-10", "employee": 999999})
    refused(response, 404, "not_found", None)


def test_score_9_the_month_of_an_employee_with_events_and_running_score(ledger, in_oct):
    book(ledger)
    book(ledger, code="late_or_early", points=3, note="迟到 12 分钟")
    response = api(ledger.agent).get(URL, {"month": "2026-10", "employee": ledger.agent.pk})
    (row,) = response.json()
    assert (row["employee"], row["month"], row["closed"], row["running"]) == (
        ledger.agent.pk,
        "2026-10",
        False,
        True,
    )
    assert (Decimal(row["score"]), row["grade"], row["tier"]) == (Decimal(82), "B", 2)
    first, second = row["events"]
    assert set(first) >= {
        "id", "code", "label", "points", "fine", "note", "evidence", "kind", "recorded_by",
        "booked_at",
    }  # fmt: skip
    assert (first["code"], Decimal(first["points"]), first["kind"]) == ("top_of_team", 5, "event")
    assert first["recorded_by"] == ledger.trainer.pk
    assert (second["code"], Decimal(second["points"])) == ("late_or_early", -3)
    assert second["label"] == "Late arrival or early leave"


def test_score_10_a_closed_month_answers_its_frozen_score(ledger):
    with time_machine.travel(IN_OCT, tick=False):
        book(ledger)
    with time_machine.travel(NOV_1, tick=False):
        month_close(actor=ledger.admin.user, month=OCT)
        (row,) = api(ledger.agent).get(URL, {"month": "2026-10"}).json()
    assert (row["closed"], row["running"], Decimal(row["score"])) == (True, False, Decimal(85))


def test_the_month_defaults_to_the_current_one(ledger, in_oct):
    (row,) = api(ledger.agent).get(URL).json()
    assert row["month"] == "2026-10"


@pytest.mark.parametrize("month", ["2026-13", "10-2026", "2026-1", "abc", "2026-00", "２０２６-10"])
def test_a_bad_month_string_is_a_400_naming_it(ledger, in_oct, month):
    body = refused(api(ledger.agent).get(URL, {"month": month}), 400, "bad_month", None)
    assert body["field"] == "month" and "YYYY-MM" in body["detail"]


def test_a_month_not_begun_is_a_400(ledger, in_oct):
    refused(api(ledger.agent).get(URL, {"month": "2026-11"}), 400, "future_month", None)


def test_a_bad_month_speaks_chinese(ledger, in_oct):
    body = refused(api(ledger.agent, "zh-hans").get(URL, {"month": "x"}), 400, "bad_month", None)
    assert "月份" in body["detail"], body


def test_bad_filter_ids_are_a_400(ledger, in_oct):
    refused(api(ledger.admin).get(URL, {"employee": "x"}), 400, "invalid_employee", None)
    refused(api(ledger.admin).get(URL, {"department": "1.5"}), 400, "invalid_department", None)


# --- recording (SCORE-9, SCORE-10) --------------------------------------------------------------


def test_score_9_a_trainer_records_an_event_201_with_the_running_score(ledger, in_oct):
    response = post(ledger.trainer, ledger.agent, evidence="质检表")
    body = response.json()
    assert response.status_code == 201, body
    assert (body["employee"], body["month"], Decimal(body["running_score"])) == (
        ledger.agent.pk,
        "2026-10",
        Decimal(85),
    )
    assert (body["grade"], body["tier"]) == ("B", 2)
    event = ScoreEvent.objects.get()
    assert body["event"]["id"] == event.pk and body["event"]["evidence"] == "质检表"


def test_score_9_a_range_takes_the_figure_entered(ledger, in_oct):
    response = post(ledger.trainer, ledger.agent, code="late_or_early", points="4")
    assert response.status_code == 201 and Decimal(response.json()["running_score"]) == 76
    response = post(ledger.trainer, ledger.agent, code="late_or_early", points=2.5)
    assert response.status_code == 201 and Decimal(response.json()["running_score"]) == 73.5


def test_score_9_the_lead_records_about_a_trainer(ledger, in_oct):
    assert post(ledger.lead, ledger.trainer).status_code == 201


def test_score_9_an_agent_posting_is_refused(ledger, in_oct):
    refused(post(ledger.agent, ledger.colleague), 403, "not_recorder", "SCORE-9")
    refused(post(ledger.agent, ledger.agent), 403, "own_record", "SCORE-9")
    assert not ScoreEvent.objects.exists()


def test_score_9_a_trainer_recording_about_themselves_is_refused(ledger, in_oct):
    body = refused(post(ledger.trainer, ledger.trainer), 403, "own_record", "SCORE-9")
    assert "SCORE-9" in body["detail"]
    body = refused(post(ledger.trainer, ledger.trainer, "zh-hans"), 403, "own_record", "SCORE-9")
    assert "自己" in body["detail"], body
    assert not ScoreEvent.objects.exists()


def test_score_9_a_trainer_recording_a_trainer_is_refused(ledger, in_oct):
    other = employee(
        "trainer_b", department=ledger.lead.department, level="senior", roles=["trainer"]
    )
    body = refused(post(ledger.trainer, other), 403, "not_recorder", "SCORE-9")
    assert "客服部" in body["detail"]
    assert not ScoreEvent.objects.exists()


def test_score_9_someone_of_another_department_is_not_named(ledger, in_oct):
    body = refused(post(ledger.other_trainer, ledger.agent), 404, "unknown_employee", None)
    assert body["field"] == "employee"
    refused(post(ledger.trainer, ledger.agent, employee=999999), 404, "unknown_employee", None)
    refused(post(ledger.trainer, ledger.agent, employee="x"), 400, "invalid_employee", None)


def test_score_9_points_out_of_range_are_refused_naming_the_range(ledger, in_oct):
    body = refused(
        post(ledger.trainer, ledger.agent, code="late_or_early", points=7),
        400,
        "points_out_of_range",
        "SCORE-9",
    )
    assert "2" in body["detail"] and "5" in body["detail"] and body["field"] == "points"
    refused(
        post(ledger.trainer, ledger.agent, code="late_or_early"), 400, "points_required", "SCORE-9"
    )
    refused(
        post(ledger.trainer, ledger.agent, code="late_or_early", points="x"),
        400,
        "bad_points",
        None,
    )
    refused(
        post(ledger.trainer, ledger.agent, code="late_or_early", points=True),
        400,
        "bad_points",
        None,
    )
    assert not ScoreEvent.objects.exists()


def test_score_9_an_unknown_code_is_refused(ledger, in_oct):
    body = refused(post(ledger.trainer, ledger.agent, code="nap"), 400, "unknown_code", "SCORE-9")
    assert "nap" in body["detail"]
    refused(post(ledger.trainer, ledger.agent, code=""), 400, "unknown_code", "SCORE-9")
    refused(post(ledger.trainer, ledger.agent, code=5), 400, "invalid_code", None)


def test_score_9_a_note_is_required(ledger, in_oct):
    refused(post(ledger.trainer, ledger.agent, note=" "), 400, "note_required", "SCORE-9")
    refused(post(ledger.trainer, ledger.agent, note="a\x00b"), 400, "invalid_characters", None)


def test_score_9_a_bad_month_in_the_body_is_refused(ledger, in_oct):
    refused(post(ledger.trainer, ledger.agent, month="2026/10"), 400, "bad_month", None)
    refused(post(ledger.trainer, ledger.agent, month=None), 400, "bad_month", None)


def test_score_10_a_closed_month_takes_no_event(ledger):
    with time_machine.travel(NOV_1, tick=False):
        month_close(actor=ledger.admin.user, month=OCT)
        body = refused(post(ledger.trainer, ledger.agent), 409, "month_closed", "SCORE-10")
        assert "2026-10" in body["detail"]
        body = refused(
            post(ledger.trainer, ledger.agent, "zh-hans"), 409, "month_closed", "SCORE-10"
        )
        assert "2026-10" in body["detail"] and "调整" in body["detail"], body
    assert not ScoreEvent.objects.exists()


def test_score_10_an_imported_month_takes_no_event(ledger, in_oct):
    assessment_record(employee=ledger.agent, month=OCT, score=Decimal(88), source="import")
    body = refused(post(ledger.trainer, ledger.agent), 409, "imported_score", "SCORE-10")
    assert "88" in body["detail"]
    assert not ScoreEvent.objects.exists()
    (row,) = api(ledger.agent).get(URL, {"month": "2026-10"}).json()
    assert (Decimal(row["score"]), row["running"], row["source"]) == (88, False, "import")


def test_score_10_an_adjustment_is_not_recorded_as_an_event(ledger, in_oct):
    refused(
        post(ledger.trainer, ledger.agent, code="adjustment", points=3),
        400,
        "adjustment_only_after_close",
        "SCORE-10",
    )


def test_a_body_that_is_not_an_object_is_a_400(ledger, in_oct):
    response = api(ledger.trainer).post(URL, [1, 2], format="json")
    refused(response, 400, "invalid", None)


# --- the catalogue ------------------------------------------------------------------------------


def test_score_9_the_catalogue_in_the_request_language(ledger, in_oct):
    en = {e["code"]: e for e in api(ledger.agent).get(f"{URL}catalogue/?month=2026-10").json()}
    zh = {
        e["code"]: e
        for e in api(ledger.agent, "zh-hans").get(f"{URL}catalogue/", {"month": "2026-10"}).json()
    }
    assert en["late_or_early"]["label"] == "Late arrival or early leave"
    assert zh["late_or_early"]["label"] == "迟到早退"
    late = en["late_or_early"]
    assert (late["kind"], late["band"], late["points"], late["min"], late["max"]) == (
        "deduction",
        "light",
        None,
        "2",
        "5",
    )
    assert (en["top_of_team"]["points"], en["absenteeism"]["fine"]) == ("5", "30")
    assert en["adjustment"]["recordable"] is False and en["top_of_team"]["recordable"] is True
    refused(api(ledger.agent).get(f"{URL}catalogue/?month=13"), 400, "bad_month", None)


# --- the months (SCORE-10) ----------------------------------------------------------------------


def test_score_10_months_with_their_state(ledger):
    with time_machine.travel(IN_OCT, tick=False):
        book(ledger)
    with time_machine.travel(NOV_1, tick=False):
        months = api(ledger.admin).get("/api/v1/months/").json()
        assert [m["month"] for m in months[:2]] == ["2026-11", "2026-10"] and len(months) == 12
        oct_ = months[1]
        assert (oct_["state"], oct_["ended"], oct_["closes_on"], oct_["closed_at"]) == (
            "open",
            True,
            "2026-11-03",
            None,
        )
        assert oct_["counts"]["events"] == 1 and oct_["counts"]["open_with_events"] == 1
        month_close(actor=ledger.admin.user, month=OCT)
        oct_ = api(ledger.admin).get("/api/v1/months/", {"count": 2}).json()[1]
    assert (oct_["state"], oct_["closed_by"]) == ("closed", "admin")
    assert oct_["counts"]["closed"] == oct_["counts"]["people"] == 5  # the admin is off the ladder
    refused(api(ledger.admin).get("/api/v1/months/?count=99"), 400, "invalid_count", None)


def test_score_10_only_administration_and_the_gm_office_read_the_months(ledger, in_oct):
    gm = employee("gm", department=ledger.admin.department, level=None, roles=["gm_office"])
    assert api(gm).get("/api/v1/months/").status_code == 200
    for person in (ledger.trainer, ledger.lead, ledger.agent):
        refused(api(person).get("/api/v1/months/"), 403, "wrong_role", "SCORE-10")


def test_score_10_administration_closes_a_month(ledger):
    with time_machine.travel(IN_OCT, tick=False):
        book(ledger)
    with time_machine.travel(NOV_1, tick=False):
        response = api(ledger.admin).post("/api/v1/months/2026-10/close/", {}, format="json")
        body = response.json()
        assert response.status_code == 200, body
        assert (body["month"], body["computed"], body["closed"], body["already"]) == (
            "2026-10",
            5,
            5,
            0,
        )
        assert body["scores"][str(ledger.agent.pk)] == "85.0"
        again = api(ledger.admin).post("/api/v1/months/2026-10/close/", {}, format="json").json()
    assert (again["closed"], again["already"]) == (0, 5)


def test_score_10_a_department_is_closed_alone(ledger):
    with time_machine.travel(NOV_1, tick=False):
        body = (
            api(ledger.admin)
            .post(
                "/api/v1/months/2026-10/close/",
                {"department": ledger.lead.department_id},
                format="json",
            )
            .json()
        )
        assert (body["department"], body["closed"]) == (ledger.lead.department_id, 4)
        state = api(ledger.admin).get("/api/v1/months/").json()[1]["state"]
        assert state == "partly_closed"
        response = api(ledger.admin).post(
            "/api/v1/months/2026-10/close/", {"department": 999999}, format="json"
        )
    refused(response, 400, "unknown_department", None)


def test_score_10_only_administration_closes(ledger):
    with time_machine.travel(NOV_1, tick=False):
        for person in (ledger.trainer, ledger.lead, ledger.agent):
            response = api(person).post("/api/v1/months/2026-10/close/", {}, format="json")
            refused(response, 403, "wrong_role", "SCORE-10")
    assert not Assessment.objects.exists()


def test_score_10_a_month_not_ended_is_not_closed(ledger, in_oct):
    body = refused(
        api(ledger.admin).post("/api/v1/months/2026-10/close/", {}, format="json"),
        400,
        "month_not_ended",
        "SCORE-10",
    )
    assert "2026-10" in body["detail"]
    refused(
        api(ledger.admin).post("/api/v1/months/2026-x/close/", {}, format="json"),
        400,
        "bad_month",
        None,
    )


def test_score_10_administration_adjusts_a_closed_month(ledger):
    with time_machine.travel(IN_OCT, tick=False):
        book(ledger)
    with time_machine.travel(NOV_1, tick=False):
        month_close(actor=ledger.admin.user, month=OCT)
        response = api(ledger.admin).post(
            "/api/v1/months/2026-10/adjust/",
            {"employee": ledger.agent.pk, "points": "-6", "reason": "质检复核"},
            format="json",
        )
    body = response.json()
    assert response.status_code == 200, body
    assert body["before"] == {"score": "85.0", "grade": "B", "tier": 2}
    assert body["after"] == {"score": "79.0", "grade": "C", "tier": 3}
    assert body["changed"] == ["grade", "score", "tier"]
    assert body["event"]["kind"] == "adjustment" and body["event"]["note"] == "质检复核"
    assert Assessment.objects.get(employee=ledger.agent, month=OCT).score == Decimal(79)


def test_score_10_adjustment_refusals(ledger):
    url = "/api/v1/months/2026-10/adjust/"
    good = {"employee": ledger.agent.pk, "points": "-6", "reason": "复核"}
    with time_machine.travel(NOV_1, tick=False):
        refused(api(ledger.admin).post(url, good, format="json"), 409, "month_open", "SCORE-10")
        month_close(actor=ledger.admin.user, month=OCT)
        refused(api(ledger.trainer).post(url, good, format="json"), 403, "wrong_role", "SCORE-10")
        refused(
            api(ledger.admin).post(url, {**good, "reason": ""}, format="json"),
            400,
            "reason_required",
            "SCORE-10",
        )
        refused(
            api(ledger.admin).post(url, {**good, "points": "500"}, format="json"),
            400,
            "points_out_of_range",
            "SCORE-9",
        )
        refused(
            api(ledger.admin).post(url, {**good, "employee": ledger.admin.pk}, format="json"),
            403,
            "own_record",
            "SCORE-9",
        )
    assert not ScoreEvent.objects.exists()


# --- queries (issue 13: a department of 20 and of 200 cost the same) ----------------------------


def _department_of(size: int, code: str):
    department = DepartmentFactory(code=code, name=code)
    lead = employee(f"{code}-lead", department=department, level="reserve_supervisor",
                    roles=["department_lead"])  # fmt: skip
    department.lead = lead
    department.save()
    trainer = employee(f"{code}-trainer", department=department, level="senior", roles=["trainer"])
    agents = [employee(f"{code}-{i}", department=department) for i in range(size - 2)]
    for agent in agents[:5]:
        ledger_record(actor=trainer.user, employee=agent, month=OCT, code="top_of_team", note="好")
    return lead, trainer


def _queries(person, url) -> int:
    client = api(person)
    client.get(url)  # warm the caches (policy, content types), as a running server has them
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.json())


def test_score_9_the_ledger_list_costs_the_same_queries_for_20_and_200_people(in_oct):
    small_lead, small_trainer = _department_of(20, "small")
    big_lead, big_trainer = _department_of(200, "big")
    url = f"{URL}?month=2026-10&page_size=200"
    small, big = _queries(small_lead, url), _queries(big_lead, url)
    assert (small[1], big[1]) == (20, 200)
    print("queries (20, 200):", small, big)
    assert small[0] == big[0], (small, big)
    small, big = _queries(small_trainer, url), _queries(big_trainer, url)
    assert (small[1], big[1]) == (19, 199)
    print("queries (20, 200):", small, big)
    assert small[0] == big[0], (small, big)


def test_schema_describes_the_ledger_without_warnings(ledger, capsys):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    for path in ("/api/v1/ledger/", "/api/v1/ledger/catalogue/", "/api/v1/months/",
                 "/api/v1/months/{month}/close/", "/api/v1/months/{month}/adjust/"):  # fmt: skip
        assert path in paths, sorted(paths)
    assert set(paths["/api/v1/ledger/"]["post"]["responses"]) >= {"201", "400", "403", "409"}
    captured = capsys.readouterr()
    mine = [
        line
        for line in (captured.out + captured.err).splitlines()
        if "ledger" in line.lower() or "month" in line.lower()
    ]
    assert not mine, mine
