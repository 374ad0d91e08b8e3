"""Driving leave requests through the REST API (API.md leaves) in tests."""

from decimal import Decimal

from approvals.leave.models import LeaveBalance
from tests.penalty.helpers import client_for, local  # noqa: F401  (re-exported for the tests)

# A Monday in March 2026 (company time); tests travel to the week before.
MON_9 = local(2026, 3, 9, 9, 0)
MON_18 = local(2026, 3, 9, 18, 0)
WEEK_BEFORE = local(2026, 3, 2, 10, 0)


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def body(kind="personal", start=MON_9, end=MON_18, reason="家中有事", **extra) -> dict:
    return {
        "kind": kind,
        "start": _iso(start),
        "end": _iso(end),
        "reason": reason,
        "emergency": False,
        **extra,
    }


def ask(person, expect=201, language=None, **fields):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client_for(person).post("/api/v1/leaves/", body(**fields), format="json", **headers)
    assert response.status_code == expect, response.json()
    return response.json()


def act(employee, case_id, action, body=None, expect=200, language=None):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client_for(employee).post(
        f"/api/v1/leaves/{case_id}/{action}/", body or {}, format="json", **headers
    )
    assert response.status_code == expect, response.json()
    return response.json()


def read(employee, case_id, expect=200):
    response = client_for(employee).get(f"/api/v1/leaves/{case_id}/")
    assert response.status_code == expect
    return response.json()


def balance(employee, year=2026, entitled=None) -> LeaveBalance:
    """The employee's annual-leave balance row (opened with `entitled` days when given)."""
    if entitled is not None:
        LeaveBalance.objects.update_or_create(
            employee=employee, year=year, defaults={"entitled": Decimal(entitled)}
        )
    return LeaveBalance.objects.get(employee=employee, year=year)
