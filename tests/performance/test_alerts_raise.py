"""alerts_raise (SCORE-7, SCORE-11): the close stores each alert once and tells administration
and the department lead, by mail and in-app notice, never the employee; each alert at its edge;
the queries of a close grow at most linearly with what it tells, not with the employees."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notice, OutboxMessage
from performance.alerts import alerts_raise
from performance.models import MonthAlert
from tests.factories import DepartmentFactory
from tests.orgdata import employee
from tests.performance.alert_helpers import close_with, month
from tests.performance.ledger_helpers import build_ledger

pytestmark = pytest.mark.django_db

AUG, SEP, OCT = month(2026, 8), month(2026, 9), month(2026, 10)


@pytest.fixture
def ledger():
    return build_ledger()


def _alerts(**filters):
    return sorted(
        (a.employee.user.username, f"{a.month:%Y-%m}", a.code)
        for a in MonthAlert.objects.filter(**filters).select_related("employee__user")
    )


def test_score7_below_at_its_edge_59_9_is_60_is_not(ledger):
    close_with(ledger.admin, OCT, {ledger.agent: "59.9", ledger.colleague: "60"})
    assert _alerts(code="below") == [("agent", "2026-10", "below")]
    alert = MonthAlert.objects.get(code="below")
    assert alert.evidence == [
        {"month": "2026-10", "score": "59.9", "tier": 4, "last_in_department": True}
    ]
    assert "SCORE-7" in alert.rules
    assert alert.department_id == ledger.agent.department_id
    assert alert.withdrawn_at is None and alert.policy_version


def test_score7_11_last_two_months_running_below_70_raises(ledger):
    close_with(ledger.admin, SEP, {ledger.agent: "69.9", ledger.colleague: "85"})
    assert _alerts(code="last_in_department") == []  # one month is not two
    close_with(ledger.admin, OCT, {ledger.agent: "69.9", ledger.colleague: "85"})
    assert _alerts(code="last_in_department") == [("agent", "2026-10", "last_in_department")]
    evidence = MonthAlert.objects.get(code="last_in_department").evidence
    assert [e["month"] for e in evidence] == ["2026-09", "2026-10"]
    assert all(e["last_in_department"] for e in evidence)


def test_score7_11_last_at_70_is_not_an_alert(ledger):
    close_with(ledger.admin, SEP, {ledger.agent: "70", ledger.colleague: "85"})
    close_with(ledger.admin, OCT, {ledger.agent: "70", ledger.colleague: "85"})
    assert _alerts(code="last_in_department") == []


def test_score11_ties_for_last_are_all_alerted(ledger):
    for m in (SEP, OCT):
        close_with(ledger.admin, m, {ledger.agent: "65", ledger.colleague: "65"})
    assert _alerts(code="last_in_department") == [
        ("agent", "2026-10", "last_in_department"),
        ("colleague", "2026-10", "last_in_department"),
    ]


def test_score11_the_lead_and_trainers_are_not_agents(ledger):
    """The lead and the trainer score lowest, yet the last among the agents is the agent."""
    for m in (SEP, OCT):
        close_with(
            ledger.admin, m,
            {ledger.agent: "68", ledger.colleague: "75", ledger.lead: "61", ledger.trainer: "62"},
        )  # fmt: skip
    assert _alerts(code="last_in_department") == [("agent", "2026-10", "last_in_department")]


def test_score7_three_failed_months_raise_two_do_not(ledger):
    close_with(ledger.admin, AUG, {ledger.agent: "50", ledger.colleague: "85"})
    close_with(ledger.admin, SEP, {ledger.agent: "50", ledger.colleague: "85"})
    assert _alerts(code="failed_streak") == []
    close_with(ledger.admin, OCT, {ledger.agent: "50", ledger.colleague: "85"})
    assert _alerts(code="failed_streak") == [("agent", "2026-10", "failed_streak")]
    assert len(MonthAlert.objects.get(code="failed_streak").evidence) == 3


def test_score7_raising_twice_raises_nothing_new(ledger):
    close_with(ledger.admin, OCT, {ledger.agent: "40", ledger.colleague: "85"})
    mails = OutboxMessage.objects.count()
    assert alerts_raise(month=OCT) == []
    assert alerts_raise(month=OCT, employees=[ledger.agent]) == []
    assert MonthAlert.objects.count() == 1
    assert OutboxMessage.objects.count() == mails


def test_score11_told_to_administration_and_the_lead_not_the_employee(ledger):
    close_with(ledger.admin, OCT, {ledger.agent: "40", ledger.colleague: "85"})
    told = set(
        OutboxMessage.objects.filter(template="month_alert").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"admin", "lead"}
    noticed = set(
        Notice.objects.filter(template="month_alert").values_list("recipient__username", flat=True)
    )
    assert noticed == {"admin", "lead"}
    mail = OutboxMessage.objects.filter(template="month_alert", recipient__username="admin").get()
    assert "agent" in mail.subject and "2026-10" in mail.subject
    assert "40" in mail.body_text


def test_score11_a_department_without_a_lead_tells_administration(ledger):
    ops = ledger.other_trainer.department
    a = employee("opsa", department=ops)
    employee("opsb", department=ops)
    close_with(ledger.admin, OCT, {a: "30"})
    told = set(
        OutboxMessage.objects.filter(template="month_alert").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"admin"}


def test_score7_the_alert_is_raised_by_the_close_in_its_transaction(ledger, monkeypatch):
    """A close whose telling fails raises no alert and freezes nothing (one transaction)."""
    from performance import alerts
    from performance.models import Assessment

    def broken(*args, **kwargs):
        raise RuntimeError("mail template broken")

    monkeypatch.setattr(alerts, "_tell", broken)
    with pytest.raises(RuntimeError):
        close_with(ledger.admin, OCT, {ledger.agent: "40"})
    assert not MonthAlert.objects.exists()
    assert not Assessment.objects.filter(closed_at__isnull=False).exists()


def _close_queries(admin, m, scores) -> int:
    with CaptureQueriesContext(connection) as ctx:
        close_with(admin, m, scores)
    return len(ctx.captured_queries)


def _department(code, n, *, score):
    dept = DepartmentFactory(code=code, name=code)
    lead = employee(f"{code}-lead", department=dept, level="senior", roles=["department_lead"])
    dept.lead = lead
    dept.save()
    return {employee(f"{code}-{i}", department=dept): score for i in range(n)}


def test_score10_raising_costs_constant_queries_without_alerts(ledger):
    """Closing 4 or 16 employees with no alert costs the same queries (imports aside)."""
    small = _department("s", 4, score="85")
    large = _department("l", 16, score="85")
    q_small = _close_queries(ledger.admin, SEP, small)
    q_large = _close_queries(ledger.admin, OCT, large)
    # the imports cost per row (assessment_record: a few statements each); the rest is fixed
    per_import = (q_large - q_small) / 12
    with CaptureQueriesContext(connection) as ctx:
        alerts_raise(month=OCT)
    assert len(ctx.captured_queries) <= 6, [q["sql"] for q in ctx.captured_queries]
    assert per_import < 12


def test_score10_raising_grows_linearly_with_the_alerts_told(ledger):
    """Raising k alerts costs a fixed part plus at most a fixed amount per alert told."""
    from performance.models import Assessment

    def cost(code, n):
        people = _department(code, n, score="40")
        close_with(ledger.admin, SEP, people)
        MonthAlert.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            raised = alerts_raise(month=SEP, employees=list(people))
        Assessment.objects.all().delete()
        return len(ctx.captured_queries), len(raised)

    q2, k2 = cost("two", 2)
    q8, k8 = cost("eight", 8)
    assert (k2, k8) == (2, 8)
    per_alert = (q8 - q2) / (k8 - k2)
    fixed = q2 - 2 * per_alert
    assert per_alert <= 12, (q2, q8)
    assert fixed <= 12, (q2, q8)
