"""The caller's open tasks across every flow (API `GET /inbox/`), most urgent first.

A constant number of queries whatever the number of tasks: the caller's permissions, the tasks
with their process, and one query per kind of case for the titles.
"""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.deadlines import Deadline
from org.models import Employee

from .site import FLOWS

OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def open_tasks_for(user):
    """Tasks assigned to the user, and unclaimed tasks queued for a role the user holds."""
    permissions = user.get_all_permissions()
    return (
        Task.objects.filter(flow_task_type="HUMAN", status__in=OPEN)
        .filter(Q(owner=user) | Q(owner__isnull=True, owner_permission__in=permissions))
        .select_related("process")
        .order_by("created", "pk")
    )


def task_url(task) -> str:
    """The task's page on the viewflow site (it redirects to execute, assign or detail)."""
    flow_class = task.flow_task.flow_class
    return reverse(
        f"workflow:flows:{flow_class.__name__.removesuffix('Flow').lower()}:{task.flow_task.name}:index",
        args=[task.process_id, task.pk],
    )


def inbox_for(user) -> list[dict]:
    flows = {flow_class: flow_class for flow_class in FLOWS}
    task_qs = open_tasks_for(user)
    tasks = list(task_qs)
    flows_present = {task.process.flow_class for task in tasks} & set(flows)
    # One query per kind of case, by subquery (no id list: SQLite would split a long one).
    cases = {
        flow_class: {
            case.pk: case
            for case in flow_class.case_model._default_manager.select_related("employee").filter(
                pk__in=task_qs.filter(process__flow_class=flow_class).values(
                    "process__artifact_object_id"
                )
            )
        }
        for flow_class in flows_present
    }
    due = _open_deadlines(task_qs, flows_present)
    standing_in = _principals(tasks)
    now = timezone.now()
    labels = {}  # translated level names, looked up once per call
    rows = []
    for task in tasks:
        flow_class = task.process.flow_class
        if flow_class not in flows:
            continue
        case = cases[flow_class].get(task.process.artifact_object_id)
        if case is None:
            continue
        node = task.flow_task
        due_at = due.get((flow_class, case.pk, flow_class.node_deadlines.get(node.name)))
        rows.append(
            {
                "task_id": task.pk,
                "resource": flow_class.resource,
                "case_id": case.pk,
                "action": node.name,
                "actions": flow_class.node_actions.get(node.name, []),
                "title": _title(node, case, labels),
                "skip_level": getattr(case, "skip_level", False),
                "assigned_at": (task.assigned or task.created).isoformat(),
                "due_at": due_at.isoformat() if due_at else None,
                "overdue": bool(due_at and due_at < now),
                "url": task_url(task),
                # LEAVE-6: whose task this is while its owner is on leave (None: the caller's).
                "acting_for": standing_in.get((task.data or {}).get("acting_for")),
            }
        )
    # Most urgent first: due soonest (undated last), then oldest.
    rows.sort(key=lambda r: (r["due_at"] is None, r["due_at"] or "", r["assigned_at"]))
    return rows


def _principals(tasks) -> dict:
    """User id -> name of the people whose tasks the caller holds as their delegate (one query,
    none when there are none)."""
    user_ids = {(task.data or {}).get("acting_for") for task in tasks} - {None}
    if not user_ids:
        return {}
    return dict(Employee.objects.filter(user_id__in=user_ids).values_list("user_id", "name"))


def _open_deadlines(task_qs, flow_classes) -> dict:
    """(flow, case id, step name) -> due time of the open deadline; one query per kind of case."""
    result = {}
    for flow_class in flow_classes:
        case_type = flow_class.case_model._meta.model_name
        rows = Deadline.objects.filter(
            case_type=case_type,
            met_at__isnull=True,
            case_id__in=task_qs.filter(process__flow_class=flow_class).values(
                "process__artifact_object_id"
            ),
        ).values_list("case_id", "name", "due_at")
        for case_id, name, due_at in rows:
            result[(flow_class, case_id, name)] = due_at
    return result


def _title(node, case, labels: dict) -> str:
    target = getattr(case, "target_level", None)
    if target is None:
        return f"{node.task_title}: {case.employee.name}"
    if target not in labels:
        labels[target] = str(case.get_target_level_display())
    marker = f" [{_('skip-level')}]" if case.skip_level else ""
    return f"{node.task_title}: {case.employee.name} → {labels[target]}{marker}"
