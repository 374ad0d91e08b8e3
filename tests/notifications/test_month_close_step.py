"""The sweep's scheduled close (SCORE-10): the previous month closes by itself (actor None) on the
policy's close day — not the day before — and raises its alerts (SCORE-7); running twice changes
nothing; with nothing due it costs no query for the rest of the day."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from notifications.models import OutboxMessage
from notifications.scheduler import sweep, sweep_steps
from performance.alerts import forget_scheduled_closes, months_close_due
from performance.ledger import ledger_record
from performance.models import Assessment, MonthAlert
from tests.performance.ledger_helpers import IN_OCT, OCT, build_ledger

pytestmark = pytest.mark.django_db


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture(autouse=True)
def _fresh_memo():
    forget_scheduled_closes()
    with translation.override("en"):
        yield
    forget_scheduled_closes()


@pytest.fixture
def ledger():
    ledger = build_ledger()
    with time_machine.travel(IN_OCT, tick=False):
        for code in ("games_or_films", "missed_meeting", "left_post"):
            ledger_record(
                actor=ledger.trainer.user, employee=ledger.agent, month=OCT, code=code, note="n"
            )
    return ledger


def test_score10_the_step_is_registered_in_the_sweep():
    assert "month_close" in dict(sweep_steps())


def test_score10_the_day_before_the_close_day_nothing_closes(ledger):
    with time_machine.travel(local(2026, 11, 2, 23, 59), tick=False):
        assert months_close_due() == 0
    assert not Assessment.objects.filter(month=OCT).exists()
    assert not MonthAlert.objects.exists()


def test_score10_on_the_close_day_the_month_closes_by_itself_and_raises_its_alerts(ledger):
    with time_machine.travel(local(2026, 11, 3, 0, 0), tick=False):
        report = sweep()
    assert report.ok, report.errors
    assert (
        report.steps["month_close"] == 5
    )  # both trainers, the lead, two agents; admin off the ladder
    agent = Assessment.objects.get(employee=ledger.agent, month=OCT)
    assert agent.closed_at is not None and agent.closed_by is None  # closed by itself
    assert agent.score == 35
    assert list(MonthAlert.objects.values_list("employee__user__username", "code")) == [
        ("agent", "below")
    ]
    assert set(
        OutboxMessage.objects.filter(template="month_alert").values_list(
            "recipient__username", flat=True
        )
    ) == {"admin", "lead"}


def test_score10_a_later_day_still_closes_a_month_the_scheduler_missed(ledger):
    with time_machine.travel(local(2026, 11, 20, 8, 0), tick=False):
        assert months_close_due() == 5
    assert Assessment.objects.filter(month=OCT, closed_at__isnull=False).count() == 5


def test_score10_running_twice_changes_nothing(ledger):
    with time_machine.travel(local(2026, 11, 3, 1, 0), tick=False):
        assert months_close_due() == 5
        before = (
            list(Assessment.objects.order_by("pk").values_list("pk", "score", "closed_at")),
            MonthAlert.objects.count(),
            OutboxMessage.objects.count(),
        )
        with CaptureQueriesContext(connection) as ctx:
            assert months_close_due() == 0
        assert len(ctx.captured_queries) == 0  # this process closed it: nothing to ask
        forget_scheduled_closes()  # another process, or a restart: asks, finds it closed
        assert months_close_due() == 0
    after = (
        list(Assessment.objects.order_by("pk").values_list("pk", "score", "closed_at")),
        MonthAlert.objects.count(),
        OutboxMessage.objects.count(),
    )
    assert after == before


def test_score10_nothing_due_costs_no_query_for_the_rest_of_the_day(ledger):
    with time_machine.travel(local(2026, 11, 2, 9, 0), tick=False):
        months_close_due()
        with CaptureQueriesContext(connection) as ctx:
            assert months_close_due() == 0
    assert len(ctx.captured_queries) == 0
    with time_machine.travel(local(2026, 11, 3, 9, 0), tick=False):  # the next day asks again
        assert months_close_due() == 5


def test_score10_a_month_without_ledger_events_is_left_to_administration():
    """An import-only month is not closed by itself: its import may still come after the 3rd."""
    build_ledger()
    with time_machine.travel(local(2026, 11, 3, 9, 0), tick=False):
        assert months_close_due() == 0
    assert not Assessment.objects.exists()


def test_score10_a_month_administration_closed_early_is_not_closed_again(ledger):
    from performance.ledger_close import month_close

    with time_machine.travel(local(2026, 11, 1, 9, 0), tick=False):
        month_close(actor=ledger.admin.user, month=OCT)
    closed_by = set(Assessment.objects.values_list("closed_by", flat=True))
    with time_machine.travel(local(2026, 11, 3, 9, 0), tick=False):
        assert months_close_due() == 0
    assert set(Assessment.objects.values_list("closed_by", flat=True)) == closed_by
    assert MonthAlert.objects.count() == 1
