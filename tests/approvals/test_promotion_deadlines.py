"""PROMO-5: each review step has a response time (default 3 working days), stored on the case,
shown in the API's `deadlines` and in the inbox (most urgent first, overdue marked)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from approvals.deadlines import Deadline
from approvals.promotion import services
from tests.orgdata import build_org, employee, give_scores
from workflows.engine import run_action, start_flow
from workflows.inbox import inbox_for
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def apply(emp):
    promotion = services.promotion_submit(
        actor=emp.user, target_level="intermediate", statement="s"
    )
    start_flow(flow_class=PromotionFlow, case=promotion)
    return promotion


def test_promo5_nomination_due_in_three_working_days_then_met_and_gm_review_opened():
    org = build_org()
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=SH)):  # the eve of National Day
        give_scores(org.agent, [85, 92, 88, 93, 86])
        promotion = apply(org.agent)
        [nomination] = Deadline.objects.filter(case_id=promotion.pk)
        # 1–7 October off; 8, 9 and the make-up Saturday 10 October are the 3 working days
        assert nomination.due_at.astimezone(SH) == dt.datetime(
            2026, 10, 10, 23, 59, 59, 999999, tzinfo=SH
        )
        run_action(
            flow_class=PromotionFlow,
            actions=PromotionFlow.actions,
            case=promotion,
            name="nominate",
            actor=org.lead.user,
        )
    nomination.refresh_from_db()
    assert nomination.met_at is not None
    gm = Deadline.objects.get(case_id=promotion.pk, name="gm_review")
    assert gm.met_at is None

    client = APIClient()
    client.force_authenticate(org.gm.user)
    case = client.get(f"/api/v1/promotions/{promotion.pk}/").json()
    assert [d["name"] for d in case["deadlines"]] == ["nomination", "gm_review"]
    assert case["deadlines"][0]["met_at"] is not None and case["deadlines"][1]["met_at"] is None


def test_promo5_inbox_sorted_by_due_time_and_overdue_marked():
    org = build_org()
    late, early = employee("late", department=org.cs), employee("early", department=org.cs)
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=SH)):
        give_scores(early, [85, 92, 88, 93, 86])
        first = apply(early)
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, 0, tzinfo=SH)):
        give_scores(late, [85, 92, 88, 93, 86])
        second = apply(late)
        rows = inbox_for(org.lead.user)
    assert [r["case_id"] for r in rows] == [first.pk, second.pk]
    assert [r["overdue"] for r in rows] == [True, False]
    assert rows[0]["due_at"].startswith("2026-11-05")
