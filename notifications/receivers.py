"""Who is told what: a task landing in an inbox (its owner, or everyone of the role it is queued
for) and a decision on a case (the applicant and everyone who acted on it)."""

from django.contrib.auth import get_user_model
from django.dispatch import receiver
from viewflow.workflow.models import Task

from approvals.events import listen_to
from approvals.signals import case_changed
from audit.models import BALLOT_ACTIONS, AuditEvent
from workflows.signals import task_created

from .reminders import reminders_plan_for_task, users_for_task
from .services import notify

# Transitions that decide a case (the others are steps along the way).
DECISIONS = {
    "decline",
    "reject",
    "withdraw",
    "approve",
    "confirm",
    "take-effect",
    "pass-defence",
    "fail-defence",
    "finalise",  # a penalty became final (window lapsed or objection answered)
    "respond",
    "ladder",
    "refuse",  # SWAP-1: the colleague refused the swap
    "cancel",  # a leave or a swap cancelled: those who acted on it are told
}

# Only these actions write an outbox event (approvals.events): the others tell nobody.
listen_to(*DECISIONS, "response-overdue", "apply-early")

# Decisions a penalty's witness is not told of: the answer to an objection (PEN-3).
WITNESS_UNTOLD = {"respond"}


@receiver(task_created)
def on_task_created(sender, task_id, **kwargs):
    task = Task.objects.select_related("process", "owner").get(pk=task_id)
    flow = task.process.flow_class
    case = flow.instance.case_of(task.process)
    from workflows.inbox import task_url

    users = users_for_task(task)
    notify(
        users=users,
        template="task_assigned",
        context={"title": task.flow_task.task_title, "case": case, "url": task_url(task)},
        dedupe_key=f"task:{task.pk}:created",
    )
    reminders_plan_for_task(task, users)


def case_url(case_type: str, case_id: int) -> str:
    """The case page: /<resource>/<id>/ (resource as in the API: promotions, penalties)."""
    from workflows.site import FLOWS

    for flow_class in FLOWS:
        if flow_class.case_model._meta.model_name == case_type:
            return f"/{flow_class.resource}/{case_id}/"
    return "/"


@receiver(case_changed)
def on_penalty_escalated(sender, case_type, case_id, action, **kwargs):
    """APPEAL-2: the response deadline passed; the employee is told it went to the GM office."""
    if (case_type, action) != ("penalty", "response-overdue"):
        return
    from django.utils import timezone

    case = sender._default_manager.select_related("employee__user", "objection").get(pk=case_id)
    due = timezone.localtime(case.objection.response_due)
    notify(
        users=[case.employee.user],
        template="penalty_escalated",
        context={"case": case, "due": f"{due:%Y-%m-%d %H:%M}", "url": case_url(case_type, case_id)},
        dedupe_key=f"penalty:{case_id}:escalated",
    )


@receiver(case_changed)
def on_case_changed(sender, case_type, case_id, action, actor_id, from_state, to_state, **kwargs):
    if action not in DECISIONS:
        return
    case = sender._default_manager.select_related("employee__user").get(pk=case_id)
    acted = list(
        AuditEvent.objects.filter(case_type=case_type, case_id=case_id, actor__isnull=False)
        # PROMO-3.2: a ballot of an older log names its voter; a voter is told nothing.
        .exclude(action__in=BALLOT_ACTIONS)
        .values_list("actor_id", "action")
    )
    actor_ids = {actor for actor, _ in acted}
    if action in WITNESS_UNTOLD:
        # PEN-3: a witness signed the slip; the objection and its answer are not theirs.
        actor_ids -= {a for a, act in acted if act == "witness"} - {
            a for a, act in acted if act != "witness"
        }
    users = [case.employee.user, *get_user_model().objects.filter(pk__in=actor_ids)]
    notify(
        users=users,
        template="case_decided",
        context={
            "case": case,
            "case_type": case_type,
            "action": action,
            "state": case.get_state_display(),
            "url": case_url(case_type, case.pk),
        },
        dedupe_key=f"{case_type}:{case_id}:{action}:{to_state}",
    )


@receiver(case_changed)
def on_probation_early_application(sender, case_type, case_id, action, **kwargs):
    """PROB-4: the probationer applied for early conversion; whoever holds the assessment task
    (the lead, their delegate, or the GM office) is told it can be decided now."""
    if (case_type, action) != ("probation", "apply-early"):
        return
    from django.utils.translation import gettext_lazy as _

    from workflows.engine import OPEN_TASK_STATUSES
    from workflows.inbox import task_url
    from workflows.probation import ProbationFlow

    case = sender._default_manager.select_related("employee").get(pk=case_id)
    task = (
        Task.objects.select_related("owner", "process")
        .filter(
            process__artifact_object_id=case_id,
            flow_task=ProbationFlow.instance.node("assess"),
            status__in=OPEN_TASK_STATUSES,
        )
        .first()
    )
    if task is None or case.early_applied_at is None:
        return
    notify(
        users=users_for_task(task),
        template="task_assigned",
        context={
            "title": _("Early conversion application"),
            "case": case,
            "url": task_url(task),
        },
        # Once per application (a rejected one lapses and the probationer may apply again).
        dedupe_key=f"probation:{case_id}:apply:{int(case.early_applied_at.timestamp())}",
    )
