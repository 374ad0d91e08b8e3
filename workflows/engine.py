"""The bridge between domain services and viewflow tasks, shared by every flow.

A case action (API or page) runs as: flow lock on the process row → the approvals service (which
locks the case row, checks who may act and the policy, transitions, audits) → complete the
step's viewflow task as the actor, which lets the flow route on the new domain state. All in one
transaction: a refused action leaves neither a domain change nor a task change behind.

Flows declare their actions in a table of `Action`s; the routing (which node comes next) stays in
the flow class, the rules in approvals.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, OperationalError
from django.db.models import Subquery
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from approvals.db import as_read, whole_transaction
from approvals.errors import StateConflict
from approvals.history import know_audit_head
from approvals.prepared import Prepared
from audit.models import AuditEvent

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
# The process lock is taken NOWAIT and retried a few times before the person is told to retry.
LOCK_ATTEMPTS = 5
LOCK_BACKOFF = 0.05  # seconds, times the attempt number


@dataclass(frozen=True)
class Action:
    """One action of a case: the service to call and the flow nodes whose task it completes.

    `nodes` empty: the action does not complete a task (a vote, opening a vote).
    `per_owner`: the node has one task per person (defence scores); complete the actor's own.
    `cancels_process`: the action ends the case early (withdrawal): cancel open tasks. True, or
    a callable deciding on the updated case (a response that revokes the penalty).
    `fields`: the body fields the action reads (API.md), for the API and the pages alike.
    `then`: routing work after the service, in the same lock and transaction:
    `then(process, case, payload)` (e.g. handing a task to the person who replaces its owner).
    """

    service: Callable
    nodes: tuple[str, ...] = ()
    per_owner: bool = False
    cancels_process: bool | Callable = False
    fields: tuple[str, ...] = field(default=())
    then: Callable | None = None


def process_for(flow_class, case) -> Process:
    return Process.objects.get(
        flow_class=flow_class,
        artifact_content_type=ContentType.objects.get_for_model(type(case)),
        artifact_object_id=case.pk,
    )


def busy_conflict() -> StateConflict:
    return StateConflict(
        _("Someone else is acting on this case right now; reload it and try again."),
        code="case_busy",
    )


def is_database_locked(exc: BaseException) -> bool:
    """A lost race the database settled: SQLite's "database is locked" (its write lock stayed
    taken past the busy timeout), or a second append to one case's audit chain refused by its
    unique (case_type, case_id, seq) — the backstop behind the case row lock. Either way the
    transaction rolled back and the person retries."""
    if isinstance(exc, OperationalError):
        return "database is locked" in str(exc)
    # PostgreSQL names the constraint; SQLite names its columns.
    return isinstance(exc, IntegrityError) and any(
        mark in str(exc) for mark in ("audit_event_case_seq_unique", "audit_auditevent.seq")
    )


def _with_audit_head(qs, case_model, case_pk):
    """`qs` with the case's audit chain head (seq, hash) read in the same statement: every
    append to a case holds its process lock, so the head stays true until the commit. Should
    an append slip in between (PostgreSQL evaluates the statement on its snapshot before it
    takes the lock), the chain's unique seq refuses ours and the action is retried whole."""
    head = AuditEvent.objects.filter(
        case_type=case_model._meta.model_name, case_id=case_pk
    ).order_by("-seq")
    return qs.annotate(
        audit_seq=Subquery(head.values("seq")[:1]), audit_hash=Subquery(head.values("hash")[:1])
    )


def _remember_head(case, row) -> None:
    if row.audit_seq is not None:
        know_audit_head(case, row.audit_seq, row.audit_hash)


def _locked_task(flow_class, case, action: Action, actor):
    """The step's open task with its process and the case's audit head, read and locked in one
    statement (NOWAIT), or None (no open task: the service then says why, under the process
    lock alone). The statement is compiled once per flow, action and case model (prepared)."""
    key = (flow_class, action.nodes, action.per_owner, type(case))
    prepared = _LOCK_STATEMENTS.get(key)
    if prepared is None:
        prepared = _LOCK_STATEMENTS[key] = Prepared(
            lambda *ids: _lock_queryset(flow_class, type(case), action, *ids),
            arity=2 if action.per_owner else 1,
        )
    task = prepared.first(case.pk, actor.pk) if action.per_owner else prepared.first(case.pk)
    if task is not None:
        _remember_head(case, task)
        as_read(task)  # completing it updates the columns that changed (nodes.View)
    return task


_LOCK_STATEMENTS: dict = {}


def _lock_queryset(flow_class, case_model, action: Action, case_pk, actor_pk=None):
    nodes = [flow_class.instance.node(name) for name in action.nodes]
    qs = _with_audit_head(
        Task.objects.select_for_update(nowait=True).select_related("process"), case_model, case_pk
    ).filter(
        process__flow_class=flow_class,
        process__artifact_content_type=ContentType.objects.get_for_model(case_model),
        process__artifact_object_id=case_pk,
        flow_task__in=nodes,
        status__in=OPEN_TASK_STATUSES,
    )
    if action.per_owner:
        qs = qs.filter(owner_id=actor_pk)
    return qs.order_by("pk")[:1]


def _open_task(process, flow_class, action: Action, actor):
    nodes = [flow_class.instance.node(name) for name in action.nodes]
    qs = Task.objects.select_for_update().filter(
        process=process, flow_task__in=nodes, status__in=OPEN_TASK_STATUSES
    )
    if action.per_owner:
        qs = qs.filter(owner=actor)
    return qs.order_by("pk").first()


def complete_task(task, actor, activation=None) -> None:
    """Assign (or take over) the task for the actor, start it and execute it: one UPDATE of the
    task row (viewflow's assign and reassign each save it first).

    Anyone the service allowed may complete a role task even if a colleague claimed it; the
    audit event records who acted.
    """
    if task.status in (STATUS.NEW, STATUS.ASSIGNED) and task.owner_id != actor.pk:
        task.owner = actor
        task.status = STATUS.ASSIGNED
    activation = activation or task.flow_task.activation_class(task)
    if task.status == STATUS.ASSIGNED:
        activation.start(None)
    activation.execute()


def _locked_process(flow_class, case) -> Process:
    """The case's process, read and locked in one statement (the flow lock: every change of a
    case's tasks holds it). NOWAIT: a held lock is a lost race for this request, never a wait
    behind another person's action (SQLite ignores it: its BEGIN IMMEDIATE serialises writers)."""
    process = (
        _with_audit_head(Process.objects.select_for_update(nowait=True), type(case), case.pk)
        .filter(
            flow_class=flow_class,
            artifact_content_type=ContentType.objects.get_for_model(type(case)),
            artifact_object_id=case.pk,
        )
        .get()
    )
    _remember_head(case, process)
    process.artifact = case  # the flow's conditions read the case: not again from the database
    return process


def run_action(
    *, flow_class, actions: dict[str, Action], case, name: str, actor, activation=None, **payload
):
    """Perform action `name` on `case` as `actor`; returns the updated case.

    One transaction: the process lock, the approvals service (case row lock, who may act, the
    rule, the save, the audit event), the step's task completed and the flow routed on the new
    domain state, the outbox events. `activation`: the task activation a viewflow task view
    already started (pages); the API passes none and the open task is looked up under the lock.
    """
    action = actions[name]
    for attempt in range(LOCK_ATTEMPTS):
        try:
            with whole_transaction():
                task = None
                try:
                    if action.nodes and activation is None:
                        task = _locked_task(flow_class, case, action, actor)
                    if task is not None:
                        process = task.process
                        process.artifact = case
                    else:
                        process = _locked_process(flow_class, case)
                except OperationalError as exc:
                    if is_database_locked(exc):
                        raise
                    raise _LockBusy from exc
                case = _act(flow_class, action, process, task, case, actor, activation, payload)
            return case
        except _LockBusy:
            if attempt + 1 == LOCK_ATTEMPTS:
                raise busy_conflict() from None
            time.sleep(LOCK_BACKOFF * (attempt + 1))
        except FlowLockFailed:
            raise busy_conflict() from None
        except (OperationalError, IntegrityError) as exc:
            # SQLite: another request held the write lock for longer than the busy timeout; or
            # two appends raced on one case's audit chain. The transaction rolled back whole: a
            # lost audit race is retried here (the head is read again), the rest is the
            # person's to retry, as after a lost row lock.
            if not is_database_locked(exc):
                raise
            if (
                isinstance(exc, IntegrityError)
                and activation is None
                and attempt + 1 < LOCK_ATTEMPTS
            ):
                time.sleep(LOCK_BACKOFF * (attempt + 1))
                continue
            raise busy_conflict() from exc
    raise AssertionError("unreachable")


class _LockBusy(Exception):
    """Another transaction holds the case's process lock."""


def _act(flow_class, action: Action, process, task, case, actor, activation, payload):
    case = action.service(**{case._meta.model_name: case}, actor=actor, **payload)
    process.artifact = case
    if action.nodes:
        if activation is not None:
            complete_task(activation.task, actor, activation)
        else:
            task = task or _open_task(process, flow_class, action, actor)
            if task is None:
                # The domain allowed it but the step has no open task: another request
                # completed it between our reads. Roll everything back.
                raise busy_conflict()
            task.process = process
            complete_task(task, actor)
    if action.then is not None:
        action.then(process, case, payload)
    cancels = action.cancels_process
    if cancels is True or (callable(cancels) and cancels(case)):
        process = Process.objects.get(pk=process.pk)
        if process.status != PROCESS.DONE:  # the action may have ended it already
            flow_class.instance.cancel(process)
    return case


def start_flow(*, flow_class, case) -> Process:
    """Start the case's process; the StartHandle links the process to the case (artifact)."""
    return flow_class.start.run(case=case)
