"""Reads of probations: who may see which case (an employee only their own; the department lead
their department's; a trainer the ones they examine), and the actions the caller may take now."""

from django.db.models import Q, QuerySet

from approvals import permissions as perms
from approvals.selectors import allowed as _allowed
from approvals.selectors import scoped
from org.levels import Role

from . import common, outcome, services
from .models import Probation, ProbationState

S = ProbationState


def _involved(employee) -> Q:
    condition = Q(employee=employee) | Q(department__lead=employee) | Q(assessed_by=employee)
    if perms.has_role(employee.user, Role.TRAINER):
        condition |= common.trainer_scope(employee)
    return condition


def probations_visible_to(user) -> QuerySet[Probation]:
    """Own case; a lead their department's; a trainer those they examine; the GM office and
    administration everything (they assess for leadless departments, approve and confirm)."""
    return scoped(
        Probation.objects.select_related("employee__user", "department__lead"), user, _involved
    )


def available_actions(user, probation: Probation) -> list[str]:
    """Action names (API.md) the caller may perform now: each passes its service's role and
    state checks (input such as a reason is judged only when the action is taken)."""
    actions = []
    if _allowed(services.check_examiner, user, probation):
        actions.append("record-exam")
    if probation.state == S.IN_PROBATION:
        if _allowed(services.check_assessor, user, probation):
            actions.append("assess")
        if _allowed(services.check_extender, user, probation):
            actions.append("extend")
    if probation.state == S.AWAITING_APPROVAL and _allowed(outcome.check_approver, user, probation):
        actions += ["approve", "reject"]
    if probation.state == S.APPROVED and _allowed(outcome.check_confirmer, user, probation):
        actions.append("confirm")
    return actions


def may_apply_early(user, probation: Probation) -> bool:
    """The employee may ask now (state, date); eligibility is judged when they apply."""
    return _allowed(services.check_applicant, user, probation)


def case_evidence(user, probation: Probation) -> dict:
    """What the case pages show beside the case: the probation months with tier and grade
    (PROB-2, for everyone who assesses) and, for the probationer, whether they may apply early
    and what is missing (PROB-4)."""
    may_apply = may_apply_early(user, probation)
    return {
        "probation_months": common.probation_months(probation),
        "may_apply_early": may_apply,
        "early_missing": [str(m) for m in services.early_missing(probation)] if may_apply else [],
    }
