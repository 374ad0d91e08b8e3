"""An index for viewflow's timer dispatcher (run by every sweep): it asks for scheduled TIMER
tasks due by now, and viewflow's own table has no index for that, so with many waiting timers
each sweep scanned them all. A plain composite index, not a partial one: Django binds the
values as parameters, and SQLite then cannot prove a partial index's condition."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS workflows_due_timer_idx "
    "ON viewflow_task (flow_task_type, status, scheduled)"
)
DROP = "DROP INDEX IF EXISTS workflows_due_timer_idx"


class Migration(migrations.Migration):
    dependencies = [("viewflow", "0015_task_scheduled")]
    operations = [migrations.RunSQL(CREATE, DROP)]
