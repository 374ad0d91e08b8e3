"""Listing cases (API.md lists) costs a constant number of queries, whatever the number of cases
the caller sees: the representation and the caller's `available_actions` of each row read
nothing the list did not fetch."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.orgdata import employee
from tests.penalty.helpers import client_for, local

pytestmark = pytest.mark.django_db


def list_queries(person, resource) -> tuple[int, int]:
    client_for(person).get(f"/api/v1/{resource}/")  # warm the caller's permission cache
    with CaptureQueriesContext(connection) as ctx:
        response = client_for(person).get(f"/api/v1/{resource}/")
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json())


def test_lead_lists_leave_requests_in_constant_queries(org):
    from tests.leave.helpers import ask

    def add(start, n):
        for i in range(start, start + n):
            begins = local(2026, 3, 9, 9) + dt.timedelta(days=i)
            ask(
                employee(f"l{i}", department=org.cs),
                start=begins,
                end=begins + dt.timedelta(hours=4),
            )

    with time_machine.travel(local(2026, 3, 2, 10), tick=False):
        add(0, 2)
        small = list_queries(org.lead, "leaves")
        add(2, 20)
        big = list_queries(org.lead, "leaves")
    assert (small[1], big[1]) == (2, 22)
    assert big[0] == small[0]
    print(f"\nleaves list: {small[0]} queries for 2 rows, {big[0]} for 22")


def test_lead_lists_punch_corrections_in_constant_queries(org):
    from tests.attendance.helpers import PUNCHES, request_punch

    def add(start, n):
        for i in range(start, start + n):
            request_punch(employee(f"p{i}", department=org.cs), "2026-03-09T09:00:00+08:00")

    with time_machine.travel(local(2026, 3, 10, 10), tick=False):
        add(0, 2)
        small = list_queries(org.lead, PUNCHES)
        add(2, 20)
        big = list_queries(org.lead, PUNCHES)
    assert (small[1], big[1]) == (2, 22)
    assert big[0] == small[0]
    print(f"\npunch-corrections list: {small[0]} queries for 2 rows, {big[0]} for 22")


def test_lead_lists_probations_in_constant_queries(org):
    from workflows.probation import probation_start

    def add(start, n):
        for i in range(start, start + n):
            person = employee(f"n{i}", department=org.cs, level="probationer")
            probation_start(employee=person)

    with time_machine.travel(local(2026, 1, 10, 10), tick=False):
        add(0, 2)
        small = list_queries(org.lead, "probations")
        add(2, 20)
        big = list_queries(org.lead, "probations")
    assert (small[1], big[1]) == (2, 22)
    assert big[0] == small[0]
    print(f"\nprobations list: {small[0]} queries for 2 rows, {big[0]} for 22")


@pytest.mark.parametrize("who", ["gm", "admin"])
@pytest.mark.parametrize("resource", ["leaves", "probations", "promotions"])
def test_oversight_lists_in_constant_queries(org, who, resource):
    """The GM office and administration see every department's cases: their lists read the
    delegation of each row's lead once per request, not once per row."""
    from tests.leave.helpers import ask
    from tests.orgdata import eligible_agent
    from workflows.probation import probation_start

    def add(start, n):
        for i in range(start, start + n):
            if resource == "leaves":
                begins = local(2026, 3, 9, 9) + dt.timedelta(days=i)
                ask(
                    employee(f"l{i}", department=org.cs),
                    start=begins,
                    end=begins + dt.timedelta(hours=4),
                )
            elif resource == "probations":
                probation_start(employee=employee(f"n{i}", department=org.cs, level="probationer"))
            else:
                from tests.orgdata import apply_for_promotion

                apply_for_promotion(eligible_agent(f"e{i}", department=org.cs).user)

    with time_machine.travel(local(2026, 3, 2, 10), tick=False):
        add(0, 2)
        small = list_queries(getattr(org, who), resource)
        add(2, 10)
        big = list_queries(getattr(org, who), resource)
    assert (small[1], big[1]) == (2, 12)
    assert big[0] == small[0]
