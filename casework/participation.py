"""Who is who around a case (CASE-1..6), read once for many cases.

- the holder of a step: the owner of an open human task of the case;
- reviewers: whoever holds or held a task on the case, appears as the actor of its history (not
  counting casework itself or a department member's ballot), or has the GM office or
  administration role;
- participants: the parties (`flow.parties(case)`), the reviewers and the consultees. Someone
  only copied in (CASE-4) or only voting reads the case and takes part in nothing.

`facts_for` reads what these questions need for any number of cases of one kind in a constant
number of queries, so a list can offer each case's casework actions cheaply.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task

from approvals import permissions as perms
from approvals.errors import NotAllowed
from approvals.history import case_type_of
from audit.models import AuditEvent
from workflows.engine import OPEN_TASK_STATUSES

from .models import Consultation, Urge

# Actions recorded by casework: doing casework does not make someone a reviewer.
CASEWORK_ACTIONS = frozenset(
    {"claim", "transfer", "consult", "consult-reply", "urge", "cc", "comment", "attach"}
)
# A ballot in a department vote (PROMO-3.2) is not a review either.
NOT_REVIEWING = CASEWORK_ACTIONS | {"vote"}


@dataclass(frozen=True)
class TaskRow:
    id: int
    node: str
    owner_id: int | None
    owner_permission: str | None
    status: str
    finished: dt.datetime | None

    @property
    def open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES


@dataclass
class CaseFacts:
    tasks: list[TaskRow] = field(default_factory=list)
    actor_ids: set[int] = field(default_factory=set)
    consultations: list[Consultation] = field(default_factory=list)
    last_urges: dict[int, dt.datetime] = field(default_factory=dict)  # task id -> last urge

    @property
    def open_tasks(self) -> list[TaskRow]:
        return [t for t in self.tasks if t.open]

    @property
    def holder_ids(self) -> set[int]:
        """Users who hold or held a task of the case."""
        return {t.owner_id for t in self.tasks if t.owner_id}

    def task(self, task_id: int) -> TaskRow | None:
        return next((t for t in self.tasks if t.id == task_id), None)


def tasks_of(flow_class, case_ids):
    """Every task of the cases' processes (open or not): the caller keeps the human ones. The
    task type is not filtered in SQL: SQLite without statistics then took the task-type index
    and walked every human task in the system (benchmarks/inbox.py, 100,000 tasks)."""
    content_type = ContentType.objects.get_for_model(flow_class.case_model)
    return Task.objects.filter(
        process__flow_class=flow_class,
        process__artifact_content_type=content_type,
        process__artifact_object_id__in=case_ids,
    )


def facts_for(flow_class, cases) -> dict[int, CaseFacts]:
    """CaseFacts of many cases of one kind: four queries whatever their number."""
    cases = list(cases)
    if not cases:
        return {}
    ids = [c.pk for c in cases]
    case_type = case_type_of(cases[0])
    facts = {pk: CaseFacts() for pk in ids}
    rows = tasks_of(flow_class, ids).order_by("pk")
    for pk, case_id, node, kind, owner_id, permission, status, finished in rows.values_list(
        "pk",
        "process__artifact_object_id",
        "flow_task",
        "flow_task_type",
        "owner_id",
        "owner_permission",
        "status",
        "finished",
    ):
        if kind != "HUMAN":
            continue
        facts[case_id].tasks.append(
            TaskRow(pk, getattr(node, "name", str(node)), owner_id, permission, status, finished)
        )
    events = (
        AuditEvent.objects.filter(case_type=case_type, case_id__in=ids, actor__isnull=False)
        .exclude(action__in=NOT_REVIEWING)
        .values_list("case_id", "actor_id")
        .distinct()
    )
    for case_id, actor_id in events:
        facts[case_id].actor_ids.add(actor_id)
    consultations = Consultation.objects.filter(case_type=case_type, case_id__in=ids)
    for c in consultations.select_related("asked_by", "consultee").order_by("pk"):
        facts[c.case_id].consultations.append(c)
    urges = (
        Urge.objects.filter(case_type=case_type, case_id__in=ids)
        .values("case_id", "task_id")
        .annotate(last=Max("urged_at"))
        .order_by()
    )
    for row in urges:
        facts[row["case_id"]].last_urges[row["task_id"]] = row["last"]
    return facts


def facts_of(flow_class, case) -> CaseFacts:
    return facts_for(flow_class, [case])[case.pk]


# --- the questions ----------------------------------------------------------------------------


def is_party(flow_class, case, user) -> bool:
    employee = perms.employee_of(user)
    return employee is not None and employee.pk in flow_class.instance.parties(case)


def is_applicant(case, user) -> bool:
    """CASE-3: the employee the case is about (for a shift swap, the requester)."""
    return user.is_authenticated and case.employee.user_id == user.pk


def is_reviewer(user, facts: CaseFacts) -> bool:
    return user.is_authenticated and (
        perms.has_oversight(user) or user.pk in facts.holder_ids or user.pk in facts.actor_ids
    )


def is_consultee(user, facts: CaseFacts) -> bool:
    return any(c.consultee.user_id == user.pk for c in facts.consultations)


def is_participant(flow_class, case, user, facts: CaseFacts) -> bool:
    return is_party(flow_class, case, user) or is_reviewer(user, facts) or is_consultee(user, facts)


def held_task(user, facts: CaseFacts) -> TaskRow | None:
    """The user's open task on the case (the first, if they hold several)."""
    return next((t for t in facts.open_tasks if t.owner_id == user.pk), None)


def claimable_task(user, facts: CaseFacts) -> TaskRow | None:
    """A queued, unclaimed task of the case for a permission the user holds."""
    return next(
        (
            t
            for t in facts.open_tasks
            if t.owner_id is None and t.owner_permission and user.has_perm(t.owner_permission)
        ),
        None,
    )


def open_consultation(user, facts: CaseFacts) -> Consultation | None:
    """The user's oldest unanswered consultation on the case whose step is still open."""
    for c in facts.consultations:
        if c.consultee.user_id != user.pk or c.answered_at is not None:
            continue
        task = facts.task(c.task_id)
        if task is not None and task.open:
            return c
    return None


def urgeable_tasks(user, facts: CaseFacts, now, interval) -> list[TaskRow]:
    """Open tasks held (or queued) for someone other than the user, not urged within `interval`."""
    return [
        t
        for t in facts.open_tasks
        if t.owner_id != user.pk
        and (t.id not in facts.last_urges or now - facts.last_urges[t.id] >= interval)
    ]


# --- the checks of the services ------------------------------------------------------------


def require_holder(actor, facts, *, rule: str) -> TaskRow:
    """The actor's open task on the case; a queued step must be claimed first."""
    task = held_task(actor, facts)
    if task is not None:
        return task
    if claimable_task(actor, facts) is not None:
        raise NotAllowed(
            _("This step is waiting in a shared queue; claim it first."),
            code="claim_first",
            rule=rule,
        )
    raise NotAllowed(
        _("Only the person who holds a step of this case can do this."),
        code="not_task_holder",
        rule=rule,
    )


def require_participant(flow_class, case, actor, facts, *, rule: str) -> None:
    """A voter or a witness (a limited reader) takes part in their part only, not the casework."""
    if not is_participant(flow_class, case, actor, facts) or flow_class.instance.limited_reader(
        actor, case
    ):
        raise NotAllowed(
            _(
                "Only those taking part in this case (its parties, reviewers and consultees) can do this."
            ),
            code="not_participant",
            rule=rule,
        )
