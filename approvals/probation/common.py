"""Helpers shared by the probation services: locking, the policy of the case, dates, the audit +
deadline bookkeeping, and who may do what (one check per role question, used by the services to
refuse and by the selectors to list the caller's actions)."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import permissions as perms
from approvals import routing
from approvals.db import lock_case
from approvals.deadlines import deadline_meet, deadline_open
from approvals.delegation import acting_for
from approvals.errors import NotAllowed
from approvals.fsm import state_conflict as conflict  # noqa: F401  (used by the services)
from approvals.history import log_step
from approvals.inputs import (
    date_value,
    optional_text,  # noqa: F401  (used by the services)
    required_text,  # noqa: F401  (used by the services)
)
from org.levels import Role
from org.models import Employee
from performance.models import Assessment
from policy.deadlines import DueTime, due_at
from policy.services import policy_by_code

from .models import Probation, ProbationState

S = ProbationState
CASE_TYPE = "probation"

# The step each state waits for (its deadline name). The assessment is due at the start of the
# probation end date (PROB-5); the GM review and the confirmation have the review response time.
WAITING_STEPS = {
    S.IN_PROBATION: "assessment",
    S.AWAITING_APPROVAL: "gm_review",
    S.APPROVED: "confirmation",
}


def locked(probation: Probation) -> Probation:
    """Re-read the case under a row lock; everything after sees the committed state."""
    return lock_case(
        Probation,
        probation.pk,
        related=(
            "employee__user",
            "department",
        ),
    )


def policy_of(probation: Probation):
    """A probation is judged by the policy version it stored when it was opened (issue 11,
    finding 11: never found again by date)."""
    return policy_by_code(probation.policy_version)


def start_of(day: dt.date) -> dt.datetime:
    """The first instant of a local day (company time zone)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def assessment_due(probation: Probation) -> DueTime:
    """PROB-5: the lead's assessment is due when the end date begins; at that instant with no
    decision the GM office is told."""
    return DueTime(at=start_of(probation.ends_on))


def open_step_deadline(probation: Probation, state: str) -> None:
    name = WAITING_STEPS.get(state)
    if name is None:
        return
    if state == S.IN_PROBATION:
        due = assessment_due(probation)
    else:
        policy = policy_of(probation)
        due = due_at(
            timezone.now(), policy.review_days, mode=policy.review_day_mode, end_of_day=True
        )
    deadline_open(case_type=CASE_TYPE, case_id=probation.pk, name=name, due=due)


def move_deadlines(probation: Probation, from_state: str, to_state: str) -> None:
    """Meet the deadline of the step `from_state` waited for; open the one of `to_state`."""
    if from_state in WAITING_STEPS:
        deadline_meet(case_type=CASE_TYPE, case_id=probation.pk, name=WAITING_STEPS[from_state])
    open_step_deadline(probation, to_state)


def log(
    probation, action, actor, from_state, to_state, rules, comment="", data=None, on_behalf_of=None
):
    if from_state != to_state:
        move_deadlines(probation, from_state, to_state)
    log_step(
        probation,
        action,
        actor,
        from_state,
        to_state,
        rules,
        comment=comment,
        data=data,
        on_behalf_of=on_behalf_of,
    )


def probation_months(probation: Probation) -> list[Assessment]:
    """The monthly assessments of the probation period (hire month to end date), oldest first."""
    return list(
        Assessment.objects.filter(
            employee_id=probation.employee_id,
            month__gte=probation.hired_on.replace(day=1),
            month__lte=probation.ends_on,
        ).order_by("month")
    )


class Rendered:
    """A refusal's figure rendered only when the message is (in the request's language)."""

    def __init__(self, render):
        self.render = render

    def __str__(self) -> str:
        return self.render()


def month_list(rows, attr: str) -> Rendered:
    """'2026-02 (tier 3), 2026-03 (tier 4)' — the months a refusal names."""
    label = _("tier") if attr == "tier" else _("grade")
    rows = list(rows)
    return Rendered(
        lambda: ", ".join(f"{a.month:%Y-%m} ({label} {getattr(a, attr)})" for a in rows)
    )


parse_date = date_value


# --- who may act ------------------------------------------------------------------------------


def assessor_is_gm_office(probation: Probation) -> bool:
    """A department without a lead, or the lead's own probation: the GM office assesses."""
    lead_id = probation.department.lead_id
    return lead_id is None or lead_id == probation.employee_id


def check_lead(actor, probation: Probation, *, rule: str = "PROB-2") -> Employee | None:
    """PROB-2: the department lead assesses (or their delegate while they are on leave,
    LEAVE-6; the GM office when there is no other lead). Returns the lead acted for, or None
    when the GM office assesses."""
    perms.require_not_own(actor, probation, rule=rule)
    if assessor_is_gm_office(probation):
        routing.require_deciding_role(actor, Role.GM_OFFICE, case=probation, rule=rule)
        return None
    lead = probation.department.lead
    principal = acting_for(actor, lead)
    if principal is None:
        raise NotAllowed(
            _("Only the lead of the employee's department (%(department)s) assesses probation."),
            code="not_department_lead",
            rule=rule,
            params={"department": probation.department.name},
        )
    return principal


def departments_with_trainers():
    return Employee.objects.filter(user__groups__name=Role.TRAINER, user__is_active=True).values(
        "department"
    )


def trainer_scope(employee: Employee) -> Q:
    """Which probations a trainer records exams for: their own department's, and those of
    departments without a trainer of their own (org data names no trainer per employee)."""
    return Q(department=employee.department_id) | ~Q(department__in=departments_with_trainers())


def check_trainer(actor, probation: Probation) -> None:
    """PROB-2: the exam is recorded by a trainer of the employee's department (any trainer when
    the department has none), never by the employee."""
    perms.require_not_own(actor, probation, rule="PROB-2")
    routing.require_deciding_role(actor, Role.TRAINER, case=probation, rule="PROB-2")
    if not perms.has_role(actor, Role.TRAINER):
        return  # the sole trainer's own probation: the fallback role records the exam
    me = perms.employee_of(actor)
    if me is None or not Probation.objects.filter(trainer_scope(me), pk=probation.pk).exists():
        raise NotAllowed(
            _("Only a trainer of the employee's department (%(department)s) records the exam."),
            code="not_department_trainer",
            rule="PROB-2",
            params={"department": probation.department.name},
        )


def check_gm(actor, probation: Probation) -> None:
    routing.require_deciding_role(actor, Role.GM_OFFICE, case=probation, rule="PROB-2")
    perms.require_not_own(actor, probation, rule="PROB-2")


def check_administration(actor, probation: Probation) -> None:
    routing.require_deciding_role(actor, Role.ADMINISTRATION, case=probation, rule="PROB-3")
    perms.require_not_own(actor, probation, rule="PROB-3")
