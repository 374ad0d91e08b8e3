"""Issue 11, findings 3 and 4: no input, valid JSON or not, reaches a 500. Every refusal is a
400 (404 for an id that cannot exist) with the body {"code", "detail", "rule"} naming the field
and the limit, and a refused request writes nothing."""

import pytest
import time_machine

from api.urls import router
from approvals.attendance.models import ShiftSwap
from approvals.penalty.models import Penalty
from audit.models import AuditEvent
from notifications.models import OutboxMessage
from tests.attendance.helpers import PUNCHES, SWAPS, client_for, local, swap_body
from tests.events import dispatched

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("monday")]


@pytest.fixture
def monday():
    with time_machine.travel(local(2026, 3, 2, 20, 0), tick=False):
        yield


def post(employee, url, body, language=None):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    return client_for(employee).post(url, body, format="json", **headers)


def post_raw(employee, url, raw: str):
    return client_for(employee).post(url, raw, content_type="application/json")


def assert_refused(response, code, field=None, status=400):
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == code and body["detail"] and "rule" in body, body
    if field is not None:
        assert body["field"] == field, body
    return body


def test_finding3_far_future_swap_is_refused_and_nothing_written(org):
    counts = (ShiftSwap.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count())
    body = swap_body(org.colleague, shift_end="9999-12-31T23:59:59+00:00")
    with dispatched():
        response = post(org.agent, f"/api/v1/{SWAPS}/", body, language="en")
    detail = assert_refused(response, "date_out_of_range", "shift_end")["detail"]
    assert "9999-12-31" in detail and "1970-01-01" in detail and "2036-03-02" in detail
    assert counts == (
        ShiftSwap.objects.count(),
        AuditEvent.objects.count(),
        OutboxMessage.objects.count(),
    )
    assert client_for(org.lead).get(f"/api/v1/{SWAPS}/").status_code == 200


def test_finding3_refusal_in_chinese(org):
    body = swap_body(org.colleague, shift_start="0001-01-01T00:00:00")
    detail = assert_refused(
        post(org.agent, f"/api/v1/{SWAPS}/", body, language="zh-hans"), "date_out_of_range"
    )["detail"]
    assert "0001-01-01" in detail and "日期" in detail


BAD_IDS = ["abc", "²", "1.5", "-1", "99999999999999999999999", "0"]


def test_finding4_non_numeric_id_is_404_on_every_route(org):
    client = client_for(org.gm)
    routes = []
    for url in router.urls:
        pattern = url.pattern.regex.pattern
        if "(?P<pk>" not in pattern:
            continue
        prefix, rest = pattern.lstrip("^").split("(?P<pk>", 1)
        suffix = rest.split(")", 1)[1].rstrip("$")
        suffix = suffix.replace("\\.(?P<format>[a-z0-9]+)/?", "")
        if "(?P" in suffix:
            continue
        routes.append((prefix, suffix.replace("\\", ""), list(url.callback.actions)))
    assert len(routes) > 40, routes
    for prefix, suffix, methods in routes:
        for bad in BAD_IDS:
            path = f"/api/v1/{prefix}{bad}/{suffix.lstrip('/')}"
            for method in methods:
                # attachments take multipart (anything else is a 415 before the id is read)
                fmt = "multipart" if "attachments" in suffix else "json"
                response = getattr(client, method)(path, {}, format=fmt)
                assert response.status_code == 404, (method, path, response.status_code)
                # notices/<id>/ routes digits only: another id is no URL (Django's 404); DRF
                # adds HEAD to a GET route once it has been called (no body).
                json_body = response.get("Content-Type", "").startswith("application/json")
                if json_body and method != "head":
                    assert response.json()["code"] == "not_found", path


def test_finding4_huge_task_id_claim_is_404(org):
    response = post(org.gm, "/api/v1/inbox/99999999999999999999999/claim/", {})
    assert response.status_code == 404


TEXT_BODIES = [
    (SWAPS, "reason", lambda org: swap_body(org.colleague)),
    (PUNCHES, "reason", lambda org: {"missed_at": "2026-03-02T09:00:00+08:00", "reason": "x"}),
    (
        "leaves",
        "reason",
        lambda org: {
            "kind": "personal",
            "start": "2026-03-09T09:00+08:00",
            "end": "2026-03-09T18:00+08:00",
            "reason": "x",
        },
    ),
]


@pytest.mark.parametrize("resource,field,body", TEXT_BODIES)
def test_finding4_nul_byte_in_text_is_400(org, resource, field, body):
    data = {**body(org), field: "家里\x00有事"}
    assert_refused(post(org.agent, f"/api/v1/{resource}/", data), "invalid_characters", field)


def test_finding4_nul_byte_in_a_penalty_is_400_and_nothing_written(org):
    before = Penalty.objects.count()
    body = {
        "employee": org.agent.pk,
        "facts": "迟到\x00",
        "rule": "第3条",
        "sanction": "verbal_warning",
        "evidence": "记录",
    }
    assert_refused(post(org.lead, "/api/v1/penalties/", body), "invalid_characters", "facts")
    assert Penalty.objects.count() == before


def test_finding4_nul_byte_in_a_key_or_an_action_body_is_400(org):
    assert_refused(post(org.agent, f"/api/v1/{SWAPS}/", {"a\x00": 1}), "invalid_characters")
    swap = post(org.agent, f"/api/v1/{SWAPS}/", swap_body(org.colleague)).json()["id"]
    assert_refused(
        post(org.colleague, f"/api/v1/{SWAPS}/{swap}/consent/", {"comment": "好\x00"}),
        "invalid_characters",
        "comment",
    )


def test_finding4_lone_surrogate_is_400(org):
    raw = '{"missed_at": "2026-03-02T09:00:00+08:00", "reason": "\\ud800"}'
    assert_refused(post_raw(org.agent, f"/api/v1/{PUNCHES}/", raw), "invalid_characters", "reason")
    raw = '{"missed_at": "2026-03-02T09:00:00+08:00", "reason": "ok", "x": ["\\udfff"]}'
    assert_refused(post_raw(org.agent, f"/api/v1/{PUNCHES}/", raw), "invalid_characters", "x[0]")


@pytest.mark.parametrize("depth", [21, 5000, 100_000])  # 20 levels are fine
def test_finding4_deep_nesting_is_400(org, depth):
    raw = "[" * depth + "]" * depth
    body = assert_refused(post_raw(org.agent, f"/api/v1/{PUNCHES}/", raw), "too_deep")
    assert "20" in body["detail"]


def test_finding4_non_finite_number_is_400(org):
    raw = '{"missed_at": "2026-03-02T09:00:00+08:00", "reason": "x", "n": 1e999}'
    assert_refused(post_raw(org.agent, f"/api/v1/{PUNCHES}/", raw), "invalid_number", "n")


def test_finding4_overlong_rule_is_400(org):
    before = Penalty.objects.count()
    body = {
        "employee": org.agent.pk,
        "facts": "迟到",
        "rule": "条" * 201,
        "sanction": "verbal_warning",
        "evidence": "记录",
    }
    detail = assert_refused(
        post(org.lead, "/api/v1/penalties/", body, language="en"), "rule_too_long", "rule"
    )["detail"]
    assert "201" in detail and "200" in detail
    assert Penalty.objects.count() == before
    body["rule"] = "条" * 200
    assert post(org.lead, "/api/v1/penalties/", body).status_code == 201


def test_finding4_overlong_reason_is_400(org):
    body = {"missed_at": "2026-03-02T09:00:00+08:00", "reason": "x" * 10_001}
    assert_refused(post(org.agent, f"/api/v1/{PUNCHES}/", body), "reason_too_long", "reason")


@pytest.mark.parametrize(
    "resource,field,body",
    [
        (
            "leaves",
            "start",
            {
                "kind": "personal",
                "start": "9999-03-09T09:00+08:00",
                "end": "9999-03-09T18:00+08:00",
                "reason": "x",
            },
        ),
        (
            "leaves",
            "end",
            {
                "kind": "personal",
                "start": "2026-03-09T09:00+08:00",
                "end": "9999-12-31T23:59:59",
                "reason": "x",
            },
        ),
        (PUNCHES, "missed_at", {"missed_at": "9999-12-31T23:59:59+00:00", "reason": "x"}),
        (PUNCHES, "missed_at", {"missed_at": "0001-01-01T00:00:00+08:00", "reason": "x"}),
    ],
)
def test_finding4_year_9999_dates_are_400(org, resource, field, body):
    assert_refused(post(org.agent, f"/api/v1/{resource}/", body), "date_out_of_range", field)


def test_finding4_dates_at_the_window_edges(org):
    """Ten years ahead is the last accepted day (a leave on it is fine), the day after is not."""
    ok = {
        "kind": "personal",
        "start": "2036-03-02T09:00+08:00",
        "end": "2036-03-02T18:00+08:00",
        "reason": "x",
    }
    assert post(org.agent, "/api/v1/leaves/", ok).status_code == 201
    late = {**ok, "start": "2036-03-03T09:00+08:00", "end": "2036-03-03T18:00+08:00"}
    assert_refused(post(org.agent, "/api/v1/leaves/", late), "date_out_of_range", "start")
