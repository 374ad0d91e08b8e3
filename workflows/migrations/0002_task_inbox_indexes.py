"""Indexes for the inbox (benchmarks/inbox.py, 100,000 open tasks). A person's open tasks are
those they own or those queued to a role they hold with no owner; viewflow indexes neither arm,
so both databases walked every open task (PostgreSQL 21 ms, SQLite 75 ms per statement at 100k).
The owner index serves the first arm, the partial queue index the second and the 待领取 count
(its condition is a literal IS NULL, which SQLite can match against the query's own)."""

from django.db import migrations

CREATE_OWNER = (
    "CREATE INDEX IF NOT EXISTS workflows_task_owner_idx ON viewflow_task (owner_id, status)"
)
DROP_OWNER = "DROP INDEX IF EXISTS workflows_task_owner_idx"
CREATE_QUEUE = (
    "CREATE INDEX IF NOT EXISTS workflows_task_queue_idx "
    "ON viewflow_task (owner_permission, status) WHERE owner_id IS NULL"
)
DROP_QUEUE = "DROP INDEX IF EXISTS workflows_task_queue_idx"


class Migration(migrations.Migration):
    dependencies = [("workflows", "0001_task_timer_index")]
    operations = [
        migrations.RunSQL(CREATE_OWNER, DROP_OWNER),
        migrations.RunSQL(CREATE_QUEUE, DROP_QUEUE),
    ]
