"""DEADLINE-2 on PostgreSQL: two sweeps at the same moment over 500 due reminders send each one
exactly once (rows claimed with SELECT ... FOR UPDATE SKIP LOCKED; the outbox row and the sent
mark are written in one transaction)."""

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.core import mail

from notifications.models import OutboxMessage, Reminder
from notifications.scheduler import sweep
from tests.notifications.reminderdata import plant_due_reminders, run_together
from tests.penalty.helpers import local

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
N = 500


def test_deadline2_two_concurrent_sweeps_send_500_due_reminders_exactly_once(org):
    due = local(2026, 3, 2, 10, 0)
    plant_due_reminders(
        org,
        n=N,
        people=50,
        prefix="r",
        due=due,
        kind="before",
        offset_hours=24,
        send_at=due - dt.timedelta(hours=24),
    )
    mail.outbox.clear()

    def one_sweep():
        with time_machine.travel(due - dt.timedelta(hours=1), tick=False):
            return sweep()

    (a, b), errors = run_together(one_sweep)
    assert errors == []
    # Delivery sends at most 200 per sweep: the next sweeps send the rest, and nothing twice.
    later = []
    with time_machine.travel(due - dt.timedelta(hours=1), tick=False):
        while (report := sweep()).sent:
            later.append(report.sent)
    assert report.steps["reminders"] == 0
    queued = OutboxMessage.objects.filter(template="reminder").count()
    keys = Counter(OutboxMessage.objects.values_list("dedupe_key", flat=True))
    per_reminder = Counter(m.to[0] for m in mail.outbox)
    print(
        f"\n{N} due reminders, 2 concurrent sweeps: sweep A queued {a.steps['reminders']} and "
        f"sent {a.sent}, sweep B queued {b.steps['reminders']} and sent {b.sent}, later sweeps "
        f"sent {later}; "
        f"outbox {queued}, mails {len(mail.outbox)}, duplicates "
        f"{sum(c - 1 for c in keys.values())}"
    )
    assert a.errors == [] and b.errors == []
    assert a.steps["reminders"] + b.steps["reminders"] == N
    assert queued == N and len(keys) == N
    assert len(mail.outbox) == N and a.sent + b.sent + sum(later) == N
    assert set(per_reminder.values()) == {N // 50}  # each person: one per deadline
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
