"""Reminders and escalation notices on the deadline engine (DEADLINE-2, PROMO-5, APPEAL-2).

Planning: when a task lands in an inbox, the deadline its step answers (the flow's
`node_deadlines`) gets planned rows — for each person the task is for, one reminder per policy
offset before the due time (default 24 h, or the node's own offsets, `node_reminder_offsets`)
and one at the due time when the offsets include 0; and, unless the flow handles
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
from approvals.inline import Earliest
from org.levels import Role
from org.selectors import users_with_role
from policy.services import policy_in_force, policy_of

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


def reminder_offsets(flow_class, node: str, policy) -> list[int]:
    """Hours before the due time at which a node's task is reminded: the policy's offsets, or
    the node's own when the flow gives them (`node_reminder_offsets`: node -> callable(policy)
    -> hours, e.g. "14 and 3 days before the probation end date", PROB-5)."""
    own = getattr(flow_class, "node_reminder_offsets", {}).get(node)
    return list(own(policy)) if own is not None else policy.reminder_offsets_hours


def _policy_for_case(flow_class, task, now):
    """The offsets of the version the case is judged by (issue 11, finding 11); a case model
    without a stored version takes the one in force."""
    case = flow_class.case_model.objects.filter(pk=task.process.artifact_object_id).first()
    if case is None or not getattr(case, "policy_version", ""):
        return policy_in_force(at=now)
    return policy_of(case)


def reminders_plan_for_task(task, users=None) -> None:
    """Plan the reminders of the deadline `task` answers.

    For each of `users` (default: the task's owner, or every active holder of the permission it
    is queued for) and each policy offset: a "before" reminder at due - h (skipped if already
    past) and a "due" one at the due time. Unless the node is in the flow's `escalating_nodes`
    (its own timer escalates), every GM-office member gets an "escalation" just after the due
    time; for a step the GM office holds itself the escalation still goes to the GM office
    (the general manager sits there: there is no level above it). Planning again (a task
    re-created for the same open deadline) adds nothing: the rows are unique.
    """
    flow_class = task.process.flow_class
    node = task.flow_task.name
    name = getattr(flow_class, "node_deadlines", {}).get(node)
    if name is None or node in getattr(flow_class, "quiet_nodes", set()):
        return
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
        return
    now = timezone.now()
    users = users_for_task(task) if users is None else users
    rows = []
    for hours in reminder_offsets(flow_class, node, _policy_for_case(flow_class, task, now)):
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
            for user in users_with_role(Role.GM_OFFICE)
        ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)


# --- sending ----------------------------------------------------------------------------------


def _unsent():
    """The reminders of the partial index reminder_pending_send_at."""
    return Reminder.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True)


_first_due = Earliest(_unsent, "send_at")


def _pending(now):
    return _unsent().filter(send_at__lte=now)


def _claim_batch(now, size: int, candidates: list[int]) -> list[Reminder] | None:
    """Claim up to `size` due reminders of open deadlines (inside the caller's transaction);
    None when there was nothing left to claim.

    The due rows are picked on the partial index alone (joined to the deadlines straight away, a
    planner may walk every open deadline instead: seen on SQLite at 100,000). PostgreSQL locks
    them there with SKIP LOCKED, so two sweeps share the work. Elsewhere `candidates` were read
    before the transaction and a conditional UPDATE claims each: being the transaction's first
    statement, the write makes a second SQLite sweep wait for the first one's commit (a read
    first would make it fail with "database is locked"), then find the rows sent.
    """
    if connection.features.has_select_for_update_skip_locked:
        ids = list(
            _pending(now)
            .order_by("send_at", "pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:size]
        )
    else:
        ids = [
            pk
            for pk in candidates
            if Reminder.objects.filter(
                pk=pk, sent_at__isnull=True, cancelled_at__isnull=True
            ).update(sent_at=now)
        ]
    if not ids:
        return [] if candidates else None
    # A deadline met since the cancelling UPDATE: its reminder is cancelled, not sent.
    rows = list(
        Reminder.objects.filter(pk__in=ids)
        .select_related("deadline", "recipient__employee")
        .order_by("send_at", "pk")
    )
    met = [r.pk for r in rows if r.deadline.met_at is not None]
    if met:
        Reminder.objects.filter(pk__in=met).update(sent_at=None, cancelled_at=now)
    return [r for r in rows if r.deadline.met_at is None]


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


def _handed_over(reminder, task) -> bool:
    """A person's task now held by someone else (a delegate while its owner is on leave, LEAVE-6,
    or the owner again afterwards): the reminder planned for the previous holder is cancelled;
    the new holder got their own when the task was handed to them. Role-queue tasks and
    escalations keep their planned recipients."""
    return (
        reminder.kind != Reminder.Kind.ESCALATION
        and task is not None
        and task.owner_id is not None
        and not task.owner_permission
        and task.owner_id != reminder.recipient_id
    )


def _closed(reminder, task) -> bool:
    """The person's task was cancelled or done while the deadline stayed open (a timer took the
    step to the GM office, LEAVE-5): nothing is left for them to be reminded of."""
    from workflows.engine import OPEN_TASK_STATUSES

    return (
        reminder.kind != Reminder.Kind.ESCALATION
        and task is not None
        and task.status not in OPEN_TASK_STATUSES
    )


def _waiting_for(task) -> str:
    from workflows.mine import holder_label

    return "" if task is None else holder_label(task)


def reminders_send_due(*, limit: int = 500) -> int:
    """Send what is due (a sweep step), at most `limit`; returns how many reminders were queued.

    Each batch is one transaction: the outbox rows (`notify`, key "reminder:<pk>") and the
    reminders' `sent_at`, so a reminder is queued exactly once or not at all.
    """
    now = timezone.now()
    skip_locked = connection.features.has_select_for_update_skip_locked
    if not _first_due.due(now):
        return 0  # nothing due: the partial index's first entry, no transaction
    # A reminder of a met deadline is cancelled when it comes due, in the batch that claims it
    # (_claim_batch): cancelling them all first joined every due reminder to its deadline in each
    # sweep, a plan that may start from the deadlines met so far (the history).
    sent = 0
    while sent < limit:
        size = min(BATCH, limit - sent)
        candidates = []
        if not skip_locked:  # read outside the transaction (see _claim_batch)
            candidates = list(
                _pending(now).order_by("send_at", "pk").values_list("pk", flat=True)[:size]
            )
            if not candidates:
                break
        with transaction.atomic():
            batch = _claim_batch(now, size, candidates)
            if batch is None:
                break
            if not batch:
                continue  # taken by another sweep, or cancelled (deadline met): look again
            cases, tasks = _cases_and_tasks(batch)
            for reminder in batch:
                info = cases.get((reminder.deadline.case_type, reminder.deadline.case_id))
                task = tasks.get(reminder.task_id)
                reminder.sent_at = now
                if info is None:
                    logger.warning("reminder %s: its case no longer exists", reminder.pk)
                elif _handed_over(reminder, task) or _closed(reminder, task):
                    reminder.sent_at, reminder.cancelled_at = None, now
                else:
                    _send(reminder, info, task)
            Reminder.objects.bulk_update(batch, ["sent_at", "cancelled_at"])
        sent += len(batch)
    return sent
