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


def _involved(employee) -> Q:
    """Own cases; a lead's department; a panel member the defences they sit on."""
    return Q(employee=employee) | Q(department__lead=employee) | Q(scores__panelist=employee)


def _voting(employee) -> Q:
    """Department members read a case while its vote is open (PROMO-3.2)."""
    return Q(
        department=employee.department_id,
        vote_opened_at__isnull=False,
        vote_closed_at__isnull=True,
    )


def promotions_visible_to(user) -> QuerySet[Promotion]:
    """Own cases; a lead's department; the GM office and administration everything; a panel
    member the defences they sit on; department members a case while its vote is open."""
    return scoped(
        Promotion.objects.select_related("employee__user", "department__lead"),
        user,
        lambda employee: _involved(employee) | _voting(employee),
    )


def is_voter_view(user, promotion: Promotion) -> bool:
    """The viewer reads the case only because its department vote is open to them: they see
    what a ballot needs (who applies for what, the statement, the vote) and not the applicant's
    monthly scores, tiers, grades or the eligibility reasons (PROMO-3.2; the same data
    `/employees/<id>/assessments/` answers them 404 for). Everyone who sees the case some other
    way (applicant, lead or delegate, panel, consultee or copied-in, GM office, administration)
    keeps the full case."""
    if not services.vote_is_open(promotion) or promotion.employee.user_id == user.pk:
        return False  # without an open vote, whoever reads the case reads it as involved
    employee = perms.employee_of(user)
    if employee is None or employee.department_id != promotion.department_id:
        return False
    if perms.has_oversight(user):
        return False
    return not scoped(Promotion.objects.filter(pk=promotion.pk), user, _involved).exists()


def may_see_tally(user, promotion: Promotion) -> bool:
    """PROMO-3.2: the advisory tally is shown to the lead (nominator) and the GM office, and
    only once the vote is closed with at least the policy's minimum of ballots."""
    if not services.tally_is_countable(promotion):
        return False
    return may_read_tallies(user, promotion)


def may_read_tallies(user, promotion: Promotion) -> bool:
    """The readers PROMO-3.2 names for the tally: the lead (or their delegate) and the GM
    office; never the applicant."""
    if promotion.employee.user_id == user.pk:
        return False
    if perms.has_role(user, Role.GM_OFFICE):
        return True
    return delegation.acting_for(user, promotion.department.lead) is not None


def vote_summary(user, promotion: Promotion) -> dict | None:
    """The `vote` of the API and the page (PROMO-3.2): whether it is open; once closed, the
    number of ballots; the tally only to its readers and only when countable; and, for the
    caller alone, whether they have voted. While open not even the number of ballots shows:
    a counter read after each ballot would tell who has just voted."""
    if promotion.vote_opened_at is None:
        return None
    is_open = promotion.vote_closed_at is None
    tally = may_see_tally(user, promotion)
    employee = perms.employee_of(user)
    voted = (
        employee is not None
        and employee.department_id == promotion.department_id
        and promotion.voters.filter(voter=employee).exists()
    )
    return {
        "open": is_open,
        "ballots": None if is_open else services.ballots_of(promotion),
        "for": promotion.votes_for if tally else None,
        "against": promotion.votes_against if tally else None,
        "min_ballots": policy_of(promotion).vote_min_ballots,
        "voted": voted,
    }


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
