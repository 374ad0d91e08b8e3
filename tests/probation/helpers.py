"""Driving probation cases through the REST API (API.md probations) in tests."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from rest_framework.test import APIClient
from viewflow.workflow.timers import fire_due_timers

from performance.models import Assessment
from policy.services import policy_in_force

SHANGHAI = ZoneInfo("Asia/Shanghai")
HIRED = dt.date(2026, 1, 10)
ENDS = dt.date(2026, 4, 10)  # PROB-1: hire date + 3 months


def local(*args) -> dt.datetime:
    """An instant given in the company's time zone."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


def client_for(employee) -> APIClient:
    client = APIClient()
    client.force_authenticate(employee.user)
    return client


def act(employee, case_id, action, body=None, expect=200, language="en"):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client_for(employee).post(
        f"/api/v1/probations/{case_id}/{action}/", body or {}, format="json", **headers
    )
    assert response.status_code == expect, response.json()
    return response.json()


def apply_early(employee, statement="业绩优秀，申请提前转正", expect=201, language="en"):
    response = client_for(employee).post(
        "/api/v1/probations/",
        {"statement": statement},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == expect, response.json()
    return response.json()


def read(employee, case_id, expect=200):
    response = client_for(employee).get(f"/api/v1/probations/{case_id}/")
    assert response.status_code == expect
    return response.json()


def inbox(employee):
    response = client_for(employee).get("/api/v1/inbox/")
    assert response.status_code == 200
    return response.json()


def score(employee, month: dt.date, value) -> Assessment:
    """A monthly assessment with the tier and grade the policy gives the score."""
    value = Decimal(str(value))
    policy = policy_in_force()
    return Assessment.objects.update_or_create(
        employee=employee,
        month=month,
        defaults={
            "score": value,
            "tier": policy.tier_for(value),
            "grade": policy.grade_for(value),
            "policy_version": policy.version,
        },
    )[0]


def sweep_timers() -> int:
    return fire_due_timers()
