"""Reads of promotion cases: who may see what (an employee sees only their own cases), the
actions the caller may take now, and the case's timeline."""

from django.db.models import Q, QuerySet

from approvals import delegation
from approvals import permissions as perms
from approvals.selectors import allowed as _allowed
from approvals.selectors import scoped
from org.levels import Role

from . import services
from .common import _policy as policy_of
from .models import Promotion, PromotionState

S = PromotionState


def promotions_visible_to(user) -> QuerySet[Promotion]:
    """Own cases; a lead's department; the GM office and administration everything; a panel
    member the defences they sit on; department members a case while its vote is open."""
    return scoped(
        Promotion.objects.select_related("employee__user", "department"),
        user,
        lambda employee: (
            Q(employee=employee)
            | Q(department__lead=employee)
            | Q(scores__panelist=employee)
            | Q(
                department=employee.department_id,
                vote_opened_at__isnull=False,
                vote_closed_at__isnull=True,
            )
        ),
    )


def may_see_tally(user, promotion: Promotion) -> bool:
    """PROMO-3.2: the advisory tally is shown to the lead (nominator) and the GM office."""
    if promotion.employee.user_id == user.pk:
        return False
    if perms.has_role(user, Role.GM_OFFICE):
        return True
    return delegation.acting_for(user, promotion.department.lead) is not None


def available_actions(user, promotion: Promotion, *, scores=None, has_voted=None) -> list[str]:
    """Action names (API.md) the caller may perform now; each one would pass its service's
    role and state checks (policy guards that need input, such as a reason, are not judged)."""
    state = promotion.state
    actions = []
    if state in (S.SUBMITTED, S.NOMINATED) and promotion.employee.user_id == user.pk:
        actions.append("withdraw")
    if state == S.SUBMITTED and _allowed(services.check_nominator, user, promotion):
        if (
            promotion.vote_opened_at is None
            and promotion.target_level in policy_of(promotion).vote_levels
        ):
            actions.append("open-vote")
        if services.vote_is_open(promotion):
            actions.append("close-vote")
        actions += ["nominate", "decline"]
    if services.vote_is_open(promotion) and _allowed(services.check_voter, user, promotion):
        if has_voted is None:
            employee = perms.employee_of(user)
            has_voted = promotion.voters.filter(voter=employee).exists()
        if not has_voted:
            actions.append("vote")
    if state == S.NOMINATED and _allowed(services.check_gm_reviewer, user, promotion):
        actions += ["approve", "reject", "send-back"]
    if state in (S.APPROVED, S.DEFENCE_PASSED) and _allowed(
        services.check_administration, user, promotion
    ):
        if state == S.APPROVED:
            actions.append("schedule-defence")
            if not policy_of(promotion).defence_required(promotion.target_level):
                actions.append("confirm")
        else:
            actions.append("confirm")
    if state == S.DEFENCE_SCHEDULED:
        employee = perms.employee_of(user)
        scores = list(promotion.scores.all()) if scores is None else scores
        if employee and any(s.panelist_id == employee.pk and s.score is None for s in scores):
            actions.append("score-defence")
    return actions
