"""Casework services (CASE-1..7): what people do around a case's steps.

Claim a queued step; transfer a step (转交, CASE-1); consult someone (征询, CASE-2); urge the
holders (催办, CASE-3); copy someone in (抄送, CASE-4); comment (CASE-5); attach a file (CASE-6,
`casework.attachments`); decide many cases at once (CASE-7, `casework.bulk`).

Every service follows the house recipe: the case's flow lock and one transaction, who may act
(NotAllowed), the state (StateConflict), the input (InvalidInput / PolicyViolation naming the rule
and the figure), then the audit event (the case timeline) and the notices in the same transaction.
A refused action leaves nothing behind. None of them decides a case: deciding stays with the
process services, which check roles, never visibility.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals import permissions as perms
from approvals.access import CaseAccess
from approvals.delegation import delegate_of
from approvals.errors import InvalidInput, NotAllowed, NotFound, PolicyViolation, StateConflict
from approvals.history import case_type_of
from approvals.inputs import local_minute
from approvals.selectors import display_name
from notifications.models import Reminder
from notifications.reminders import users_for_task
from notifications.services import notify
from org.levels import Role
from org.models import Employee
from workflows.base import announce_task
from workflows.delegation import KEY as ACTING_FOR
from workflows.engine import OPEN_TASK_STATUSES

from . import participation as who
from .attachments import attachment_add  # noqa: F401  (re-exported: the services of casework)
from .bulk import bulk_decide  # noqa: F401
from .common import case_locked, case_url, id_list, log, person, text
from .models import Comment, Consultation, Urge
from .rules import CC_MAX_PEOPLE, URGE_INTERVAL

# --- who may act --------------------------------------------------------------------------------

require_holder = who.require_holder
require_participant = who.require_participant


def _require_other(flow_class, case, actor, target, *, rule: str, self_code: str) -> None:
    """The person handed a step or asked must be neither a party of the case nor the actor."""
    if target.user_id == actor.pk:
        raise InvalidInput(
            _("Choose someone other than yourself."), code=self_code, rule=rule, field="to"
        )
    if target.pk in flow_class.instance.parties(case):
        raise PolicyViolation(
            _("%(name)s is a party of this case and never reviews it."),
            code="target_is_party",
            rule=rule,
            params={"name": target.name},
            field="to",
        )


def _step_title(flow_class, node: str):
    return flow_class.instance.node(node).task_title


def may_decide(flow_class, case, user, node: str) -> bool:
    """CASE-1: would `user` be allowed an action of the step `node` on the case now?"""
    offered = set(flow_class.node_actions.get(node, ()))
    return bool(offered & set(flow_class.instance.available_actions(user, case)))


def _fresh(flow_class, case):
    return flow_class.case_model._default_manager.select_related("employee__user").get(pk=case.pk)


# --- claim --------------------------------------------------------------------------------------


def _role_label(permission: str):
    codename = permission.split(".", 1)[-1]
    try:
        return Role(codename).label
    except ValueError:
        return codename


def task_claim(*, task, actor):
    """A queued step (no owner) for a permission the actor holds becomes the actor's.
    Returns (task, case)."""
    from workflows.site import FLOWS

    task_id = task.pk if isinstance(task, Task) else task
    task = Task.objects.select_related("process").filter(pk=task_id).first()
    if task is None or task.process.flow_class not in FLOWS:
        raise NotFound(_("No such task."), code="not_found")
    flow_class = task.process.flow_class
    case = flow_class.instance.case_of(task.process)
    with case_locked(flow_class, case):
        task = Task.objects.select_for_update().select_related("process").get(pk=task.pk)
        if task.flow_task_type != "HUMAN" or task.status not in OPEN_TASK_STATUSES:
            raise StateConflict(_("This step is no longer open."), code="task_closed")
        if task.owner_id == actor.pk:
            return task, case  # claimed already (a second click): nothing to do
        if not task.owner_permission or not actor.has_perm(task.owner_permission):
            raise NotAllowed(_("This step is not queued for a role you hold."), code="wrong_role")
        if who.is_party(flow_class, case, actor):
            raise NotAllowed(_("You cannot review your own request."), code="own_request")
        if task.owner_id is not None:
            raise StateConflict(
                _("%(name)s claimed this step first."),
                code="already_claimed",
                params={"name": display_name(task.owner)},
            )
        task.flow_task.activation_class(task).assign(actor)
        log(case, "claim", actor, rule=None, data={"task": task.pk})
    return task, case


# --- CASE-1 transfer ----------------------------------------------------------------------------


def case_transfer(*, flow_class, case, actor, to, comment=""):
    """CASE-1: the holder of an open step hands it to someone who may decide it. The step's due
    time does not move; the new holder is told and reminded, the old holder no longer."""
    target = person(to, field="to")
    comment = text(comment, field="comment", rule="CASE-1", required=False)
    with case_locked(flow_class, case):
        case = _fresh(flow_class, case)
        facts = who.facts_of(flow_class, case)
        row = require_holder(actor, facts, rule="CASE-1")
        _require_other(flow_class, case, actor, target, rule="CASE-1", self_code="transfer_to_self")
        if not may_decide(flow_class, case, target.user, row.node):
            raise PolicyViolation(
                _("%(name)s may not decide the step “%(step)s”; choose someone who may."),
                code="target_cannot_decide",
                rule="CASE-1",
                params={"name": target.name, "step": _step_title(flow_class, row.node)},
                field="to",
            )
        task = Task.objects.select_for_update().get(pk=row.id)
        # A hand-over by name: the task is the target's own, not held for someone on leave.
        data = {k: v for k, v in (task.data or {}).items() if k != ACTING_FOR}
        now = timezone.now()
        moved = Task.objects.filter(
            pk=task.pk, status__in=OPEN_TASK_STATUSES, owner_id=actor.pk
        ).update(owner_id=target.user_id, status=STATUS.ASSIGNED, assigned=now, data=data)
        if not moved:
            raise StateConflict(
                _("This step is no longer yours to hand over; reload the case."),
                code="task_moved",
                rule="CASE-1",
            )
        _hand_over_reminders(task.pk, old=actor.pk, new=target.user_id, now=now)
        log(
            case,
            "transfer",
            actor,
            rule="CASE-1",
            comment=comment,
            data={"from": actor.pk, "to": target.user_id, "task": task.pk},
        )
        # The new holder gets the "task assigned" notice and their reminders (on commit).
        announce_task(flow_class, task.pk)
    return case


def _hand_over_reminders(task_id: int, *, old: int, new: int, now) -> None:
    """The old holder is no longer reminded of the step (also for a claimed role-queue task,
    which `notifications.reminders._handed_over` leaves to its planned recipients); reminders
    of the new holder cancelled by an earlier hand-over come back (planning again would not
    add them: the rows are unique per deadline and person)."""
    personal = Reminder.objects.filter(task_id=task_id, sent_at__isnull=True).exclude(
        kind=Reminder.Kind.ESCALATION
    )
    personal.filter(recipient_id=old, cancelled_at__isnull=True).update(cancelled_at=now)
    personal.filter(recipient_id=new, cancelled_at__isnull=False, send_at__gt=now).update(
        cancelled_at=None
    )


def transfer_candidates(flow_class, case, actor) -> list[Employee]:
    """Whom the actor may hand their step to, for the page's picker: the holders of the role
    the step is queued for, the person a delegate holds it for and the actor's own delegate,
    each checked as `case_transfer` checks (bounded: at most 50 people are considered)."""
    facts = who.facts_of(flow_class, case)
    row = who.held_task(actor, facts)
    if row is None:
        return []
    pool = Employee.objects.none()
    if row.owner_permission:
        app_label, codename = row.owner_permission.split(".", 1)
        pool = Employee.objects.filter(
            user__is_active=True,
            user__groups__permissions__codename=codename,
            user__groups__permissions__content_type__app_label=app_label,
        )
    task = Task.objects.get(pk=row.id)
    principal_user = (task.data or {}).get(ACTING_FOR)
    extra = [principal_user] if principal_user else []
    mine = delegate_of(perms.employee_of(actor))
    if mine is not None:
        extra.append(mine.user_id)
    pool = pool | Employee.objects.filter(user_id__in=extra, user__is_active=True)
    parties = flow_class.instance.parties(case)
    candidates = (
        pool.exclude(user_id=actor.pk)
        .exclude(pk__in=parties)
        .select_related("user", "department")
        .distinct()
        .order_by("name", "pk")[:50]
    )
    return [e for e in candidates if may_decide(flow_class, case, e.user, row.node)]


# --- CASE-2 consult -----------------------------------------------------------------------------


def case_consult(*, flow_class, case, actor, to, question):
    """CASE-2: the holder of an open step asks someone's opinion. The consultee may read the
    case; the step stays with its holder, who may decide at any time, and its due time does
    not move."""
    target = person(to, field="to")
    question = text(question, field="question", rule="CASE-2")
    with case_locked(flow_class, case):
        case = _fresh(flow_class, case)
        facts = who.facts_of(flow_class, case)
        row = require_holder(actor, facts, rule="CASE-2")
        asker = perms.require_authenticated_employee(actor)
        _require_other(flow_class, case, actor, target, rule="CASE-2", self_code="consult_self")
        case_type = case_type_of(case)
        consultation = Consultation.objects.create(
            case_type=case_type,
            case_id=case.pk,
            task_id=row.id,
            asked_by=asker,
            consultee=target,
            question=question,
        )
        CaseAccess.objects.get_or_create(
            case_type=case_type,
            case_id=case.pk,
            employee=target,
            reason=CaseAccess.Reason.CONSULT,
            defaults={"granted_by": actor},
        )
        log(
            case,
            "consult",
            actor,
            rule="CASE-2",
            comment=question,
            data={"to": target.user_id, "task": row.id, "consultation": consultation.pk},
        )
        notify(
            users=[target.user],
            template="case_consulted",
            context={
                "case": case,
                "asked_by": asker.name,
                "question": question,
                "url": case_url(flow_class, case),
            },
            dedupe_key=f"consult:{consultation.pk}",
        )
    return case


def consultation_answer(*, flow_class, case, actor, answer):
    """CASE-2: the consultee answers their open consultation on the case, while the step they
    were consulted on is still open."""
    answer = text(answer, field="answer", rule="CASE-2")
    with case_locked(flow_class, case):
        case = _fresh(flow_class, case)
        facts = who.facts_of(flow_class, case)
        mine = [
            c
            for c in facts.consultations
            if c.consultee.user_id == actor.pk and c.answered_at is None
        ]
        if not mine:
            raise NotAllowed(
                _("You have no open question to answer on this case."),
                code="no_open_consultation",
                rule="CASE-2",
            )
        consultation = who.open_consultation(actor, facts)
        if consultation is None:
            decided = facts.task(mine[0].task_id)
            at = decided.finished if decided is not None and decided.finished else None
            raise StateConflict(
                _(
                    "The step you were consulted on was decided at %(at)s; an answer is no longer possible."
                ),
                code="step_decided",
                rule="CASE-2",
                params={"at": local_minute(at) if at else "—"},
            )
        now = timezone.now()
        Consultation.objects.filter(pk=consultation.pk).update(
            answer=answer, answered_at=now, closed_at=now
        )
        log(
            case,
            "consult-reply",
            actor,
            rule="CASE-2",
            comment=answer,
            data={"consultation": consultation.pk},
        )
        notify(
            users=[consultation.asked_by.user],
            template="consultation_answered",
            context={
                "case": case,
                "consultee": consultation.consultee.name,
                "question": consultation.question,
                "answer": answer,
                "url": case_url(flow_class, case),
            },
            dedupe_key=f"consult:{consultation.pk}:answer",
        )
    return case


# --- CASE-3 urge --------------------------------------------------------------------------------


def case_urge(*, flow_class, case, actor):
    """CASE-3: the applicant nudges whoever holds each open step of the case, each step at most
    once per URGE_INTERVAL."""
    with case_locked(flow_class, case):
        case = _fresh(flow_class, case)
        if not who.is_applicant(case, actor):
            raise NotAllowed(
                _("Only the applicant can urge this case."), code="not_applicant", rule="CASE-3"
            )
        facts = who.facts_of(flow_class, case)
        waiting = [t for t in facts.open_tasks if t.owner_id != actor.pk]
        if not waiting:
            raise StateConflict(
                _("No step of this case is waiting for anyone."),
                code="nothing_to_urge",
                rule="CASE-3",
            )
        now = timezone.now()
        due = who.urgeable_tasks(actor, facts, now, URGE_INTERVAL)
        if not due:
            last = max(facts.last_urges[t.id] for t in waiting)
            following = min(facts.last_urges[t.id] for t in waiting) + URGE_INTERVAL
            raise PolicyViolation(
                _("This case was last urged at %(last)s; you can urge it again from %(next)s."),
                code="urge_too_soon",
                rule="CASE-3",
                params={"last": local_minute(last), "next": local_minute(following)},
            )
        case_type = case_type_of(case)
        applicant = case.employee.name
        tasks = Task.objects.select_related("owner", "process").in_bulk([t.id for t in due])
        for row in due:
            urge = Urge.objects.create(
                case_type=case_type, case_id=case.pk, task_id=row.id, urged_by=actor, urged_at=now
            )
            task = tasks[row.id]
            notify(
                users=[u for u in users_for_task(task) if u.pk != actor.pk],
                template="case_urged",
                context={
                    "case": case,
                    "step": task.flow_task.task_title,
                    "applicant": applicant,
                    "url": case_url(flow_class, case),
                },
                dedupe_key=f"urge:{urge.pk}",
            )
        log(case, "urge", actor, rule="CASE-3", data={"tasks": [t.id for t in due]})
    return case


# --- CASE-4 cc ----------------------------------------------------------------------------------


def case_cc(*, flow_class, case, actor, people, comment=""):
    """CASE-4: a reviewer copies colleagues in; each may read this case (and only this one).
    Someone already copied in, a party or the actor is left out."""
    ids = id_list(people, field="people", limit=CC_MAX_PEOPLE, rule="CASE-4")
    comment = text(comment, field="comment", rule="CASE-4", required=False)
    with case_locked(flow_class, case):
        case = _fresh(flow_class, case)
        facts = who.facts_of(flow_class, case)
        if who.is_party(flow_class, case, actor):
            raise NotAllowed(
                _("A party of the case cannot copy others in."), code="own_request", rule="CASE-4"
            )
        if not who.is_reviewer(actor, facts) or flow_class.instance.limited_reader(actor, case):
            # A witness who signed acted on the slip, but reviews nothing (PEN-3).
            raise NotAllowed(
                _("Only a reviewer of this case can copy others in."),
                code="not_reviewer",
                rule="CASE-4",
            )
        found = {
            e.pk: e
            for e in Employee.objects.select_related("user").filter(
                pk__in=ids, user__is_active=True
            )
        }
        missing = [pk for pk in ids if pk not in found]
        if missing:
            # By id only: naming them would tell who exists.
            raise InvalidInput(
                _("No active employee has the id(s) %(ids)s."),
                code="unknown_people",
                rule="CASE-4",
                params={"ids": ", ".join(str(pk) for pk in missing)},
                field="people",
            )
        case_type = case_type_of(case)
        already = set(
            CaseAccess.objects.filter(
                case_type=case_type, case_id=case.pk, reason=CaseAccess.Reason.CC
            ).values_list("employee_id", flat=True)
        )
        parties = flow_class.instance.parties(case)
        new = [
            found[pk]
            for pk in ids
            if pk not in already and pk not in parties and found[pk].user_id != actor.pk
        ]
        if not new:
            return case
        now = timezone.now()
        CaseAccess.objects.bulk_create(
            [
                CaseAccess(
                    case_type=case_type,
                    case_id=case.pk,
                    employee=e,
                    reason=CaseAccess.Reason.CC,
                    granted_by=actor,
                    granted_at=now,
                )
                for e in new
            ]
        )
        log(case, "cc", actor, rule="CASE-4", comment=comment, data={"people": [e.pk for e in new]})
        notify(
            users=[e.user for e in new],
            template="case_cc",
            context={
                "case": case,
                "by": display_name(actor),
                "comment": comment,
                "url": case_url(flow_class, case),
            },
            dedupe_key=f"cc:{case_type}:{case.pk}",
        )
    return case


# --- CASE-5 comments ----------------------------------------------------------------------------


def case_comment(*, flow_class, case, actor, body):
    """CASE-5: a participant remarks on the case; those who hold or held a step and the
    applicant are told (not the author)."""
    body = text(body, field="body", rule="CASE-5")
    with case_locked(flow_class, case):
        case = _fresh(flow_class, case)
        facts = who.facts_of(flow_class, case)
        require_participant(flow_class, case, actor, facts, rule="CASE-5")
        comment = Comment.objects.create(
            case_type=case_type_of(case), case_id=case.pk, author=actor, body=body
        )
        log(case, "comment", actor, rule="CASE-5", comment=body, data={"comment": comment.pk})
        told = (facts.holder_ids | {case.employee.user_id}) - {actor.pk}
        notify(
            users=get_user_model().objects.filter(pk__in=told, is_active=True),
            template="case_comment",
            context={
                "case": case,
                "author": display_name(actor),
                "body": body,
                "url": case_url(flow_class, case),
            },
            dedupe_key=f"comment:{comment.pk}",
        )
    return case
