"""Issue 12: the transactional outbox of domain events (approvals.events, notifications.events).
An action writes its events in its own transaction; only the sweep tells people; each event is
dispatched once; a receiver that fails is retried and finally kept, failed, for an
administrator."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.errors import DomainError
from approvals.events import OutboxEvent
from notifications import events, receivers
from notifications.models import Notice, OutboxMessage
from notifications.scheduler import sweep
from tests.orgdata import apply_for_promotion, build_org, eligible_agent
from workflows.engine import run_action
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return build_org()


def _act(org, case, name, actor, **payload):
    return run_action(
        flow_class=PromotionFlow,
        actions=PromotionFlow.actions,
        case=case,
        name=name,
        actor=actor,
        **payload,
    )


def test_an_action_tells_nobody_until_the_sweep_dispatches_its_event(org):
    apply_for_promotion(org.agent.user)
    assert list(OutboxEvent.objects.values_list("kind", "dispatched_at")) == [
        ("task_created", None)
    ]
    assert not Notice.objects.exists() and not OutboxMessage.objects.exists()
    report = sweep()
    assert report.events == 1
    assert OutboxEvent.objects.get().dispatched_at is not None
    assert [m.to for m in mail.outbox] == [["lead@example.com"]]
    assert Notice.objects.get().recipient == org.lead.user


def test_a_refused_action_leaves_no_event(org):
    case = apply_for_promotion(org.agent.user)
    before = OutboxEvent.objects.count()
    with pytest.raises(DomainError):
        _act(org, case, "nominate", org.colleague.user, comment="")  # not the lead
    assert OutboxEvent.objects.count() == before


def test_only_actions_someone_listens_to_write_an_event(org):
    """A nomination tells nobody by itself (its new task does); the GM's approval is a
    decision: the applicant and those who acted hear of it."""
    case = apply_for_promotion(org.agent.user)
    OutboxEvent.objects.all().delete()
    case = _act(org, case, "nominate", org.lead.user, comment="")
    assert list(OutboxEvent.objects.values_list("kind", flat=True)) == ["task_created"]
    OutboxEvent.objects.all().delete()
    _act(org, case, "approve", org.gm.user, comment="")
    assert sorted(OutboxEvent.objects.values_list("kind", flat=True)) == [
        "case_changed",
        "task_created",
    ]
    assert OutboxEvent.objects.get(kind="case_changed").data["action"] == "approve"


def test_each_event_is_dispatched_once(org):
    apply_for_promotion(org.agent.user)
    sweep()
    sweep()
    assert OutboxMessage.objects.filter(template="task_assigned").count() == 1
    assert events.dispatch_events() == 0


def test_nothing_pending_costs_one_query(org):
    apply_for_promotion(org.agent.user)
    events.dispatch_events()
    with CaptureQueriesContext(connection) as ctx:
        assert events.dispatch_events() == 0
    assert len(ctx.captured_queries) == 1


def test_a_failing_receiver_keeps_its_event_for_the_next_sweeps_then_marks_it_failed(
    org, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(receivers, "notify", broken)
    apply_for_promotion(org.agent.user)
    for attempt in range(1, events.MAX_ATTEMPTS + 1):
        sweep()
        event = OutboxEvent.objects.get()
        assert event.attempts == attempt and event.dispatched_at is None
        assert "template missing" in event.last_error
    assert event.failed
    monkeypatch.undo()
    assert events.dispatch_events() == 0  # given up: kept for an administrator
    assert not OutboxMessage.objects.exists()


def test_a_failing_event_does_not_hold_back_the_others(org, monkeypatch):
    real = receivers.on_task_created
    failing = []

    def sometimes(sender, task_id, **kwargs):
        if not failing:
            failing.append(task_id)
            raise RuntimeError("first one fails")
        return real(sender=sender, task_id=task_id, **kwargs)

    from workflows.signals import task_created

    task_created.disconnect(real)
    task_created.connect(sometimes)
    try:
        apply_for_promotion(org.agent.user)
        second = eligible_agent("agent2", department=org.cs)
        apply_for_promotion(second.user)
        sweep()
    finally:
        task_created.disconnect(sometimes)
        task_created.connect(real)
    assert OutboxEvent.objects.filter(dispatched_at__isnull=False).count() == 1
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True, attempts=1).count() == 1
    sweep()
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()
