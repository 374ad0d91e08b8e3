"""Driving shift swaps and punch make-ups through the REST API (API.md) in tests."""

from tests.penalty.helpers import client_for, inbox, local  # noqa: F401  (re-exported)

SWAPS, PUNCHES = "shift-swaps", "punch-corrections"


def swap_body(colleague, **over) -> dict:
    """A swap of Thursday's shift for Friday's (the tests run on Monday 2026-03-02)."""
    body = {
        "colleague": colleague.pk,
        "shift_start": "2026-03-05T09:00:00+08:00",
        "shift_end": "2026-03-05T18:00:00+08:00",
        "colleague_shift_start": "2026-03-06T09:00:00+08:00",
        "colleague_shift_end": "2026-03-06T18:00:00+08:00",
        "reason": "家里有事",
    }
    body.update(over)
    return body


def create(resource, employee, body, expect=201, language=None):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client_for(employee).post(f"/api/v1/{resource}/", body, format="json", **headers)
    assert response.status_code == expect, response.json()
    return response.json()


def request_swap(employee, colleague, expect=201, **over):
    return create(SWAPS, employee, swap_body(colleague, **over), expect=expect)


def request_punch(employee, missed_at, reason="忘记打卡", expect=201, language=None):
    body = {"missed_at": missed_at, "reason": reason}
    return create(PUNCHES, employee, body, expect=expect, language=language)


def act(resource, employee, case_id, action, body=None, expect=200, language=None):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client_for(employee).post(
        f"/api/v1/{resource}/{case_id}/{action}/", body or {}, format="json", **headers
    )
    assert response.status_code == expect, response.json()
    return response.json()


def read(resource, employee, case_id, expect=200):
    response = client_for(employee).get(f"/api/v1/{resource}/{case_id}/")
    assert response.status_code == expect
    return response.json()


def listed(resource, employee) -> list[int]:
    response = client_for(employee).get(f"/api/v1/{resource}/")
    assert response.status_code == 200
    return [c["id"] for c in response.json()]


def tasks(employee, resource) -> list[dict]:
    return [row for row in inbox(employee) if row["resource"] == resource]


def lead_on_leave(org, delegate, start, end):
    """The lead's approved annual leave naming `delegate` (LEAVE-6), from `start` to `end`."""
    import datetime as dt

    from approvals.leave.models import Leave, LeaveKind, LeaveState

    return Leave.objects.create(
        employee=org.lead,
        department=org.cs,
        kind=LeaveKind.ANNUAL,
        start=start,
        end=end,
        reason="年假",
        delegate=delegate,
        state=LeaveState.APPROVED,
        policy_version="test",
        submitted_at=start - dt.timedelta(days=7),
        submitted_by=org.lead,
    )
