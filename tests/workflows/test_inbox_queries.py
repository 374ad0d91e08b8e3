"""The inbox costs a constant number of queries, whatever the number of open tasks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from approvals.promotion import services
from tests.orgdata import build_org, employee, serve_verbal_warning
from workflows.engine import run_action, start_flow
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db


def open_applications(org, n, start=0):
    for i in range(start, start + n):
        agent = employee(f"a{i}", department=org.cs)
        promotion = services.promotion_submit(
            actor=agent.user, target_level="intermediate", statement="s", skip_level_reason="例外"
        )
        start_flow(flow_class=PromotionFlow, case=promotion)


def inbox_queries(user) -> tuple[int, int]:
    user = type(user).objects.get(pk=user.pk)  # no permission cache carried between calls
    client = APIClient()
    client.force_authenticate(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/inbox/", {"page_size": 200})  # one page: every row
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json())


def test_inbox_query_count_is_the_same_for_2_and_200_tasks():
    org = build_org()
    open_applications(org, 2)
    small_queries, small_rows = inbox_queries(org.lead.user)
    open_applications(org, 198, start=2)
    big_queries, big_rows = inbox_queries(org.lead.user)
    assert (small_rows, big_rows) == (2, 200)
    assert big_queries == small_queries
    print(f"inbox queries: {small_queries} for 2 tasks, {big_queries} for 200 tasks")


def open_objections(org, n, start=0):
    from approvals.penalty import appeal
    from workflows.penalty import PenaltyFlow

    for i in range(start, start + n):
        agent = employee(f"p{i}", department=org.cs)
        penalty = serve_verbal_warning(org.lead.user, agent)
        run_action(
            flow_class=PenaltyFlow,
            actions=PenaltyFlow.actions,
            case=penalty,
            name="object",
            actor=agent.user,
            reason="x",
        )
        assert appeal.Penalty.objects.get(pk=penalty.pk).state == "objected"


def test_inbox_query_count_is_constant_across_two_kinds_of_case():
    """The GM office's inbox with promotions to review and objections to answer: one query per
    kind of case for the titles and one for the due times, whatever the number of tasks."""
    org = build_org()

    def add(n, start):
        open_objections(org, n, start)
        open_applications(org, n, start)
        for promotion in services.Promotion.objects.filter(state="submitted"):
            run_action(
                flow_class=PromotionFlow,
                actions=PromotionFlow.actions,
                case=promotion,
                name="nominate",
                actor=org.lead.user,
                comment="ok",
            )

    add(2, 0)
    small_queries, small_rows = inbox_queries(org.gm.user)
    add(30, 2)
    big_queries, big_rows = inbox_queries(org.gm.user)
    assert (small_rows, big_rows) == (4, 64)
    assert big_queries == small_queries
    print(f"GM inbox queries: {small_queries} for 4 tasks, {big_queries} for 64 tasks")


def test_lead_inbox_with_leave_requests_costs_the_same_for_2_and_60():
    """LEAVE-1: the lead's inbox rows for leave requests (one query for their titles, whatever
    their number) beside promotions."""
    import datetime as dt

    import time_machine

    from approvals.leave.services import leave_submit
    from tests.penalty.helpers import local
    from workflows.leave import LeaveFlow

    org = build_org()

    def add(n, start):
        for i in range(start, start + n):
            agent = employee(f"l{i}", department=org.cs)
            begins = local(2026, 3, 9, 9) + dt.timedelta(days=i)
            leave = leave_submit(
                actor=agent.user,
                kind="personal",
                start=begins,
                end=begins + dt.timedelta(hours=9),
                reason="r",
            )
            start_flow(flow_class=LeaveFlow, case=leave)
        open_applications(org, n, start)

    with time_machine.travel(local(2026, 3, 2, 10), tick=False):
        add(1, 0)
        small_queries, small_rows = inbox_queries(org.lead.user)
        add(30, 1)
        big_queries, big_rows = inbox_queries(org.lead.user)
        rows = APIClient()
        rows.force_authenticate(org.lead.user)
        resources = {
            row["resource"] for row in rows.get("/api/v1/inbox/", {"page_size": 200}).json()
        }
    assert (small_rows, big_rows) == (2, 62)
    assert big_queries == small_queries
    assert resources == {"leaves", "promotions"}
    print(f"lead inbox queries: {small_queries} for 2 tasks, {big_queries} for 62 tasks")
