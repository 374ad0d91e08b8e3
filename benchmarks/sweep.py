"""The scheduler's sweep with nothing due, against a large backlog of open deadlines, step by step.

Run:  .venv/bin/python benchmarks/sweep.py [N] [--runs R] [--explain] [--without-timer-index]
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/hr_bench .venv/bin/python benchmarks/sweep.py
N defaults to 100000; R (timed runs, the median is printed) to 9. Uses a throw-away SQLite
database (or DATABASE_URL: point it at a scratch database; its tables are flushed first).

It creates N open deadlines due in the coming weeks, each with its three planned reminders
(24 h before, at the due time, the escalation after it) and its open task (a penalty's answer, in
the inbox of one of a few people), N waiting viewflow timers (a penalty's objection window), N
timers that fired in the past (the history a year leaves behind), N dispatched domain events,
N delivered outbox messages plus N/10 queued for a later retry and N/1000 failed for good, N/100
approved leaves with a delegate that are over, N/1000 delegated tasks long done and N/100 more
employees (past probation). The rows
are written with executemany in batches (1,000,000 takes minutes, not the half hour model
instances took). Then one sweep runs (anything due once, e.g. the first audit checkpoint, is
done there), the tables are analysed, and `notifications.scheduler.sweep()` and each of its steps
are timed with nothing due: per step its queries (deterministic) and its time (median of R runs,
informative).

`--explain` prints each step's statements with their plans: EXPLAIN QUERY PLAN on SQLite;
EXPLAIN on PostgreSQL, with the values (a custom plan) and as the prepared statement's generic
plan (what a connection reusing it runs once PostgreSQL stops planning per call: statements are
prepared on the server, DB_PREPARED_STATEMENTS).

`--no-build` measures the database as an earlier run left it (same N: nothing is flushed).

`--without-timer-index` drops the timer index (workflows_timer_waiting_idx, workflows/migrations/
0004; in an older checkout workflows_due_timer_idx, 0001) after the build, for the figure
without it. The script runs against an older checkout too (it falls back
to the sweep's built-in steps when `notifications.scheduler.sweep_steps` does not exist), which
is how the "before" figures in README.md were taken.
"""

import argparse
import datetime as dt
import importlib
import json
import os
import re
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
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
BATCH = 10_000


class Inserter:
    """INSERT rows of `model` with explicit ids by executemany: the values are prepared for the
    database once per column kind (constants once), not through model instances."""

    def __init__(self, model, columns: list[str]):
        self.model = model
        self.fields = [model._meta.get_field(c) for c in columns]
        qn = connection.ops.quote_name
        cols = ", ".join(qn(f.column) for f in [model._meta.pk, *self.fields])
        marks = ", ".join(["%s"] * (len(self.fields) + 1))
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({cols}) VALUES ({marks})"
        self.next_id = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def prep(self, column: str, value):
        return self.model._meta.get_field(column).get_db_prep_save(value, connection)

    def insert(self, rows) -> range:
        """`rows`: tuples of prepared values in the column order; returns the ids given."""
        rows = list(rows)
        first = self.next_id
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                chunk = rows[start : start + BATCH]
                cursor.executemany(
                    self.sql, [(first + start + i, *row) for i, row in enumerate(chunk)]
                )
        self.next_id += len(rows)
        return range(first, self.next_id)


def _reset_sequences(models) -> None:
    sql = connection.ops.sequence_reset_sql(no_style(), models)
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


def build(n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from viewflow.workflow.models import Process, Task
    from viewflow.workflow.status import PROCESS, STATUS

    from approvals.deadlines import Deadline
    from approvals.events import OutboxEvent
    from approvals.leave.models import Leave
    from notifications.models import OutboxMessage, Reminder
    from org.models import Employee
    from tests.orgdata import build_org
    from workflows.penalty import PenaltyFlow

    org = build_org()
    now = timezone.now()
    users = [org.lead.user, org.gm.user, org.agent.user]
    owners = [org.lead.user_id, org.agent.user_id, org.colleague.user_id, org.admin.user_id]
    dtv = connection.ops.adapt_datetimefield_value

    def due(i):
        return now + dt.timedelta(days=3, minutes=i % 40_000)

    for start in range(0, n, BATCH):
        stop = min(n, start + BATCH)
        with transaction.atomic():
            deadlines = Inserter(
                Deadline, ["case_type", "case_id", "name", "due_at", "provisional", "created_at"]
            )
            created = dtv(now)
            ids = deadlines.insert(
                ("penalty", i + 1, "response", dtv(due(i)), False, created)
                for i in range(start, stop)
            )
            reminders = Inserter(
                Reminder, ["deadline", "recipient", "kind", "offset_hours", "send_at"]
            )
            shifts = [
                ("before", 24, -dt.timedelta(hours=24)),
                ("due", 0, dt.timedelta(0)),
                ("escalation", 0, dt.timedelta(microseconds=1)),
            ]
            reminders.insert(
                (pk, users[k].pk, kind, hours, dtv(due(i) + shift))
                for pk, i in zip(ids, range(start, stop), strict=True)
                for k, (kind, hours, shift) in enumerate(shifts)
            )

    penalty_type = ContentType.objects.get(app_label="approvals", model="penalty")
    processes = Inserter(
        Process,
        ["flow_class", "status", "created", "artifact_content_type", "artifact_object_id", "data"],
    )
    task_columns = [
        "process",
        "flow_task",
        "flow_task_type",
        "status",
        "created",
        "token",
        "owner",
        "scheduled",
        "data",
    ]
    flow_class = processes.prep("flow_class", PenaltyFlow)
    empty = processes.prep("data", {})
    timer_node = Task._meta.get_field("flow_task").get_db_prep_save(
        PenaltyFlow.instance.node("object__timeout"), connection
    )
    human_node = Task._meta.get_field("flow_task").get_db_prep_save(
        PenaltyFlow.instance.node("respond"), connection
    )
    task_data = Task._meta.get_field("data").get_db_prep_save({}, connection)
    created = dtv(now - dt.timedelta(days=1))
    for start in range(0, n, BATCH):
        stop = min(n, start + BATCH)
        with transaction.atomic():
            pids = processes.insert(
                (flow_class, PROCESS.NEW, created, penalty_type.pk, i + 1, empty)
                for i in range(start, stop)
            )
            tasks = Inserter(Task, task_columns)
            rows = []
            for pid, i in zip(pids, range(start, stop), strict=True):
                # The waiting objection timer, the open answer in someone's inbox, and an earlier
                # timer of the same case that fired long ago (a penalty can have had several).
                rows.append(
                    (pid, timer_node, "TIMER", STATUS.SCHEDULED, created, "start", None,
                     dtv(due(i)), task_data)
                )  # fmt: skip
                rows.append(
                    (pid, human_node, "HUMAN", STATUS.NEW, created, "start", owners[i % 4],
                     dtv(due(i)), task_data)
                )  # fmt: skip
                rows.append(
                    (pid, timer_node, "TIMER", STATUS.DONE, created, "start", None,
                     dtv(now - dt.timedelta(days=1, minutes=i % 500_000)), task_data)
                )  # fmt: skip
            tasks.insert(rows)
    # Tasks a delegate answered long ago (LEAVE-6): done, still carrying whom they were for.
    with transaction.atomic():
        tasks = Inserter(Task, task_columns)
        acting = Task._meta.get_field("data").get_db_prep_save(
            {"acting_for": org.lead.user_id}, connection
        )
        tasks.insert(
            (1 + i % n, human_node, "HUMAN", STATUS.DONE, created, "start", org.gm.user_id,
             None, acting)
            for i in range(max(1, n // 1000))
        )  # fmt: skip

    events = Inserter(
        OutboxEvent,
        ["kind", "data", "created_at", "dispatched_at", "attempts", "failed", "last_error"],
    )
    event_data = events.prep("data", {"task_id": 1})
    for start in range(0, n, BATCH):
        with transaction.atomic():
            events.insert(
                ("task_created", event_data, created, created, 0, False, "")
                for _ in range(start, min(n, start + BATCH))
            )

    messages = Inserter(
        OutboxMessage,
        ["to_email", "subject", "body_text", "body_html", "language", "template", "status",
         "attempts", "next_attempt_at", "last_error", "created_at", "sent_at"],
    )  # fmt: skip

    def message(i, status, at):
        sent_at = created if status == "sent" else None
        return (f"u{i}@example.com", "s", "b", "", "zh-hans", "reminder", status, 1, at, "",
                created, sent_at)  # fmt: skip

    later = dtv(now + dt.timedelta(hours=1))
    for status, count, at in [
        ("sent", n, created),
        ("queued", n // 10, later),
        ("failed", max(1, n // 1000), created),
    ]:
        for start in range(0, count, BATCH):
            with transaction.atomic():
                messages.insert(
                    message(i, status, at) for i in range(start, min(count, start + BATCH))
                )

    # Leaves that are over, each with a stand-in (the delegation step's history).
    leaves = Inserter(
        Leave,
        ["employee", "department", "kind", "start", "end", "reason", "emergency", "days",
         "delegate", "state", "policy_version", "submitted_at", "submitted_by", "decision_reason"],
    )  # fmt: skip
    lead, trainer = org.lead, org.panel[2]
    with transaction.atomic():
        rows = []
        for i in range(max(1, n // 100)):
            start_at = now - dt.timedelta(days=10 + i % 3000, hours=i % 24)
            rows.append(
                (lead.pk, lead.department_id, "personal", dtv(start_at),
                 dtv(start_at + dt.timedelta(days=1)), "r", False, leaves.prep("days", 1),
                 trainer.pk, "approved", "bench", dtv(start_at), lead.pk, "")
            )  # fmt: skip
        leaves.insert(rows)
    # The rest of a large company: employees past probation (the backfill's table).
    User = get_user_model()
    people = Inserter(
        User,
        ["password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
         "is_active", "date_joined"],
    )  # fmt: skip
    staff = Inserter(Employee, ["user", "name", "level", "hired_on", "language", "department"])
    hired = staff.prep("hired_on", (now - dt.timedelta(days=400)).date())
    with transaction.atomic():
        count = max(1, n // 100)
        uids = people.insert(
            ("!", False, f"bench{i}", "", "", "", False, True, created) for i in range(count)
        )
        staff.insert(
            (uid, f"员工{uid}", "junior", hired, "zh-hans", lead.department_id) for uid in uids
        )
    _reset_sequences(
        [Deadline, Reminder, Process, Task, OutboxEvent, OutboxMessage, Leave, User, Employee]
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def sweep_steps():
    """The sweep's steps in order, as (name, function): the scheduler's own list, or (an older
    checkout) its built-in steps around the registered ones."""
    from notifications import scheduler

    if hasattr(scheduler, "sweep_steps"):
        return scheduler.sweep_steps()
    from viewflow.workflow.timers import fire_due_timers

    from notifications.events import dispatch_events
    from notifications.models import OutboxMessage
    from notifications.services import deliver_outbox

    return [
        ("timers", fire_due_timers),
        ("events", dispatch_events),
        *scheduler.registered_steps().items(),
        ("delivery", deliver_outbox),
        ("failed_total", OutboxMessage.objects.filter(status="failed").count),
    ]


class Recorder:
    """Every statement a step runs, with its parameters (for EXPLAIN)."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def _pg_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, dt.datetime):
        return "timestamptz"
    return "text"


def _explain(sql: str, params) -> list[str]:
    if not re.match(r"\s*(SELECT|UPDATE|DELETE|INSERT|WITH)\b", sql, re.IGNORECASE):
        return []
    lines = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [str(row[3]) for row in cursor.fetchall()]
        cursor.execute("EXPLAIN " + sql, params)
        lines += ["custom: " + row[0] for row in cursor.fetchall()]
        # The same statement prepared, planned for any value: what a reused prepared statement
        # may run. %s -> $1, $2, ... (a literal % is written %% by Django).
        count = 0

        def number(_match):
            nonlocal count
            count += 1
            return f"${count}"

        parts = [re.sub(r"%s", number, part) for part in sql.split("%%")]
        types = [_pg_type(p) for p in params or ()]
        declared = f"({', '.join(types)})" if types else ""
        cursor.execute(f"PREPARE bench_sweep_explain{declared} AS " + "%".join(parts))
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        try:
            # The values as literals: a utility statement (EXPLAIN EXECUTE) takes no parameters.
            quote = connection.schema_editor().quote_value
            values = ", ".join(f"{quote(p)}::{t}" for p, t in zip(params or (), types, strict=True))
            cursor.execute("EXPLAIN EXECUTE bench_sweep_explain" + (f"({values})" if types else ""))
            lines += ["generic: " + row[0] for row in cursor.fetchall()]
        finally:
            cursor.execute("RESET plan_cache_mode")
            cursor.execute("DEALLOCATE bench_sweep_explain")
    return lines


def main(
    n: int, *, runs: int = 9, explain: bool = False, timer_index: bool = True, fresh: bool = True
) -> None:
    call_command("migrate", verbosity=0)
    # An earlier run with --without-timer-index dropped them; migrate would not bring them back.
    try:
        sweep_indexes = importlib.import_module("workflows.migrations.0004_sweep_indexes")
    except ImportError:  # an older checkout: the timer index of 0001
        timer_index_sql = importlib.import_module("workflows.migrations.0001_task_timer_index")
        with connection.cursor() as cursor:
            cursor.execute(timer_index_sql.CREATE)
    else:
        with connection.schema_editor() as editor:
            sweep_indexes.create_indexes(editor)
    if fresh:
        _build(n)
    _measure(runs=runs, explain=explain, timer_index=timer_index)


def _build(n: int) -> None:
    call_command("flush", interactive=False, verbosity=0)
    from policy.services import install_default_pack

    install_default_pack()
    started = time.perf_counter()
    build(n)
    print(
        f"database: {connection.vendor}; built {n} open deadlines with {3 * n} planned reminders "
        f"and {n} open tasks, {n} waiting and {n} fired timers, {n} dispatched events, "
        f"{n + n // 10 + max(1, n // 1000)} outbox rows, {max(1, n // 100)} past leaves and "
        f"{max(1, n // 100)} more employees "
        f"in {time.perf_counter() - started:.0f} s"
    )


def _measure(*, runs: int, explain: bool, timer_index: bool) -> None:
    from notifications.scheduler import sweep

    if not timer_index:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS workflows_due_timer_idx")
            cursor.execute("DROP INDEX IF EXISTS workflows_timer_waiting_idx")
    print(f"timer indexes: {'present' if timer_index else 'dropped'}")
    # Statistics as the database keeps them (PostgreSQL's autovacuum; SQLite's ANALYZE), also for
    # indexes a migration added to a database built by an earlier run (--no-build).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    first = sweep()  # anything due once (the first audit checkpoint, a probation to open)
    report = sweep()
    assert report.ok and report.timers == 0 and report.sent == 0, (first, report)
    assert not any(report.steps.values()), report

    steps = sweep_steps()
    times = {name: [] for name, _ in steps}
    counts, statements = {}, {}
    totals, total_queries = [], None
    for _ in range(runs):
        for name, func in steps:
            recorder = Recorder()
            with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(recorder):
                started = time.perf_counter()
                func()
                times[name].append(time.perf_counter() - started)
            counts[name] = len(ctx.captured_queries)
            statements[name] = recorder.statements
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            sweep()
            totals.append(time.perf_counter() - started)
        total_queries = len(ctx.captured_queries)

    def ms(values):
        return statistics.median(values) * 1000

    print(f"\nper step, nothing due (median of {runs} runs):")
    print(f"  {'step':<18} {'queries':>7} {'median ms':>10} {'min':>7} {'max':>7}")
    for name, _ in steps:
        values = times[name]
        print(
            f"  {name:<18} {counts[name]:>7} {ms(values):>10.2f} "
            f"{min(values) * 1000:>7.2f} {max(values) * 1000:>7.2f}"
        )
    print(
        f"  {'sweep()':<18} {total_queries:>7} {ms(totals):>10.2f} "
        f"{min(totals) * 1000:>7.2f} {max(totals) * 1000:>7.2f}"
    )
    if explain:
        print("\nplans (each step's statements with nothing due):")
        for name, _ in steps:
            print(f"\n[{name}]")
            if not statements[name]:
                print("  (no statement)")
            for sql, params in statements[name]:
                shown = sql if len(sql) < 400 else sql[:400] + " ..."
                print(f"  SQL: {shown}")
                if params:
                    print(f"  params: {json.dumps([str(p) for p in params], ensure_ascii=False)}")
                for line in _explain(sql, params):
                    print(f"    {line}")


if __name__ == "__main__":
    import logging

    logging.disable(logging.INFO)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--without-timer-index", action="store_true")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    main(
        args.n,
        runs=args.runs,
        explain=args.explain,
        timer_index=not args.without_timer_index,
        fresh=not args.no_build,
    )
