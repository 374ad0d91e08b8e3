"""A closed month for the customer-service department of tests.orgdata.build_org, and the API
calls of the award (AWARD-1, AWARD-2)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from rest_framework.test import APIClient

from org.models import Employee
from performance.models import Assessment
from tests.orgdata import employee

OCT = dt.date(2026, 10, 1)
# A day of the following month, company time (the tests travel here).
NOV_10 = dt.datetime(2026, 11, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def api(emp) -> APIClient:
    client = APIClient()
    client.force_authenticate(emp.user)
    return client


def close_month(department, month=OCT, score=85) -> None:
    """Every employee of `department` on the ladder has `month` closed (SCORE-10)."""
    for e in Employee.objects.filter(department=department, level__isnull=False):
        Assessment.objects.update_or_create(
            employee=e,
            month=month,
            defaults={
                "score": Decimal(score),
                "tier": 2,
                "grade": "B",
                "policy_version": "test",
                "closed_at": timezone.now(),
            },
        )


def voters(org, n=3):
    return [employee(f"voter{i}", department=org.cs, name=f"Voter {i}") for i in range(n)]


def open_award(org, month="2026-10", expect=201):
    response = api(org.admin).post(
        "/api/v1/awards/", {"department": org.cs.pk, "month": month}, format="json"
    )
    assert response.status_code == expect, response.json()
    return response.json()


def act(emp, award_id, action, body=None, expect=200):
    response = api(emp).post(f"/api/v1/awards/{award_id}/{action}/", body or {}, format="json")
    assert response.status_code == expect, response.json()
    return response.json()


def read(emp, award_id, expect=200):
    response = api(emp).get(f"/api/v1/awards/{award_id}/")
    assert response.status_code == expect
    return response.json() if expect == 200 else None


def candidate(case: dict, emp) -> dict:
    return next(c for c in case["candidates"] if c["employee"] == emp.pk)
