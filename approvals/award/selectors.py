"""Reads of awards: who sees which case, the vote as the caller may see it (AWARD-2, PROMO-3.2),
the actions the caller may take now, the public notice and the award's pay line (PAY-1)."""

from django.db.models import Q, QuerySet

from approvals import ballot
from approvals import permissions as perms
from approvals.selectors import allowed as _allowed
from approvals.selectors import scoped

from . import services
from .models import Award, AwardCandidate, AwardState, AwardVoter

S = AwardState


def _involved(employee) -> Q:
    """The lead reads their department's awards."""
    return Q(department__lead=employee)


def _voting(employee) -> Q:
    """Department members read the award while its vote is open (to vote)."""
    return Q(
        department=employee.department_id,
        vote_opened_at__isnull=False,
        vote_closed_at__isnull=True,
    )


def awards_visible_to(user) -> QuerySet[Award]:
    """The GM office and administration every award; a lead their department's; department
    members an award while its vote is open. The published awardees are on the public notice
    (`published`), for everyone."""
    return scoped(
        Award.objects.select_related("employee__user", "department__lead"),
        user,
        lambda employee: _involved(employee) | _voting(employee),
    )


def is_voter_view(user, award: Award) -> bool:
    """The viewer reads the award only because its vote is open to them: they see the eligible
    candidates' names (to choose one), not anyone's reasons, votes or the steps' comments."""
    if not ballot.is_open(award) or perms.has_oversight(user):
        return False
    employee = perms.employee_of(user)
    if employee is None or employee.department_id != award.department_id:
        return False
    return not scoped(Award.objects.filter(pk=award.pk), user, _involved).exists()


def has_voted(user, award: Award) -> bool:
    employee = perms.employee_of(user)
    return (
        employee is not None
        and employee.department_id == award.department_id
        and AwardVoter.objects.filter(award=award, voter=employee).exists()
    )


def tally_shown(award: Award) -> bool:
    """AWARD-2/PROMO-3.2: the tally exists for readers once the vote is closed (closing needs the
    minimum of ballots)."""
    return ballot.tally_is_countable(award, services.ballots_of(award), services.min_ballots(award))


def vote_summary(user, award: Award) -> dict | None:
    """Whether the vote is open; the number of ballots only once closed; whether the caller
    voted (to the caller alone)."""
    if award.vote_opened_at is None:
        return None
    is_open = award.vote_closed_at is None
    return {
        "open": is_open,
        "ballots": None if is_open else services.ballots_of(award),
        "min_ballots": services.min_ballots(award),
        "voted": has_voted(user, award),
    }


def candidates_for(user, award: Award, language: str) -> list[dict]:
    """The candidates as the caller may read them: everyone with the reasons (AWARD-1) for the
    lead and oversight; the eligible names only for a voter. Votes only once the tally shows."""
    voter_view = is_voter_view(user, award)
    show_votes = not voter_view and tally_shown(award)
    rows = []
    for c in AwardCandidate.objects.filter(award=award).select_related("employee"):
        if voter_view and not c.eligible:
            continue
        reasons = c.reasons or {}
        texts = reasons.get(language, reasons.get("en", []))
        rows.append(
            {
                "employee": c.employee_id,
                "name": c.employee.name,
                "eligible": c.eligible,
                "reasons": []
                if voter_view
                else [
                    {"rule": rule, "code": code, "text": text, "excludes": excludes}
                    for rule, code, text, excludes in zip(
                        reasons.get("rules", []),
                        reasons.get("codes", []),
                        texts,
                        reasons.get("excludes", []),
                        strict=False,
                    )
                ],
                "votes": c.votes if show_votes else None,
                "shortlisted": None if voter_view else c.shortlisted,
                "refused_at": None if voter_view else (c.refused_at or None),
                "refused_reason": None if voter_view else (c.refused_reason or None),
                "awarded": c.awarded,
            }
        )
    return rows


def available_actions(user, award: Award) -> list[str]:
    state = award.state
    actions = []
    if state in (S.OPENED, S.VOTING) and _allowed(services.check_administration, user, award):
        actions.append("open-vote" if state == S.OPENED else "close-vote")
    if (
        state == S.VOTING
        and _allowed(services.check_voter, user, award)
        and not has_voted(user, award)
    ):
        actions.append("vote")
    if state == S.LEAD_REVIEW and _allowed(services.check_lead_reviewer, user, award):
        actions.append("review")
    if state == S.ASSESSMENT and _allowed(services.check_assessor, user, award):
        actions.append("assess")
    if state == S.GM_APPROVAL and _allowed(services.check_gm_approver, user, award):
        actions.append("approve")
    return actions


def published():
    """AWARD-2: the notice every employee reads: published awards with their awardees."""
    return (
        Award.objects.filter(state=S.PUBLISHED)
        .select_related("department")
        .prefetch_related("candidates__employee")
        .order_by("-month", "department__name")
    )


def award_rewards(month, ids) -> dict:
    """PAY-1 reward source (performance.paysheet.REWARD_SOURCES): the awards of `month` booked
    to their awardees, in one query."""
    from performance.pay import Reward

    rewards: dict[int, list] = {}
    for employee_id, amount, award_id in AwardCandidate.objects.filter(
        award__month=month, award__state=S.PUBLISHED, awarded=True, employee_id__in=ids
    ).values_list("employee_id", "award__amount", "award_id"):
        rewards.setdefault(employee_id, []).append(
            Reward(amount, rule="AWARD-1", ref=f"award:{award_id}")
        )
    return rewards
