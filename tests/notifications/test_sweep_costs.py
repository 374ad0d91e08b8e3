"""The sweep stays O(due) (issue 15, DEADLINE-2): with nothing due, each step of
`notifications.scheduler.sweep()` costs the same queries whatever exists, and reads only indexes
holding what may be due or wrong (partial indexes), never a whole table or a whole index.

benchmarks/sweep.py measures the same at 100,000 and 1,000,000 open deadlines; here the sizes
are small (the point is that the count does not grow)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.inline import Earliest, Inline
from notifications.models import OutboxMessage, Reminder
from notifications.scheduler import sweep, sweep_steps
from tests.notifications.sweepdata import grow_backlog

pytestmark = pytest.mark.django_db

STEPS = [name for name, _ in sweep_steps()]


def _step(name):
    return dict(sweep_steps())[name]


def _statements(func) -> tuple[int, list]:
    """How many queries `func()` ran, and each one's (sql, params)."""
    seen = []

    def record(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(record):
        func()
    return len(ctx.captured_queries), seen


def _settled(org, n):
    grow_backlog(org, n)
    report = sweep()  # anything due once (the first audit checkpoint)
    assert report.ok, report.errors
    report = sweep()
    assert (report.timers, report.events, report.sent) == (0, 0, 0), report.line()
    assert not any(report.steps.values()), report.line()
    return report


@pytest.mark.parametrize("name", STEPS)
def test_a_step_with_nothing_due_costs_the_same_at_10_and_at_200(org, name):
    """DEADLINE-2 / issue 15: the step's queries do not grow with the open deadlines, planned
    reminders, waiting and fired timers, delivered mail, past leaves and employees."""
    _settled(org, 10)
    small, _ = _statements(_step(name))
    grow_backlog(org, 190, start=10)
    sweep()
    large, _ = _statements(_step(name))
    assert large == small, f"{name}: {small} queries at 10, {large} at 200"


def test_a_sweep_with_nothing_due_costs_the_same_at_10_and_at_200(org):
    _settled(org, 10)
    small, _ = _statements(sweep)
    grow_backlog(org, 190, start=10)
    sweep()
    large, _ = _statements(sweep)
    assert large == small
    # One read per step at most (the delegation step: leaves on now, tasks held for someone).
    assert large <= len(STEPS) + 1


def test_failed_total_counts_the_failed_mail_only(org):
    grow_backlog(org, 7)
    assert sweep().failed_total == 7


# --- plans --------------------------------------------------------------------------------------


def _partial_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '%WHERE%'")
        return {row[0] for row in cursor.fetchall()}


def _sqlite_plan_problems(sql, params, partial) -> list[str]:
    """Plan lines that read a table or a whole index not partial: a SCAN of the table, or a
    SEARCH or SCAN of a full index (a join's lookup by primary key or unique key is fine)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        lines = [row[3] for row in cursor.fetchall()]
    problems = []
    for line in lines:
        if re.fullmatch(r"SCAN \S+", line):
            problems.append(line)
            continue
        used = re.search(r"USING (?:COVERING )?INDEX (\S+)", line)
        if used is None or used.group(1) in partial:
            continue
        if line.startswith("SEARCH") and used.group(1).startswith("sqlite_autoindex"):
            continue  # a join's lookup by a unique key (a primary key names no index)
        problems.append(line)
    return problems


def _postgres_plan_problems(sql, params) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        lines = [row[0] for row in cursor.fetchall()]
    return [line for line in lines if "Seq Scan" in line]


@pytest.mark.parametrize("name", STEPS)
def test_a_step_with_nothing_due_reads_only_partial_indexes(org, name):
    """Issue 15: each statement of the step is served by an index holding only what may be due
    or wrong (SQLite: EXPLAIN QUERY PLAN names a partial index, or a join's key lookup;
    PostgreSQL: no sequential scan even of tables this small, with seq scans discouraged)."""
    _settled(org, 20)
    _, statements = _statements(_step(name))
    reads = [(sql, params) for sql, params in statements if sql.lstrip().startswith("SELECT")]
    problems = []
    partial = _partial_indexes() if connection.vendor == "sqlite" else set()
    for sql, params in reads:
        if connection.vendor == "sqlite":
            found = _sqlite_plan_problems(sql, params, partial)
        else:
            found = _postgres_plan_problems(sql, params)
        problems += [f"{line}\n    in {sql[:200]}" for line in found]
    assert not problems, "\n".join(problems)


def test_viewflow_timer_query_reads_the_waiting_timers_index(org):
    """When a timer is due, viewflow's own query (its values bound as parameters) fires them:
    SQLite matches the bound values to workflows_timer_waiting_idx, PostgreSQL plans it with
    them; the fired timers (the history) are not read either way."""
    _settled(org, 20)
    due = Task.objects.filter(
        flow_task_type="TIMER", status=STATUS.SCHEDULED, scheduled__lte=timezone.now()
    ).order_by("scheduled")
    sql, params = due.query.sql_with_params()
    if connection.vendor == "sqlite":
        assert not _sqlite_plan_problems(sql, params, _partial_indexes())
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            assert "workflows_timer_waiting_idx" in " ".join(r[3] for r in cursor.fetchall())
    else:
        assert not _postgres_plan_problems(sql, params)


# --- Inline ---------------------------------------------------------------------------------------


def test_inline_writes_the_constant_into_the_sql_and_filters_the_same(org):
    """A condition written into the SQL selects what the same Q selects with parameters."""
    grow_backlog(org, 3)
    inline = OutboxMessage.objects.filter(Inline(Q(status="failed")))
    sql, params = inline.query.sql_with_params()
    assert "'failed'" in sql and "failed" not in [str(p) for p in params]
    assert sorted(inline.values_list("pk", flat=True)) == sorted(
        OutboxMessage.objects.filter(status="failed").values_list("pk", flat=True)
    )


def test_inline_in_a_subquery_of_an_update(org):
    """An UPDATE whose filter needs a join runs it as a subquery: the condition keeps its
    aliases there."""
    grow_backlog(org, 2)
    changed = Task.objects.filter(
        Inline(Q(flow_task_type="TIMER", status=STATUS.SCHEDULED)), process__status="NEW"
    ).update(external_task_id="moved")
    assert changed == 2
    assert Task.objects.filter(external_task_id="moved", status=STATUS.SCHEDULED).count() == 2


def test_earliest_is_due_at_its_time_and_not_a_microsecond_before(org):
    """DEADLINE-2: a reminder planned for T is sent by the sweep at T, not before."""
    grow_backlog(org, 2)
    first = Reminder.objects.order_by("send_at").first()
    check = Earliest(lambda: Reminder.objects.filter(sent_at__isnull=True), "send_at")
    assert check.due(first.send_at)
    assert not check.due(first.send_at - dt.timedelta(microseconds=1))
    Reminder.objects.update(sent_at=timezone.now())
    assert not check.due(first.send_at + dt.timedelta(days=365))
