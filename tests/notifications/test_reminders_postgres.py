"""DEADLINE-2 on PostgreSQL: two sweeps at the same moment over 500 due reminders send each one
exactly once (rows claimed with SELECT ... FOR UPDATE SKIP LOCKED; the outbox row and the sent
mark are written in one transaction)."""

import datetime as dt
import threading
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.db import connection

from approvals.deadlines import Deadline
from approvals.promotion import services
from notifications.models import OutboxMessage, Reminder
from notifications.scheduler import sweep
from tests.orgdata import employee
from tests.penalty.helpers import local
from workflows.engine import start_flow
from workflows.promotion import PromotionFlow

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
N = 500


def test_deadline2_two_concurrent_sweeps_send_500_due_reminders_exactly_once(org):
    people = [employee(f"r{i}", department=org.cs).user for i in range(50)]
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
        Reminder(
            deadline=d,
            recipient=user,
            kind="before",
            offset_hours=24,
            send_at=due - dt.timedelta(hours=24),
        )
        for d in deadlines
        for user in people
    )
    assert Reminder.objects.count() == N
    mail.outbox.clear()
    barrier = threading.Barrier(2)
    reports = [None, None]

    def run(i):
        try:
            with time_machine.travel(due - dt.timedelta(hours=1), tick=False):
                barrier.wait()
                reports[i] = sweep()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a, b = reports
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
    assert set(per_reminder.values()) == {N // len(people)}  # each person: one per deadline
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
