"""Issue 12 on PostgreSQL: two sweeps dispatching the outbox at once share the pending events
(SKIP LOCKED) and tell each person once."""

import threading

import pytest
from django.db import connection

from approvals.events import OutboxEvent
from notifications.events import dispatch_events
from notifications.models import OutboxMessage
from tests.orgdata import apply_for_promotion, build_org, eligible_agent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_dispatchers_at_once_dispatch_each_event_once():
    org = build_org()
    for i in range(30):
        apply_for_promotion(eligible_agent(f"p{i}", department=org.cs).user)
    barrier, counts, errors = threading.Barrier(2), [], []

    def run():
        try:
            barrier.wait()
            counts.append(dispatch_events())
        except Exception as error:  # noqa: BLE001  (reported to the test)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert sum(counts) == 30
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()
    assert OutboxMessage.objects.filter(template="task_assigned").count() == 30
