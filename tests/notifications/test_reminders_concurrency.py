"""DEADLINE-2 on any database (the embedded SQLite included): two reminder sweeps at the same
moment neither fail ("database is locked") nor send a reminder twice. On SQLite the claim's first
statement in its transaction is a write, so the second sweep waits for the first instead of
deadlocking on a read lock it cannot upgrade; PostgreSQL shares the rows with SKIP LOCKED (the
500-reminder figure is in test_reminders_postgres.py)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from notifications.models import OutboxMessage, Reminder
from notifications.reminders import reminders_send_due
from tests.notifications.reminderdata import plant_due_reminders, run_together
from tests.penalty.helpers import local

pytestmark = pytest.mark.django_db(transaction=True)
N = 240


def test_deadline2_two_reminder_sweeps_at_once_neither_fail_nor_send_twice(org):
    due = local(2026, 3, 2, 10, 0)
    plant_due_reminders(org, n=N, people=24, prefix="c", due=due, kind="due", send_at=due)

    def one_sweep():
        with time_machine.travel(due + dt.timedelta(minutes=1), tick=False):
            return reminders_send_due()

    done, errors = run_together(one_sweep)
    print(f"\n{N} due reminders, 2 sweeps at once on {connection.vendor}: {done[0]} + {done[1]}")
    assert errors == []
    assert sum(done) == N
    assert OutboxMessage.objects.filter(template="reminder").count() == N
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
