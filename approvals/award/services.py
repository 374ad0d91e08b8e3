"""Award services (AWARD-1, AWARD-2): every state change of an award goes through one of these.

House recipe: transaction, row lock, who may act, the FSM transition with its policy guard (a
refusal naming the rule and the figure), save, audit, notify on commit. The flow, the API and
the pages call these.

Readings:
- the department vote: every active member of the department (the lead included) casts at most
  one ballot, for one eligible candidate, never for themselves (AWARD-2, PROMO-3.2);
- opening the vote tells every member of the department who may vote (`vote_invitees`: the
  active ones; a candidate too, unless they are the only eligible one) by mail and in-app notice,
  from the sweep (`call_to_vote`); there is no reminder before the vote closes (the promotion
  vote has none either): the vote step's reminders go to administration, who closes it;
- closing the vote needs at least the policy's minimum of ballots (`promotion.vote_min_ballots`,
  default 3): below it the tally (and so the shortlist) would tell how the few voted;
- the shortlist is the top two by votes, ties included: every candidate with at least the votes
  of the one ranked second (a tie for first with three sends the three; a tie for second sends
  the first and every tied second); a candidate without a vote is never shortlisted;
- each review step (lead review, company assessment, GM approval) decides every candidate still
  in: `decision` for all of them, or `decisions` one by one; a refusal needs a reason and the
  candidate drops out with it; nobody decides a step while being one of its candidates; when
  nobody is left the award ends without an awardee;
- GM approval publishes: the notice page, the mail to every active employee, and the award
  (the policy pack's `award.amount`, else 200) booked to the month's pay (PAY-1).
"""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import ballot, delegation, routing
from approvals import permissions as perms
from approvals.db import atomic, lock_case, save_changed
from approvals.deadlines import deadlines_move
from approvals.errors import InvalidInput, NotAllowed, PolicyViolation, StateConflict
from approvals.fsm import state_conflict, transition
from approvals.history import log_step, new_case
from approvals.inputs import record_id
from org.levels import Role
from org.models import Department, Employee
from performance.models import Assessment
from policy.services import policy_in_force, policy_of

from .candidates import candidacies, department_people
from .models import OPEN_STATES, Award, AwardCandidate, AwardState, AwardVoter

S = AwardState
DEFAULT_AMOUNT = Decimal("200")
# The step each state waits for (each with the review response time, DEADLINE-*).
WAITING_STEPS = {
    S.OPENED: "vote",
    S.VOTING: "vote",
    S.LEAD_REVIEW: "lead_review",
    S.ASSESSMENT: "assessment",
    S.GM_APPROVAL: "gm_approval",
}
STEP_OF_STATE = {S.LEAD_REVIEW: "review", S.ASSESSMENT: "assess", S.GM_APPROVAL: "approve"}
DECISIONS = ("approve", "reject")


def award_amount(policy) -> Decimal:
    """AWARD-1: the award's figure from the pack (`award.amount`), else seed 002's 200."""
    value = (policy.data.get("award") or {}).get("amount")
    return Decimal(str(value)) if value is not None else DEFAULT_AMOUNT


def _locked(award: Award) -> Award:
    return lock_case(Award, award.pk, related=("employee__user", "department__lead__user"))


def _log(
    award, action, actor, from_state, to_state, rules, comment="", data=None, on_behalf_of=None
):
    if WAITING_STEPS.get(from_state) != WAITING_STEPS.get(to_state):
        policy = policy_of(award)
        deadlines_move(
            case_type="award",
            case_id=award.pk,
            waiting=WAITING_STEPS,
            from_state=from_state,
            to_state=to_state,
            days=policy.review_days,
            mode=policy.review_day_mode,
        )
    log_step(
        award,
        action,
        actor,
        from_state,
        to_state,
        rules,
        comment=comment,
        data=data,
        on_behalf_of=on_behalf_of,
    )


def _month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


# --- who may act ----------------------------------------------------------------------------


def check_administration(actor, award: Award) -> None:
    routing.require_deciding_role(actor, Role.ADMINISTRATION, case=award, rule="AWARD-1")


def lead_review_by_gm_office(award: Award, still_in_ids=None) -> bool:
    """The lead reviews, unless the department has no lead or the lead is a candidate still in:
    then the GM office does (nobody reviews their own candidacy, AWARD-1)."""
    lead_id = award.department.lead_id
    if lead_id is None:
        return True
    if still_in_ids is None:
        still_in_ids = set(still_in(award).values_list("employee_id", flat=True))
    return lead_id in still_in_ids


def still_in(award: Award):
    return AwardCandidate.objects.filter(award=award, shortlisted=True, refused_at="")


def _require_not_candidate(actor, ids) -> None:
    me = perms.employee_of(actor)
    if me is not None and me.pk in ids:
        raise NotAllowed(
            _("You are one of this award's candidates: you cannot decide this step."),
            code="own_candidacy",
            rule="AWARD-1",
        )


def check_lead_reviewer(actor, award: Award, ids=None):
    ids = set(still_in(award).values_list("employee_id", flat=True)) if ids is None else ids
    _require_not_candidate(actor, ids)
    if lead_review_by_gm_office(award, ids):
        routing.require_deciding_role(actor, Role.GM_OFFICE, case=award, rule="AWARD-1")
        return None
    lead = delegation.acting_for(actor, award.department.lead)
    if lead is None:
        raise NotAllowed(
            _("Only the lead of %(department)s reviews this award's candidates."),
            code="wrong_role",
            rule="AWARD-1",
            params={"department": award.department.name},
        )
    return lead


def check_assessor(actor, award: Award, ids=None):
    ids = set(still_in(award).values_list("employee_id", flat=True)) if ids is None else ids
    _require_not_candidate(actor, ids)
    check_administration(actor, award)


def check_gm_approver(actor, award: Award, ids=None):
    ids = set(still_in(award).values_list("employee_id", flat=True)) if ids is None else ids
    _require_not_candidate(actor, ids)
    routing.require_deciding_role(actor, Role.GM_OFFICE, case=award, rule="AWARD-1")


def check_voter(actor, award: Award) -> Employee:
    employee = perms.employee_of(actor)
    if employee is None or employee.department_id != award.department_id or not actor.is_active:
        raise NotAllowed(
            _("Only members of %(department)s vote for this award."),
            code="not_a_voter",
            rule="AWARD-2",
            params={"department": award.department.name},
        )
    return employee


# --- opening the month's award ----------------------------------------------------------------


def _department(value) -> Department:
    pk = record_id(value)
    department = Department.objects.filter(pk=pk).select_related("lead").first() if pk else None
    if department is None:
        raise InvalidInput(_("Name the department by its id."), code="invalid", field="department")
    return department


def _require_month_closed(department, month: dt.date) -> None:
    """AWARD-1: the candidates are read from the closed month (SCORE-10): every employee of the
    department on the ladder has their month closed."""
    people = department_people(department, month).values("pk")
    total = people.count()
    closed = Assessment.objects.filter(
        employee_id__in=people, month=month, closed_at__isnull=False
    ).count()
    if total == 0 or closed < total:
        raise StateConflict(
            _(
                "%(month)s is not closed for %(department)s (%(closed)s of %(total)s closed): "
                "the award is opened after the month's close."
            ),
            code="month_not_closed",
            rule="AWARD-1",
            params={
                "month": _month_label(month),
                "department": department.name,
                "closed": closed,
                "total": total,
            },
        )


def award_open(*, actor, department, month) -> Award:
    """AWARD-1: administration opens a department's award for a closed month; the candidates
    are listed with their reasons. Refused before the close and for a month already opened."""
    from performance.ledger_selectors import month_of

    month = month_of(month, default_current=False)
    department = _department(department)
    now = timezone.now()
    with atomic():
        opener = perms.require_authenticated_employee(actor)
        routing.require_deciding_role(
            actor, Role.ADMINISTRATION, case=_Probe(opener), rule="AWARD-1"
        )
        if month >= timezone.localdate().replace(day=1):
            raise PolicyViolation(
                _("%(month)s has not ended: the award is opened after the month's close."),
                code="month_not_over",
                rule="AWARD-1",
                params={"month": _month_label(month)},
            )
        if Award.objects.filter(department=department, month=month).exists():
            raise StateConflict(
                _("The award of %(month)s for %(department)s has already been opened."),
                code="award_exists",
                rule="AWARD-1",
                params={"month": _month_label(month), "department": department.name},
            )
        _require_month_closed(department, month)
        policy = policy_in_force(at=now)
        try:
            with transaction.atomic():
                award = Award.objects.create(
                    employee=opener,
                    department=department,
                    month=month,
                    policy_version=policy.version,
                    amount=award_amount(policy),
                    submitted_at=now,
                )
        except IntegrityError:
            raise StateConflict(
                _("The award of %(month)s for %(department)s has already been opened."),
                code="award_exists",
                rule="AWARD-1",
                params={"month": _month_label(month), "department": department.name},
            ) from None
        AwardCandidate.objects.bulk_create(
            AwardCandidate(
                award=award,
                employee=c.employee,
                eligible=c.eligible,
                reasons=c.snapshot(),
            )
            for c in candidacies(department, month)
        )
        new_case(award)
        _log(
            award, "open", actor, "", award.state, ["AWARD-1"], data={"month": _month_label(month)}
        )
    return award


class _Probe:
    """A stand-in case for the role check before the award exists (its opener is the party)."""

    def __init__(self, employee):
        self.employee = employee
        self.policy_version = policy_in_force().version


# --- the vote (AWARD-2, PROMO-3.2) ------------------------------------------------------------


def award_open_vote(*, award: Award, actor) -> Award:
    with atomic():
        award = _locked(award)
        check_administration(actor, award)
        if award.state != S.OPENED:
            raise state_conflict(award, "open-vote")
        if not AwardCandidate.objects.filter(award=award, eligible=True).exists():
            raise PolicyViolation(
                _("Nobody in %(department)s qualifies for %(month)s: there is nothing to vote on."),
                code="no_candidates",
                rule="AWARD-1",
                params={"department": award.department.name, "month": _month_label(award.month)},
            )
        from_state, to_state = transition(award, "open_vote", action="open-vote")
        award.vote_opened_at = timezone.now()
        save_changed(award)
        _log(award, "open-vote", actor, from_state, to_state, ["AWARD-2", "PROMO-3"])
    return award


def award_vote(*, award: Award, actor, candidate) -> Award:
    """AWARD-2: one anonymous ballot per department member, for one eligible candidate. The
    ballot only moves that candidate's counter (approvals.ballot); no audit event per ballot."""
    with atomic():
        award = _locked(award)
        voter = check_voter(actor, award)
        ballot.require_open(award, rule="AWARD-2")
        pk = record_id(candidate)
        chosen = (
            AwardCandidate.objects.filter(award=award, employee_id=pk, eligible=True).first()
            if pk
            else None
        )
        if chosen is None:
            raise InvalidInput(
                _("Choose one of the award's candidates (an employee id)."),
                code="not_a_candidate",
                field="candidate",
                rule="AWARD-1",
            )
        if chosen.employee_id == voter.pk:
            raise PolicyViolation(
                _("You cannot vote for yourself."), code="own_vote", rule="AWARD-2"
            )
        ballot.record_voter(
            AwardVoter,
            voter=voter,
            message=_("You have already voted for this award."),
            rule="AWARD-2",
            award=award,
        )
        ballot.count(AwardCandidate.objects.filter(pk=chosen.pk), "votes")
    return award


def ballots_of(award: Award) -> int:
    return AwardVoter.objects.filter(award=award).count()


def min_ballots(award: Award) -> int:
    return policy_of(award).vote_min_ballots


def shortlist(votes: dict[int, int]) -> set[int]:
    """AWARD-2: the top two by votes, ties included (every candidate with at least the second
    ranked's votes); nobody without a vote."""
    ranked = sorted((n for n in votes.values() if n > 0), reverse=True)
    if not ranked:
        return set()
    bar = ranked[1] if len(ranked) > 1 else ranked[0]
    return {pk for pk, n in votes.items() if n > 0 and n >= bar}


def award_close_vote(*, award: Award, actor) -> Award:
    with atomic():
        award = _locked(award)
        check_administration(actor, award)
        ballot.require_open(award, rule="AWARD-2")
        ballots = ballots_of(award)
        minimum = min_ballots(award)
        if ballots < minimum:
            raise PolicyViolation(
                _(
                    "The vote cannot be closed with %(ballots)s ballot(s): at least %(minimum)s are "
                    "needed so that no ballot can be told from the tally."
                ),
                code="too_few_ballots",
                rule="AWARD-2",
                params={"ballots": ballots, "minimum": minimum},
            )
        votes = dict(
            AwardCandidate.objects.filter(award=award, eligible=True).values_list("pk", "votes")
        )
        chosen = shortlist(votes)
        AwardCandidate.objects.filter(pk__in=chosen).update(shortlisted=True)
        award.vote_closed_at = timezone.now()
        from_state, to_state = transition(award, "close_vote", action="close-vote")
        save_changed(award)
        _log(
            award,
            "close-vote",
            actor,
            from_state,
            to_state,
            ["AWARD-2", "PROMO-3"],
            data={"ballots": ballots, "shortlisted": len(chosen)},
        )
    return award


# --- the review steps -------------------------------------------------------------------------


def _decisions(still: list[AwardCandidate], decision, reason, decisions) -> dict[int, tuple]:
    """{candidate employee id: (decision, reason)} for every candidate still in, from
    `decision` (all of them) or `decisions` ([{"candidate", "decision", "reason"}, ...])."""
    ids = {c.employee_id for c in still}
    result = {}
    if decisions not in (None, "", []):
        if not isinstance(decisions, list):
            raise InvalidInput(
                _("“decisions” is a list of {candidate, decision, reason}."),
                code="invalid",
                field="decisions",
            )
        for item in decisions:
            if not isinstance(item, dict):
                raise InvalidInput(
                    _("“decisions” is a list of {candidate, decision, reason}."),
                    code="invalid",
                    field="decisions",
                )
            pk = record_id(item.get("candidate"))
            if pk not in ids:
                raise InvalidInput(
                    _("%(candidate)s is not a candidate still in this award."),
                    code="not_a_candidate",
                    field="decisions",
                    rule="AWARD-1",
                    params={"candidate": str(item.get("candidate"))[:20]},
                )
            result[pk] = (item.get("decision"), item.get("reason"))
        missing = ids - set(result)
        if missing:
            raise InvalidInput(
                _("Decide every candidate still in (missing: %(ids)s)."),
                code="decisions_missing",
                field="decisions",
                rule="AWARD-1",
                params={"ids": ", ".join(str(i) for i in sorted(missing))},
            )
    else:
        result = dict.fromkeys(ids, (decision, reason))
    checked = {}
    for pk, (choice, why) in result.items():
        if choice not in DECISIONS:
            raise InvalidInput(
                _("“decision” is approve or reject."), code="invalid", field="decision"
            )
        why = (why or "").strip() if isinstance(why, str) else ""
        if choice == "reject" and not why:
            raise InvalidInput(
                _("A refused candidate needs a reason."),
                code="reason_required",
                field="reason",
                rule="AWARD-1",
            )
        checked[pk] = (choice, why)
    return checked


def _decide(award, actor, *, state, check, action, method, decision, reason, decisions):
    with atomic():
        award = _locked(award)
        if award.state != state:
            raise state_conflict(award, action)
        still = list(still_in(award).select_related("employee"))
        ids = {c.employee_id for c in still}
        principal = check(actor, award, ids)
        on_behalf_of = delegation.on_behalf_of(actor, principal) if principal else None
        decided = _decisions(still, decision, reason, decisions)
        refused = []
        for c in still:
            choice, why = decided[c.employee_id]
            if choice == "reject":
                c.refused_at, c.refused_reason = STEP_OF_STATE[state], why
                refused.append(c)
        if refused:
            AwardCandidate.objects.bulk_update(refused, ["refused_at", "refused_reason"])
        remaining = [c for c in still if not c.refused_at]
        now = timezone.now()
        if remaining:
            from_state, to_state = transition(award, method, action=action)
        else:
            from_state, to_state = transition(award, "end_without_award", action=action)
            award.closed_at = now
        if to_state == S.PUBLISHED:
            award.published_at = award.closed_at = now
            AwardCandidate.objects.filter(pk__in=[c.pk for c in remaining]).update(awarded=True)
        save_changed(award)
        _log(
            award,
            action,
            actor,
            from_state,
            to_state,
            ["AWARD-1"] + (["PAY-1"] if to_state == S.PUBLISHED else []),
            comment="; ".join(f"{c.employee.name}: {c.refused_reason}" for c in refused),
            data={
                "approved": sorted(c.employee_id for c in remaining),
                "refused": sorted(c.employee_id for c in refused),
            },
            on_behalf_of=on_behalf_of,
        )
    return award


def announce(award: Award) -> None:
    """AWARD-2: the notice to every active employee of the company (mail and in-app), once
    (deduplicated per award). Run by the sweep (approvals.award.receivers)."""
    from django.contrib.auth import get_user_model

    from notifications.services import notify

    users = (
        get_user_model()
        .objects.filter(is_active=True, employee__isnull=False)
        .select_related("employee")
    )
    winners = AwardCandidate.objects.filter(award=award, awarded=True).select_related("employee")
    names = "、".join(c.employee.name for c in winners)
    notify(
        users=users,
        template="award_published",
        context={
            "department": award.department.name,
            "month": _month_label(award.month),
            "names": names,
            "amount": f"{award.amount:.2f}",
            "url": "/awards/",
        },
        dedupe_key=f"award:{award.pk}:published",
    )


def _eligible_ids(award: Award) -> set[int]:
    return set(
        AwardCandidate.objects.filter(award=award, eligible=True).values_list(
            "employee_id", flat=True
        )
    )


def vote_invitees(award: Award, eligible: set[int] | None = None) -> list:
    """AWARD-2: the users who may vote, as `check_voter` and `award_vote` admit them: every
    active user of an employee of the department (the lead and the candidates included), except
    a candidate who is the only eligible one (no ballot left to cast: never for oneself)."""
    from django.contrib.auth import get_user_model

    from approvals.selectors import allowed

    eligible = _eligible_ids(award) if eligible is None else eligible
    users = (
        get_user_model()
        .objects.filter(is_active=True, employee__department_id=award.department_id)
        .select_related("employee")
        .order_by("pk")
    )
    return [u for u in users if allowed(check_voter, u, award) and eligible - {u.employee.pk}]


def call_to_vote(award: Award) -> None:
    """AWARD-2: the vote is open: every member of the department who may vote (`vote_invitees`)
    is told (mail and in-app), once (deduplicated per award), with the department, the month,
    the number of candidates, the vote step's due time when one is ahead, and the case page
    where they vote. No ballot is cast yet, so the notice tells nothing of anyone's ballot. Run
    by the sweep dispatching the case's "open-vote" event (approvals.award.receivers); rendered
    there in each recipient's language. A vote closed before the sweep came tells nobody."""
    from django.urls import reverse

    from approvals.deadlines import Deadline
    from notifications.services import notify

    if not ballot.is_open(award):
        return
    eligible = _eligible_ids(award)
    invitees = vote_invitees(award, eligible)
    if not invitees:
        return
    due = (
        Deadline.objects.filter(
            case_type="award",
            case_id=award.pk,
            name=WAITING_STEPS[S.VOTING],
            met_at__isnull=True,
        )
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    notify(
        users=invitees,
        template="award_vote_opened",
        context={
            "department": award.department.name,
            "month": _month_label(award.month),
            "candidates": len(eligible),
            "due": f"{timezone.localtime(due):%Y-%m-%d %H:%M}"
            if due is not None and due > timezone.now()
            else "",
            "url": reverse("award_detail", args=[award.pk]),
        },
        dedupe_key=f"award:{award.pk}:vote-opened",
    )


def award_review(*, award, actor, decision=None, reason=None, decisions=None) -> Award:
    """AWARD-1: the department lead's review (the GM office when the lead is a candidate or
    the department has none)."""
    return _decide(
        award,
        actor,
        state=S.LEAD_REVIEW,
        check=check_lead_reviewer,
        action="review",
        method="review",
        decision=decision,
        reason=reason,
        decisions=decisions,
    )


def award_assess(*, award, actor, decision=None, reason=None, decisions=None) -> Award:
    """AWARD-1: the company assessment (administration)."""
    return _decide(
        award,
        actor,
        state=S.ASSESSMENT,
        check=check_assessor,
        action="assess",
        method="assess",
        decision=decision,
        reason=reason,
        decisions=decisions,
    )


def award_approve(*, award, actor, decision=None, reason=None, decisions=None) -> Award:
    """AWARD-1, AWARD-2: GM approval; approved candidates are published and awarded."""
    return _decide(
        award,
        actor,
        state=S.GM_APPROVAL,
        check=check_gm_approver,
        action="approve",
        method="approve",
        decision=decision,
        reason=reason,
        decisions=decisions,
    )


__all__ = [
    "OPEN_STATES",
    "award_amount",
    "award_approve",
    "award_assess",
    "award_close_vote",
    "award_open",
    "award_open_vote",
    "award_review",
    "award_vote",
    "check_administration",
    "check_assessor",
    "check_gm_approver",
    "check_lead_reviewer",
    "check_voter",
    "shortlist",
]
