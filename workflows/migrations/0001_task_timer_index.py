"""An index for viewflow's timer dispatcher (run by every sweep): it asks for TIMER tasks still
SCHEDULED and due by now. viewflow indexes `scheduled` alone, and every timer that already fired
keeps its past `scheduled`, so that range grew with the history and each sweep walked it (SQLite,
100,000 fired timers: 37 ms for the query; see benchmarks/sweep.py --without-timer-index).
A plain composite index, not a partial one: Django binds the values as parameters, and SQLite
then cannot prove a partial index's condition."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS workflows_due_timer_idx "
    "ON viewflow_task (flow_task_type, status, scheduled)"
)
DROP = "DROP INDEX IF EXISTS workflows_due_timer_idx"


class Migration(migrations.Migration):
    dependencies = [("viewflow", "0015_task_scheduled")]
    operations = [migrations.RunSQL(CREATE, DROP)]
