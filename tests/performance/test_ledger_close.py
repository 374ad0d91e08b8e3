"""month_close (SCORE-10): every score computed once from the month's events, an imported score
kept, graded and frozen; who closes and when; closing twice changes nothing; the statements it
costs do not grow with the number of employees."""

from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.errors import NotAllowed, PolicyViolation, StateConflict
from audit.models import AuditEvent
from performance.ledger import ledger_record
from performance.ledger_close import month_close
from performance.models import Assessment, ScoreEvent
from performance.services import _policy_for, assessment_record
from tests.factories import DepartmentFactory
from tests.orgdata import employee
from tests.performance.ledger_helpers import IN_OCT, NOV_1, NOV_3, OCT, build_ledger, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger():
    return build_ledger()


def _events(ledger):
    with time_machine.travel(IN_OCT, tick=False):
        for code, points in [
            ("games_or_films", None),
            ("missed_meeting", None),
            ("left_post", None),
        ]:
            ledger_record(
                actor=ledger.trainer.user, employee=ledger.agent, month=OCT, code=code,
                points=points, note="n",
            )  # fmt: skip
        assessment_record(employee=ledger.colleague, month=OCT, score=Decimal(91), source="import")


def test_score_10_close_computes_each_score_once_and_freezes_it(ledger):
    _events(ledger)
    with time_machine.travel(NOV_1, tick=False):
        report = month_close(actor=ledger.admin.user, month=OCT)
    rows = {a.employee_id: a for a in Assessment.objects.filter(month=OCT)}
    agent = rows[ledger.agent.pk]
    # 80 − 10 − 10 − 5 − 20 (SCORE-3: two medium deductions) = 35, graded fail, tier 4
    assert (agent.score, agent.grade, agent.tier, agent.source) == (
        Decimal(35),
        "fail",
        4,
        "events",
    )
    assert agent.closed_at is not None and agent.closed_by == ledger.admin.user
    colleague = rows[ledger.colleague.pk]
    assert (colleague.score, colleague.source) == (Decimal(91), "import")
    assert colleague.closed_at is not None
    # No events and no import: the base (SCORE-1); administration, off the ladder, is not scored.
    assert rows[ledger.trainer.pk].score == Decimal(80)
    assert ledger.admin.pk not in rows
    assert (report.computed, report.kept, report.already) == (4, 1, 0)


def test_score_10_closing_twice_changes_nothing(ledger):
    _events(ledger)
    with time_machine.travel(NOV_1, tick=False):
        month_close(actor=ledger.admin.user, month=OCT)
    before = list(Assessment.objects.filter(month=OCT).order_by("pk").values())
    audits = AuditEvent.objects.count()
    with time_machine.travel(NOV_3, tick=False):
        report = month_close(month=OCT)
    assert list(Assessment.objects.filter(month=OCT).order_by("pk").values()) == before
    assert AuditEvent.objects.count() == audits
    assert (report.closed, report.already) == (0, 5)


def test_score_10_a_month_not_ended_is_not_closed(ledger):
    late_october = time_machine.travel(local(2026, 10, 31, 23, 59), tick=False)
    with late_october, pytest.raises(PolicyViolation) as refused:
        month_close(actor=ledger.admin.user, month=OCT)
    assert (refused.value.code, refused.value.rule) == ("month_not_ended", "SCORE-10")
    assert not Assessment.objects.exists()


def test_score_10_the_month_closes_by_itself_from_the_policy_day_only(ledger):
    with (
        time_machine.travel(local(2026, 11, 2, 23, 59), tick=False),
        pytest.raises(PolicyViolation) as refused,
    ):
        month_close(month=OCT)
    assert refused.value.code == "close_not_due" and "2026-11-03" in refused.value.detail
    with time_machine.travel(NOV_3, tick=False):
        assert month_close(month=OCT).computed == 5
    assert Assessment.objects.filter(closed_by=None, month=OCT).count() == 5


def test_score_10_only_administration_closes_early(ledger):
    with time_machine.travel(NOV_1, tick=False), pytest.raises(NotAllowed) as refused:
        month_close(actor=ledger.lead.user, month=OCT)
    assert (refused.value.code, refused.value.rule) == ("wrong_role", "SCORE-10")


def test_score_10_a_month_with_both_an_import_and_events_is_refused_at_close(ledger):
    assessment_record(employee=ledger.agent, month=OCT, score=Decimal(88), source="import")
    ScoreEvent.objects.create(  # written around the ledger, which refuses it
        employee=ledger.agent, month=OCT, code="extra_work", points=5, reason="r",
        source="legacy:1", booked_at=IN_OCT,
    )  # fmt: skip
    with time_machine.travel(NOV_1, tick=False), pytest.raises(StateConflict) as refused:
        month_close(actor=ledger.admin.user, month=OCT)
    assert (refused.value.code, refused.value.rule) == ("import_and_events", "SCORE-10")
    assert "agent" in refused.value.detail
    assert not Assessment.objects.filter(closed_at__isnull=False).exists()


def _department_of(n: int, code: str):
    department = DepartmentFactory(code=code)
    trainer = employee(f"{code}-trainer", department=department, level="senior", roles=["trainer"])
    with time_machine.travel(IN_OCT, tick=False):
        for i in range(n):
            agent = employee(f"{code}-{i}", department=department)
            ledger_record(
                actor=trainer.user, employee=agent, month=OCT, code="late_or_early", points=3,
                note="n",
            )  # fmt: skip
            if i % 2:
                assessment_record(
                    employee=employee(f"{code}-imp{i}", department=department), month=OCT,
                    score=Decimal(70), source="import",
                )  # fmt: skip
    return department


def _close_queries(department, admin) -> int:
    user = get_user_model().objects.get(pk=admin.user_id)  # no permissions cached: both pay them
    with time_machine.travel(NOV_1, tick=False), CaptureQueriesContext(connection) as queries:
        report = month_close(actor=user, month=OCT, department=department)
    assert report.closed > 0
    return len(queries)


def test_score_10_close_costs_the_same_statements_for_5_and_20_employees(ledger):
    small, big = _department_of(5, "small"), _department_of(20, "big")
    _policy_for(OCT)  # the policy cache warm for both
    assert _close_queries(small, ledger.admin) == _close_queries(big, ledger.admin)
