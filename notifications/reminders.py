"""Reminders and escalation notices on the deadline engine (DEADLINE-2, PROMO-5, APPEAL-2).

Planning: when a task lands in an inbox, the deadline its step answers (the flow's
`node_deadlines`) gets planned rows — for each person the task is for, one reminder per policy
offset before the due time (default 24 h) and one at the due time; and, unless the flow handles
its own overdue step with a timer (`escalating_nodes`), one escalation notice per GM-office
member just after the due time ("the next level": the GM office, also for steps the GM office
itself holds, where the general manager is the next level). A reminder whose time has already
passed when the task is created is not planned: the "task assigned" mail has just gone out.

Sending (a sweep step): due reminders are claimed (SKIP LOCKED on PostgreSQL, a conditional
UPDATE elsewhere), queued to the outbox with a unique key and marked sent in the same
transaction, so each is sent exactly once even with two sweeps at once. A reminder of a deadline
that has been met by then is cancelled instead of sent.
"""

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from viewflow.workflow.models import Task

from approvals.deadlines import Deadline
from org.levels import Role
from policy.services import policy_in_force

from .models import Reminder
from .services import notify

logger = logging.getLogger(__name__)

ESCALATE_AFTER = dt.timedelta(microseconds=1)
BATCH = 100


def users_for_task(task) -> list:
    """The task's owner, or every active holder of the permission it is queued for."""
    User = get_user_model()
    if task.owner_id:
        return [task.owner]
    if task.owner_permission:
        app_label, codename = task.owner_permission.split(".", 1)
        perm = Q(
            groups__permissions__codename=codename,
            groups__permissions__content_type__app_label=app_label,
        )
        return list(User.objects.filter(perm | Q(is_superuser=True), is_active=True).distinct())
    return []


def gm_office_users() -> list:
    User = get_user_model()
    return list(
        User.objects.filter(
            is_active=True,
            groups__permissions__codename=Role.GM_OFFICE,
            groups__permissions__content_type__app_label="org",
        ).distinct()
    )


def reminders_plan_for_task(task, users=None) -> int:
    """Plan the reminders of the deadline `task` answers; returns how many rows were new."""
    flow_class = task.process.flow_class
    node = task.flow_task.name
    name = getattr(flow_class, "node_deadlines", {}).get(node)
    if name is None or node in getattr(flow_class, "quiet_nodes", set()):
        return 0
    deadline = (
        Deadline.objects.filter(
            case_type=flow_class.case_model._meta.model_name,
            case_id=task.process.artifact_object_id,
            name=name,
            met_at__isnull=True,
        )
        .order_by("-pk")
        .first()
    )
    if deadline is None:
        return 0
    now = timezone.now()
    users = users_for_task(task) if users is None else users
    rows = []
    for hours in policy_in_force(at=now).reminder_offsets_hours:
        send_at = deadline.due_at - dt.timedelta(hours=hours)
        if hours and send_at <= now:
            continue
        kind = Reminder.Kind.BEFORE if hours else Reminder.Kind.DUE
        rows += [
            Reminder(
                deadline=deadline,
                recipient=user,
                kind=kind,
                offset_hours=hours,
                send_at=send_at,
                task_id=task.pk,
            )
            for user in users
        ]
    if node not in getattr(flow_class, "escalating_nodes", set()):
        rows += [
            Reminder(
                deadline=deadline,
                recipient=user,
                kind=Reminder.Kind.ESCALATION,
                send_at=deadline.due_at + ESCALATE_AFTER,
                task_id=task.pk,
            )
            for user in gm_office_users()
        ]
    before = Reminder.objects.filter(deadline=deadline).count()
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return Reminder.objects.filter(deadline=deadline).count() - before


# --- sending ----------------------------------------------------------------------------------


def _pending(now):
    return Reminder.objects.filter(
        sent_at__isnull=True, cancelled_at__isnull=True, send_at__lte=now
    )


def _claim_batch(now) -> list[Reminder]:
    """Lock and return due reminders of open deadlines (inside the caller's transaction)."""
    qs = (
        _pending(now)
        .filter(deadline__met_at__isnull=True)
        .select_related("deadline", "recipient__employee")
        .order_by("send_at", "pk")
    )
    if connection.features.has_select_for_update_skip_locked:
        return list(qs.select_for_update(skip_locked=True, of=("self",))[:BATCH])
    # SQLite: the conditional UPDATE takes the write lock and wins for one sweep only.
    claimed = []
    for reminder in qs[:BATCH]:
        if Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(sent_at=now):
            claimed.append(reminder)
    return claimed


def _cases_and_tasks(batch):
    """The cases (one query per kind) and tasks (one query) the batch's reminders are about."""
    from workflows.site import FLOWS

    flows = {f.case_model._meta.model_name: f for f in FLOWS}
    wanted: dict[str, set[int]] = {}
    for reminder in batch:
        wanted.setdefault(reminder.deadline.case_type, set()).add(reminder.deadline.case_id)
    cases = {}
    for case_type, ids in wanted.items():
        flow_class = flows.get(case_type)
        if flow_class is None:
            continue
        model = flow_class.case_model
        for case in model._default_manager.select_related("employee").filter(pk__in=ids):
            cases[(case_type, case.pk)] = (flow_class, case)
    task_ids = {r.task_id for r in batch if r.task_id}
    tasks = Task.objects.select_related("owner").in_bulk(task_ids) if task_ids else {}
    return cases, tasks


def _send(reminder, case_info, task) -> None:
    from workflows.inbox import task_url

    deadline = reminder.deadline
    flow_class, case = case_info
    due = timezone.localtime(deadline.due_at)
    context = {
        "case": case,
        "step": task.flow_task.task_title if task else deadline.name,
        "due": f"{due:%Y-%m-%d %H:%M}",
        "overdue": reminder.kind == Reminder.Kind.ESCALATION,
        "url": task_url(task) if task else f"/{flow_class.resource}/{case.pk}/",
        "waiting_for": _waiting_for(task),
    }
    template = "escalation" if reminder.kind == Reminder.Kind.ESCALATION else "reminder"
    notify(
        users=[reminder.recipient],
        template=template,
        context=context,
        dedupe_key=f"reminder:{reminder.pk}",
    )


def _waiting_for(task) -> str:
    if task is None:
        return ""
    if task.owner_id:
        employee = getattr(task.owner, "employee", None)
        return employee.name if employee else task.owner.get_username()
    if task.owner_permission:
        codename = task.owner_permission.split(".", 1)[1]
        try:
            return str(Role(codename).label)
        except ValueError:
            return codename
    return ""


def reminders_send_due(*, limit: int = 1000) -> int:
    """Send what is due (a sweep step); returns how many reminders were queued."""
    now = timezone.now()
    # A met deadline cancels its reminders: those that come due are closed, never sent.
    _pending(now).filter(deadline__met_at__isnull=False).update(cancelled_at=now)
    sent = 0
    while sent < limit:
        with transaction.atomic():
            batch = _claim_batch(now)
            if not batch:
                break
            cases, tasks = _cases_and_tasks(batch)
            for reminder in batch:
                info = cases.get((reminder.deadline.case_type, reminder.deadline.case_id))
                if info is not None:
                    _send(reminder, info, tasks.get(reminder.task_id))
                else:
                    logger.warning("reminder %s: its case no longer exists", reminder.pk)
                reminder.sent_at = now
            Reminder.objects.bulk_update(batch, ["sent_at"])
        sent += len(batch)
    return sent
