"""Partial indexes for the scheduler's sweep (issue 15: the sweep stays O(due)). Each holds only
the rows a step of every sweep asks about, so a sweep with nothing due reads a few index pages
however many tasks, leaves and employees exist (benchmarks/sweep.py, 1,000,000 open deadlines):

- workflows_timer_waiting_idx: the waiting timers (status SCHEDULED: only timers wait), by
  flow_task_type and due time: the sweep's `timers` check (its earliest entry) and, when one is
  due, viewflow's own query (a range). Fired timers, the history, are not in it. It replaces
  workflows_due_timer_idx (0001), the same columns over every task, which SQLite's statistics
  rated better, so that it kept reading that one;
- workflows_task_delegated_idx: the open tasks a delegate holds for someone on leave (LEAVE-6:
  the `delegation` step gives them back; it read every open task's JSON);
- workflows_leave_delegating_idx: leaves with a stand-in, by state and end: the `delegation`
  step reads the range of approved ones not ended yet (it read every past leave);
- workflows_probationer_idx: the probationers (the `probations` backfill, PROB-1; it read every
  employee).

The queries write their constant conditions into the SQL (approvals.inline.Inline) so that a
plan can use these indexes whatever the parameters. How each key is laid out matters on both
databases: SQLite prefers an index it can search by equality (status IN (...), state = ...,
flow_task_type = ...) to a walk of a partial one, so the key starts with such a column;
PostgreSQL does not use a condition the index's WHERE already implies as a search key, so a
range (the due time, the leave's end) must follow only columns the query constrains and the
WHERE does not (a key (state, end) WHERE state = 'approved' is walked whole for `end > now`).
They live here, beside the other indexes of viewflow's table, because they serve the sweep's
steps rather than their models' own pages; the models' Meta do not declare them (viewflow's
Task is not ours), as with 0001-0003.
"""

from django.db import migrations, models
from django.db.models import Q

OPEN = ("NEW", "ASSIGNED", "STARTED")

# (app_label, model, index): the conditions are frozen here as in any migration; the steps'
# queries state them again and tests/notifications/test_sweep_indexes.py checks they match.
INDEXES = [
    (
        "viewflow",
        "Task",
        models.Index(
            fields=["flow_task_type", "scheduled"],
            condition=Q(status="SCHEDULED"),
            name="workflows_timer_waiting_idx",
        ),
    ),
    (
        "viewflow",
        "Task",
        models.Index(
            fields=["status", "owner"],
            condition=Q(data__has_key="acting_for", status__in=OPEN),
            name="workflows_task_delegated_idx",
        ),
    ),
    (
        "approvals",
        "Leave",
        models.Index(
            fields=["state", "end"],
            condition=Q(delegate__isnull=False),
            name="workflows_leave_delegating_idx",
        ),
    ),
    (
        "org",
        "Employee",
        models.Index(
            fields=["level", "id"],
            condition=Q(level="probationer"),
            name="workflows_probationer_idx",
        ),
    ),
]


def _each(apps):
    for app_label, model_name, index in INDEXES:
        yield apps.get_model(app_label, model_name), index


def create_indexes(schema_editor, apps=None):
    """Also run by benchmarks/sweep.py after --without-timer-index dropped some."""
    from django.apps import apps as live_apps

    introspection = schema_editor.connection.introspection
    with schema_editor.connection.cursor() as cursor:
        for model, index in _each(apps or live_apps):
            if index.name not in introspection.get_constraints(cursor, model._meta.db_table):
                schema_editor.add_index(model, index)


def add(apps, schema_editor):
    create_indexes(schema_editor, apps)


def remove(apps, schema_editor):
    for model, index in _each(apps):
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0003_task_due_time"),
        ("viewflow", "0015_task_scheduled"),
        ("approvals", "0008_outbox_event"),
        ("org", "0001_initial"),
    ]
    operations = [
        migrations.RunPython(add, remove),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS workflows_due_timer_idx",
            "CREATE INDEX IF NOT EXISTS workflows_due_timer_idx "
            "ON viewflow_task (flow_task_type, status, scheduled)",
        ),
    ]
