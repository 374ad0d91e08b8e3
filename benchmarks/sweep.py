"""The scheduler's sweep with nothing due, against a large backlog of open deadlines.

Run:  .venv/bin/python benchmarks/sweep.py [N] [--without-timer-index]     (default 100000)
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/hr_bench .venv/bin/python benchmarks/sweep.py
Uses a throw-away SQLite database (or DATABASE_URL: point it at a scratch database; its tables
are flushed first).

It creates N open deadlines due in the coming weeks, each with its three planned reminders
(24 h before, at the due time, the escalation after it), N waiting viewflow timers (a penalty's
objection window), N timers that fired in the past (the history a year leaves behind) and N
delivered outbox messages plus N/10 queued for a later retry; then times
`notifications.scheduler.sweep()` (viewflow timers, reminders, delivery) when none of it is due.
Prints the query count (deterministic) and the wall time (median of 9 runs, informative).

`--without-timer-index` drops workflows_due_timer_idx (workflows/migrations/0001) after the build,
for the figure before it: viewflow's own index on `scheduled` alone also covers every timer that
already fired (all scheduled in the past), so each sweep walked the whole history.
"""

import datetime as dt
import importlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-sweep-"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
BATCH = 5000


def _batched(make, n):
    for start in range(0, n, BATCH):
        yield [make(i) for i in range(start, min(n, start + BATCH))]


def build(n: int) -> None:
    from django.contrib.contenttypes.models import ContentType
    from viewflow.workflow.models import Process, Task
    from viewflow.workflow.status import PROCESS, STATUS

    from approvals.deadlines import Deadline
    from notifications.models import OutboxMessage, Reminder
    from tests.orgdata import build_org
    from workflows.penalty import PenaltyFlow

    org = build_org()
    now = timezone.now()
    users = [org.lead.user, org.gm.user, org.agent.user]

    def due(i):
        return now + dt.timedelta(days=3, minutes=i % 40_000)

    for rows in _batched(
        lambda i: Deadline(case_type="penalty", case_id=i + 1, name="response", due_at=due(i)), n
    ):
        deadlines = Deadline.objects.bulk_create(rows)
        Reminder.objects.bulk_create(
            Reminder(
                deadline=d,
                recipient=users[k],
                kind=kind,
                offset_hours=hours,
                send_at=d.due_at + shift,
            )
            for d in deadlines
            for k, (kind, hours, shift) in enumerate(
                [
                    ("before", 24, -dt.timedelta(hours=24)),
                    ("due", 0, dt.timedelta(0)),
                    ("escalation", 0, dt.timedelta(microseconds=1)),
                ]
            )
        )
    penalty_type = ContentType.objects.get(app_label="approvals", model="penalty")
    timer_node = PenaltyFlow.instance.node("object__timeout")
    for rows in _batched(
        lambda i: Process(
            flow_class=PenaltyFlow,
            status=PROCESS.NEW,
            artifact_content_type=penalty_type,
            artifact_object_id=i + 1,
        ),
        n,
    ):
        processes = Process.objects.bulk_create(rows)
        Task.objects.bulk_create(
            Task(
                process=p,
                flow_task=timer_node,
                flow_task_type="TIMER",
                status=STATUS.SCHEDULED,
                scheduled=due(p.pk),
            )
            for p in processes
        )
        # The same processes' earlier timers, fired long ago (a penalty can have had several).
        Task.objects.bulk_create(
            Task(
                process=p,
                flow_task=timer_node,
                flow_task_type="TIMER",
                status=STATUS.DONE,
                scheduled=now - dt.timedelta(days=1, minutes=p.pk % 500_000),
            )
            for p in processes
        )

    def message(i, status, at):
        return OutboxMessage(
            to_email=f"u{i}@example.com",
            subject="s",
            body_text="b",
            language="zh-hans",
            template="reminder",
            status=status,
            next_attempt_at=at,
            sent_at=now if status == "sent" else None,
        )

    for rows in _batched(lambda i: message(i, "sent", now), n):
        OutboxMessage.objects.bulk_create(rows)
    for rows in _batched(lambda i: message(i, "queued", now + dt.timedelta(hours=1)), n // 10):
        OutboxMessage.objects.bulk_create(rows)


def main(n: int, *, timer_index: bool = True) -> None:
    from notifications.scheduler import sweep

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    # An earlier run with --without-timer-index dropped it; migrate would not bring it back.
    index = importlib.import_module("workflows.migrations.0001_task_timer_index")
    with connection.cursor() as cursor:
        cursor.execute(index.CREATE)
    from policy.services import install_default_pack

    install_default_pack()
    started = time.perf_counter()
    build(n)
    print(
        f"database: {connection.vendor}; built {n} open deadlines, {3 * n} planned reminders, "
        f"{n} waiting and {n} fired timers, {n + n // 10} outbox rows "
        f"in {time.perf_counter() - started:.0f} s"
    )
    if not timer_index:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX workflows_due_timer_idx")
    print(f"workflows_due_timer_idx: {'present' if timer_index else 'dropped (before figure)'}")
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        report = sweep()
    assert report.timers == 0 and report.steps.get("reminders") == 0 and report.sent == 0, report
    times = []
    for _ in range(9):
        started = time.perf_counter()
        sweep()
        times.append(time.perf_counter() - started)
    print(
        f"sweep with nothing due: {len(ctx.captured_queries)} queries, "
        f"median {statistics.median(times) * 1000:.1f} ms "
        f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}) over 9 runs"
    )
    for q in ctx.captured_queries:
        print(f"  {q['time']:>7} s  {q['sql'][:150]}")


if __name__ == "__main__":
    import logging

    logging.disable(logging.INFO)
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 100_000, timer_index="--without-timer-index" not in sys.argv)
