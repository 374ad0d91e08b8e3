"""An adjustment after close (SCORE-10) re-evaluates the alerts (SCORE-7, SCORE-11) — raises new
ones, marks withdrawn those whose cause vanished — and tells the department lead and
administration what it changes downstream (an open promotion's eligibility, PROMO-2; an open
probation): a notice, never an action, in the adjustment's transaction."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from approvals.probation.models import Probation
from approvals.promotion.models import Promotion
from notifications.models import Notice, OutboxMessage
from performance.ledger import ledger_adjust, ledger_record
from performance.ledger_close import month_close
from performance.models import MonthAlert
from performance.services import assessment_record
from tests.orgdata import employee
from tests.performance.ledger_helpers import IN_OCT, NOV_1, OCT, build_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger():
    ledger = build_ledger()
    ledger.admin2 = employee(
        "admin2", department=ledger.admin.department, level=None, roles=["administration"]
    )
    return ledger


def _close_october(ledger, *, agent_events=True):
    if agent_events:
        with time_machine.travel(IN_OCT, tick=False):
            for code in ("games_or_films", "missed_meeting", "left_post"):
                ledger_record(
                    actor=ledger.trainer.user, employee=ledger.agent, month=OCT, code=code,
                    note="n",
                )  # fmt: skip
    with time_machine.travel(NOV_1, tick=False):
        month_close(actor=ledger.admin.user, month=OCT)


def _adjust(ledger, person, points):
    with time_machine.travel(NOV_1 + dt.timedelta(hours=2), tick=False):
        return ledger_adjust(
            actor=ledger.admin.user, employee=person, month=OCT, points=points, reason="recount"
        )


def _told(template):
    return set(
        OutboxMessage.objects.filter(template=template).values_list(
            "recipient__username", flat=True
        )
    )


def test_score7_an_adjustment_that_removes_the_cause_withdraws_the_alert(ledger):
    _close_october(ledger)  # agent 35: below the mark
    alert = MonthAlert.objects.get(employee=ledger.agent, code="below")
    _adjust(ledger, ledger.agent, Decimal(30))  # 65
    alert.refresh_from_db()
    assert alert.withdrawn_at is not None  # kept, marked: who was told stays on record
    assert _told("month_alert_withdrawn") == {"admin", "admin2", "lead"}
    # the downstream notice: to the lead and the other administrators, not the one who adjusted
    assert _told("month_adjusted") == {"admin2", "lead"}
    mail = OutboxMessage.objects.get(template="month_adjusted", recipient__username="lead")
    assert "35" in mail.body_text and "65" in mail.body_text
    assert "Alerts withdrawn" in mail.body_text or "撤回" in mail.body_text


def test_score7_an_adjustment_that_makes_a_cause_raises_an_alert(ledger):
    _close_october(ledger)
    _adjust(ledger, ledger.colleague, Decimal(-25))  # 80 → 55
    assert MonthAlert.objects.filter(
        employee=ledger.colleague, month=OCT, code="below", withdrawn_at__isnull=True
    ).exists()
    assert _told("month_alert") >= {"admin", "admin2", "lead"}
    assert "month_adjusted" in set(Notice.objects.values_list("template", flat=True))


def test_score7_back_and_forth_raises_the_withdrawn_alert_again(ledger):
    _close_october(ledger)
    _adjust(ledger, ledger.agent, Decimal(30))  # 65: withdrawn
    _adjust(ledger, ledger.agent, Decimal(-30))  # 35: raised again, the same row
    alert = MonthAlert.objects.get(employee=ledger.agent, code="below")
    assert alert.withdrawn_at is None
    assert OutboxMessage.objects.filter(template="month_alert", recipient__username="lead").count()\
        == 2  # fmt: skip


def test_issue13_an_adjustment_that_changes_nothing_downstream_tells_nobody(ledger):
    _close_october(ledger)
    _adjust(ledger, ledger.colleague, Decimal(2))  # 80 → 82: no alert either way
    assert not OutboxMessage.objects.filter(template="month_adjusted").exists()


def _months(n):
    """The n months before October 2026, oldest first."""
    return [dt.date(2026, 10 - n + i, 1) for i in range(n)]


def test_promo2_an_open_promotion_whose_eligibility_changes_is_told(ledger):
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 10, 2)), tick=False):
        for m in _months(4):
            assessment_record(employee=ledger.agent, month=m, score=Decimal(91), source="import")
    _close_october(ledger, agent_events=False)  # agent October 80: tier 2, eligible
    promotion = Promotion.objects.create(
        employee=ledger.agent, department=ledger.agent.department, from_level="junior",
        target_level="intermediate", statement="s", eligible=True, policy_version="default-2026.1",
        submitted_at=NOV_1,
    )  # fmt: skip
    _adjust(ledger, ledger.agent, Decimal(-1))  # 79: tier 3, no longer eligible
    mail = OutboxMessage.objects.get(template="month_adjusted", recipient__username="lead")
    assert f"#{promotion.pk}" in mail.body_text
    assert "no longer eligible" in mail.body_text or "不再" in mail.body_text
    promotion.refresh_from_db()
    assert promotion.state == "submitted" and promotion.eligible  # told, never acted upon


def test_prob2_an_open_probation_is_told(ledger):
    _close_october(ledger, agent_events=False)
    probation = Probation.objects.create(
        employee=ledger.agent, department=ledger.agent.department,
        policy_version="default-2026.1", opened_at=NOV_1, hired_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 12, 1), original_ends_on=dt.date(2026, 12, 1),
    )  # fmt: skip
    _adjust(ledger, ledger.agent, Decimal(2))
    mail = OutboxMessage.objects.get(template="month_adjusted", recipient__username="lead")
    assert f"/probations/{probation.pk}/" in mail.body_text


def test_score10_a_refused_adjustment_changes_no_alert(ledger):
    from approvals.errors import NotAllowed

    _close_october(ledger)
    with pytest.raises(NotAllowed), time_machine.travel(NOV_1, tick=False):
        ledger_adjust(
            actor=ledger.lead.user, employee=ledger.agent, month=OCT, points=30, reason="r"
        )
    assert MonthAlert.objects.get(employee=ledger.agent).withdrawn_at is None
    assert not OutboxMessage.objects.filter(template="month_adjusted").exists()
