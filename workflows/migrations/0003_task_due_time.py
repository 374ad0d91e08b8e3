"""An open human task keeps its step's due time on its own row (viewflow's `scheduled`, which
only viewflow's timers used: workflows.nodes sets it when it creates the task), so that an inbox
is ordered by an indexed column instead of one deadline subquery per task (the GM office's first
page walked 11,000 at 100,000 open tasks: benchmarks/inbox.py). This fills it for the tasks
already open: per step with a deadline, the latest open deadline of that name of the task's
case. The index serves the per-person order of the inbox pages."""

from django.db import migrations
from django.db.models import Max, OuterRef, Subquery

CREATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS workflows_task_due_idx "
    "ON viewflow_task (scheduled) WHERE flow_task_type = 'HUMAN'"
)
DROP_INDEX = "DROP INDEX IF EXISTS workflows_task_due_idx"


def fill_due_times(apps, schema_editor):
    from viewflow.workflow.models import Task

    from workflows.site import FLOWS

    Deadline = apps.get_model("approvals", "Deadline")
    for flow_class in FLOWS:
        case_type = flow_class.case_model._meta.model_name
        for node_name, deadline_name in getattr(flow_class, "node_deadlines", {}).items():
            node = flow_class.instance.node(node_name)
            if node is None:
                continue
            latest = (
                Deadline.objects.filter(
                    case_type=case_type,
                    name=deadline_name,
                    met_at__isnull=True,
                    case_id=OuterRef("process__artifact_object_id"),
                )
                .order_by()
                .values("case_id")
                .annotate(latest=Max("due_at"))
                .values("latest")
            )
            open_tasks = Task.objects.filter(
                flow_task=node, flow_task_type="HUMAN", status__in=("NEW", "ASSIGNED", "STARTED")
            )
            for task in open_tasks.annotate(due=Subquery(latest)).only("pk"):
                Task.objects.filter(pk=task.pk).update(scheduled=task.due)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0002_task_inbox_indexes"), ("approvals", "0008_outbox_event")]
    operations = [
        migrations.RunPython(fill_due_times, migrations.RunPython.noop),
        migrations.RunSQL(CREATE_INDEX, DROP_INDEX),
    ]
