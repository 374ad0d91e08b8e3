"""The role queues' index in the inbox's own order (workflows.inbox.by_urgency_qs: due time with
the undated last, then since assigned, then creation, then id), one queue and one status at a
time, so a long queue's first page is read in order and cut after a page. The GM office's queue
holds a tenth of all tasks: benchmarks/inbox.py at 100,000 tasks sorted its 11,112 rows for a
page of 10, and a walk of a due-time index over all tasks read 80,000 others before the GM's
(undated: last) tasks.

It replaces workflows_task_queue_idx (0002), whose key (owner_permission, status) it starts with,
so the COUNT of a queue and the 待领取 page read it as they read that one. `owner_id IS NULL` is
written in the query's SQL as it is here (no parameter), so a generic plan may use the index.
PostgreSQL's ASC is NULLS LAST, as the inbox orders; SQLite sorts one queue's rows itself.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS workflows_task_queue_order_idx ON viewflow_task "
    "(owner_permission, status, scheduled, (COALESCE(assigned, created)), created, id) "
    "WHERE owner_id IS NULL"
)
DROP = "DROP INDEX IF EXISTS workflows_task_queue_order_idx"
OLD = (
    "CREATE INDEX IF NOT EXISTS workflows_task_queue_idx "
    "ON viewflow_task (owner_permission, status) WHERE owner_id IS NULL"
)
DROP_OLD = "DROP INDEX IF EXISTS workflows_task_queue_idx"


class Migration(migrations.Migration):
    dependencies = [("workflows", "0004_sweep_indexes")]
    operations = [
        migrations.RunSQL(CREATE, DROP),
        migrations.RunSQL(DROP_OLD, OLD),
    ]
