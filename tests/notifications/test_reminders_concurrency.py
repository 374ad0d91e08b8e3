"""DEADLINE-2 on any database (the embedded SQLite included): two reminder sweeps at the same
moment neither fail ("database is locked") nor send a reminder twice. On SQLite the claim's first
statement in its transaction is a write, so the second sweep waits for the first instead of
deadlocking on a read lock it cannot upgrade; PostgreSQL shares the rows with SKIP LOCKED (the
500-reminder figure is in test_reminders_postgres.py)."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from approvals.deadlines import Deadline
from approvals.promotion import services
from notifications.models import OutboxMessage, Reminder
from notifications.reminders import reminders_send_due
from tests.orgdata import employee
from tests.penalty.helpers import local
from workflows.engine import start_flow
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db(transaction=True)
N = 240


def test_deadline2_two_reminder_sweeps_at_once_neither_fail_nor_send_twice(org):
    people = [employee(f"c{i}", department=org.cs).user for i in range(24)]
    case = services.promotion_submit(
        actor=org.agent.user, target_level="intermediate", statement="s", skip_level_reason="例外"
    )
    start_flow(flow_class=PromotionFlow, case=case)
    Reminder.objects.all().delete()
    OutboxMessage.objects.all().delete()
    due = local(2026, 3, 2, 10, 0)
    deadlines = Deadline.objects.bulk_create(
        Deadline(case_type="promotion", case_id=case.pk, name=f"step{i}", due_at=due)
        for i in range(N // len(people))
    )
    Reminder.objects.bulk_create(
        Reminder(deadline=d, recipient=u, kind="due", send_at=due)
        for d in deadlines
        for u in people
    )
    barrier = threading.Barrier(2)
    done, errors = [0, 0], []

    def run(i):
        try:
            with time_machine.travel(due + dt.timedelta(minutes=1), tick=False):
                barrier.wait()
                done[i] = reminders_send_due()
        except Exception as exc:  # noqa: BLE001  (the assertion below names it)
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"\n{N} due reminders, 2 sweeps at once on {connection.vendor}: {done[0]} + {done[1]}")
    assert errors == []
    assert sum(done) == N
    assert OutboxMessage.objects.filter(template="reminder").count() == N
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
