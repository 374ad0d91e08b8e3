"""Promotion services: every state change of a promotion case goes through one of these.

Each follows the house recipe: transaction, row lock, who-may-act, the FSM transition with its
policy guard (a PolicyViolation naming the rule and the figure), save, audit, notify on commit.
Views, the API and the flow all call these; none calls the model's transition methods.
Rules: ORG-3, PROMO-1 .. PROMO-6.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from approvals import ballot, delegation, routing
from approvals import eligibility as eligibility_rules
from approvals import permissions as perms
from approvals.db import atomic, save_changed
from approvals.errors import InvalidInput, NotAllowed, PolicyViolation, StateConflict
from approvals.fsm import state_conflict, transition
from approvals.history import new_case
from approvals.inputs import ladder_level
from org.levels import Level, Role, rank
from org.models import Employee
from policy.services import policy_in_force

from .common import S, _locked, _log, _policy, _required_text, nominator_is_gm_office
from .models import (
    OPEN_STATES,
    REFUSED_STATES,
    Promotion,
    VoteParticipation,
)

# --- submission -------------------------------------------------------------------------------


def _eligibility_snapshot(employee: Employee, target_level: str, at) -> tuple[bool, dict]:
    """Evaluate PROMO-2 and keep the evidence, with the reasons in both catalog languages so the
    case shows them in the reader's language later."""
    result = eligibility_rules.evaluate(employee, target_level, at=at)
    reasons = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            reasons[language] = [str(r) for r in result.reasons]
    snapshot = {
        "eligible": result.eligible,
        "rule": result.rule,
        "months": result.months,
        "reasons": reasons,
    }
    return result.eligible, snapshot


def _cooldown_until(last: dt.datetime | None, policy) -> dt.date | None:
    """PROMO-6: after a refusal (the last one closed at `last`), the same level may be applied
    for again after the cool-down."""
    if last is None:
        return None
    until = timezone.localtime(last).date() + relativedelta(months=policy.cooldown_months)
    return until if timezone.localdate() < until else None


def promotion_submit(
    *, actor, target_level: str, statement: str, skip_level_reason: str | None = None
) -> Promotion:
    """PROMO-3.1 self-application; PROMO-1 skip-level; PROMO-2 eligibility; PROMO-6 cool-down."""
    now = timezone.now()
    policy = policy_in_force(at=now)

    with atomic():
        # Serialise applications of one employee: lock their row while checking for open cases.
        # The department and its lead come with it: the nomination is queued to the lead.
        employee = perms.require_authenticated_employee(
            actor,
            Employee.objects.select_for_update(of=("self",)).select_related(
                "department__lead__user"
            ),
        )
        statement = _required_text(statement, field="statement", rule="PROMO-3")
        ladder_level(target_level)
        if employee.level is None:
            raise PolicyViolation(
                _("Only employees on the customer-service ladder can apply for promotion."),
                code="not_on_ladder",
                rule="ORG-1",
            )
        if rank(target_level) <= rank(employee.level):
            raise PolicyViolation(
                _("%(target)s is not above your current level (%(current)s)."),
                code="not_a_promotion",
                rule="PROMO-1",
                params={
                    "target": Level(target_level).label,
                    "current": Level(employee.level).label,
                },
            )
        if target_level == Level.JUNIOR:
            raise PolicyViolation(
                _("Becoming a junior agent is decided by probation conversion, not by promotion."),
                code="use_probation_conversion",
                rule="PROMO-2",
            )
        # One read for PROMO-3 (no second open application) and PROMO-6 (the cool-down).
        earlier = list(
            Promotion.objects.filter(employee=employee)
            .filter(
                Q(state__in=OPEN_STATES) | Q(state__in=REFUSED_STATES, target_level=target_level)
            )
            .values_list("state", "closed_at")
        )
        if any(state in OPEN_STATES for state, _closed in earlier):
            raise PolicyViolation(
                _("You already have an open promotion application."),
                code="application_open",
                rule="PROMO-3",
            )
        refused = [closed for state, closed in earlier if state in REFUSED_STATES and closed]
        until = _cooldown_until(max(refused) if refused else None, policy)
        if until is not None:
            raise PolicyViolation(
                _(
                    "Your last application for %(level)s was refused; you may apply again from %(date)s."
                ),
                code="cool_down",
                rule="PROMO-6",
                params={"level": Level(target_level).label, "date": until.isoformat()},
            )

        eligible, snapshot = _eligibility_snapshot(employee, target_level, now)
        steps = rank(target_level) - rank(employee.level)
        reason = (skip_level_reason or "").strip()
        skip_level = steps > 1 or not eligible
        if skip_level and not reason:
            if steps > 1:
                raise PolicyViolation(
                    _(
                        "%(target)s is %(steps)s steps above your level: a skip-level application needs a written justification."
                    ),
                    code="skip_level_reason_required",
                    rule="PROMO-1",
                    params={"target": Level(target_level).label, "steps": steps},
                    field="skip_level_reason",
                )
            reasons = "; ".join(
                r.rstrip("。.")
                for r in snapshot["reasons"].get(
                    translation.get_language(), snapshot["reasons"]["en"]
                )
            )
            raise PolicyViolation(
                _(
                    "You are not eligible for %(target)s: %(reasons)s. You may still apply with a written justification (skip-level)."
                ),
                code="not_eligible",
                rule="PROMO-2",
                params={"target": Level(target_level).label, "reasons": reasons},
                field="skip_level_reason",
            )

        promotion = Promotion.objects.create(
            employee=employee,
            department=employee.department,
            from_level=employee.level,
            target_level=target_level,
            statement=statement,
            skip_level=skip_level,
            skip_level_reason=reason if skip_level else "",
            eligible=eligible,
            eligibility=snapshot,
            policy_version=policy.version,
            submitted_at=now,
        )
        new_case(promotion)
        rules = ["PROMO-3", "PROMO-2"] + (["PROMO-1"] if skip_level else [])
        _log(
            promotion,
            "submit",
            actor,
            "",
            promotion.state,
            rules,
            statement,
            {"target_level": target_level, "skip_level": skip_level, "eligible": eligible},
        )
    return promotion


# --- department nomination and the anonymous vote (PROMO-3.2) ---------------------------------


def check_nominator(actor, promotion: Promotion):
    """The lead (or the delegate standing in for them, LEAVE-6), whom the actor acts as; None
    when the GM office nominates."""
    perms.require_not_own(actor, promotion, rule="PROMO-4")
    if nominator_is_gm_office(promotion):
        routing.require_deciding_role(actor, Role.GM_OFFICE, case=promotion, rule="PROMO-4")
        return None
    lead = delegation.acting_for(actor, promotion.department.lead)
    if lead is None:
        raise NotAllowed(
            _("Only the lead of %(department)s nominates this application."),
            code="wrong_role",
            rule="PROMO-3",
            params={"department": promotion.department.name},
        )
    return lead


def vote_is_open(promotion: Promotion) -> bool:
    return ballot.is_open(promotion)


def promotion_open_vote(*, promotion: Promotion, actor) -> Promotion:
    with atomic():
        promotion = _locked(promotion)
        lead = check_nominator(actor, promotion)
        if promotion.state != S.SUBMITTED:
            raise state_conflict(promotion, "open-vote")
        if promotion.target_level not in _policy(promotion).vote_levels:
            raise PolicyViolation(
                _("A department vote is only held for promotion to %(levels)s."),
                code="vote_not_available",
                rule="PROMO-3",
                params={
                    "levels": ", ".join(
                        str(Level(lv).label) for lv in _policy(promotion).vote_levels
                    )
                },
            )
        if promotion.vote_opened_at is not None:
            raise StateConflict(
                _("The department vote has already been opened."),
                code="vote_already_opened",
                rule="PROMO-3",
            )
        promotion.vote_opened_at = timezone.now()
        promotion.save(update_fields=["vote_opened_at"])
        _log(
            promotion,
            "open-vote",
            actor,
            promotion.state,
            promotion.state,
            ["PROMO-3"],
            on_behalf_of=delegation.on_behalf_of(actor, lead),
        )
    return promotion


def check_voter(actor, promotion: Promotion):
    perms.require_not_own(actor, promotion, rule="PROMO-3")
    employee = perms.employee_of(actor)
    if employee is None or employee.department_id != promotion.department_id:
        raise NotAllowed(
            _("Only members of %(department)s vote on this application."),
            code="not_a_voter",
            rule="PROMO-3",
            params={"department": promotion.department.name},
        )
    return employee


def promotion_vote(*, promotion: Promotion, actor, support: bool) -> Promotion:
    """PROMO-3.2: one anonymous ballot per department member. The ballot only moves a counter;
    the participation row records that the voter voted, not how (and not when); no audit event
    is written per ballot."""
    if not isinstance(support, bool):
        raise InvalidInput(_("“support” must be true or false."), code="invalid", field="support")
    with atomic():
        promotion = _locked(promotion)
        voter = check_voter(actor, promotion)
        if not vote_is_open(promotion):
            raise StateConflict(
                _("The department vote is not open."), code="vote_closed", rule="PROMO-3"
            )
        ballot.record_voter(
            VoteParticipation,
            voter=voter,
            message=_("You have already voted on this application."),
            rule="PROMO-3",
            promotion=promotion,
        )
        counter = "votes_for" if support else "votes_against"
        ballot.count(Promotion.objects.filter(pk=promotion.pk), counter)
        promotion.refresh_from_db(fields=["votes_for", "votes_against"])
        # No audit event per ballot: even without an actor, its time and its place in the log
        # would let a reader who polls the timeline (or the admin) link the ballot to whoever
        # just voted. The close event records how many ballots were cast (PROMO-3.2).
    return promotion


def ballots_of(promotion: Promotion) -> int:
    return promotion.votes_for + promotion.votes_against


def tally_is_countable(promotion: Promotion) -> bool:
    """PROMO-3.2: the tally exists for readers only once the vote is closed and at least the
    policy's minimum of ballots was cast (`promotion.vote_min_ballots`, default 3)."""
    return ballot.tally_is_countable(
        promotion, ballots_of(promotion), _policy(promotion).vote_min_ballots
    )


def _close_vote(promotion: Promotion, actor, on_behalf_of=None) -> None:
    promotion.vote_closed_at = timezone.now()
    promotion.save(update_fields=["vote_closed_at"])
    data = {"ballots": ballots_of(promotion)}
    if tally_is_countable(promotion):  # below the minimum the tally is kept from every reader
        data.update({"for": promotion.votes_for, "against": promotion.votes_against})
    _log(
        promotion,
        "close-vote",
        actor,
        promotion.state,
        promotion.state,
        ["PROMO-3"],
        data=data,
        on_behalf_of=on_behalf_of,
    )


def promotion_close_vote(*, promotion: Promotion, actor) -> Promotion:
    with atomic():
        promotion = _locked(promotion)
        lead = check_nominator(actor, promotion)
        if not vote_is_open(promotion):
            raise StateConflict(
                _("The department vote is not open."), code="vote_closed", rule="PROMO-3"
            )
        _close_vote(promotion, actor, delegation.on_behalf_of(actor, lead))
    return promotion


def _decide(
    promotion, actor, *, check, method: str, action: str, rules: list[str], comment: str = ""
):
    """The common shape of a reviewer's decision: lock, who may act, end an open vote (its tally
    is advisory), transition, close the case if the decision ends it, save, log."""
    with atomic():
        promotion = _locked(promotion)
        # A check answers with the person the actor acts as (LEAVE-6), or None.
        principal = check(actor, promotion)
        on_behalf_of = delegation.on_behalf_of(actor, principal) if principal else None
        if vote_is_open(promotion):
            _close_vote(promotion, actor, on_behalf_of)
        from_state, to_state = transition(promotion, method, action=action)
        if to_state not in OPEN_STATES:
            promotion.closed_at = timezone.now()
        save_changed(promotion)
        _log(
            promotion,
            action,
            actor,
            from_state,
            to_state,
            rules,
            comment or "",
            on_behalf_of=on_behalf_of,
        )
    return promotion


def promotion_nominate(*, promotion: Promotion, actor, comment: str = "") -> Promotion:
    return _decide(
        promotion,
        actor,
        check=check_nominator,
        method="nominate",
        action="nominate",
        rules=["PROMO-3", "PROMO-4"],
        comment=comment,
    )


def promotion_decline(*, promotion: Promotion, actor, reason: str) -> Promotion:
    reason = _required_text(reason, field="reason", rule="PROMO-3")
    return _decide(
        promotion,
        actor,
        check=check_nominator,
        method="decline",
        action="decline",
        rules=["PROMO-3", "PROMO-6"],
        comment=reason,
    )


# --- GM review (PROMO-3.3) --------------------------------------------------------------------


def check_gm_reviewer(actor, promotion: Promotion) -> None:
    perms.require_not_own(actor, promotion, rule="PROMO-4")
    routing.require_deciding_role(actor, Role.GM_OFFICE, case=promotion, rule="PROMO-3")


def promotion_approve(
    *, promotion: Promotion, actor, comment: str = "", confirm_skip_level: bool = False
) -> Promotion:
    with atomic():
        promotion = _locked(promotion)
        check_gm_reviewer(actor, promotion)
        if promotion.state == S.NOMINATED and promotion.skip_level and not confirm_skip_level:
            raise PolicyViolation(
                _(
                    "This is a skip-level application (%(from)s → %(to)s): approving it needs the explicit skip-level confirmation."
                ),
                code="skip_level_not_confirmed",
                rule="PROMO-1",
                params={
                    "from": Level(promotion.from_level).label,
                    "to": Level(promotion.target_level).label,
                },
            )
        from_state, to_state = transition(promotion, "approve", action="approve")
        save_changed(promotion)
        rules = ["PROMO-3"] + (["PROMO-1"] if promotion.skip_level else [])
        _log(
            promotion,
            "approve",
            actor,
            from_state,
            to_state,
            rules,
            comment or "",
            {"confirm_skip_level": bool(confirm_skip_level)},
        )
    return promotion


def promotion_reject(*, promotion: Promotion, actor, reason: str) -> Promotion:
    reason = _required_text(reason, field="reason", rule="PROMO-3")
    return _decide(
        promotion,
        actor,
        check=check_gm_reviewer,
        method="reject",
        action="reject",
        rules=["PROMO-3", "PROMO-6"],
        comment=reason,
    )


def promotion_send_back(*, promotion: Promotion, actor, reason: str) -> Promotion:
    reason = _required_text(reason, field="reason", rule="PROMO-3")
    return _decide(
        promotion,
        actor,
        check=check_gm_reviewer,
        method="send_back",
        action="send-back",
        rules=["PROMO-3"],
        comment=reason,
    )


# --- withdrawal (PROMO-4) ---------------------------------------------------------------------


def promotion_withdraw(*, promotion: Promotion, actor, reason: str = "") -> Promotion:
    with atomic():
        promotion = _locked(promotion)
        perms.require_owner(actor, promotion, rule="PROMO-4")
        if promotion.state == S.WITHDRAWN:
            raise state_conflict(promotion, "withdraw")
        if promotion.state not in (S.SUBMITTED, S.NOMINATED):
            raise PolicyViolation(
                _(
                    "The application can only be withdrawn until the GM review is decided; it is now “%(state)s”."
                ),
                code="withdraw_too_late",
                rule="PROMO-4",
                params={"state": promotion.get_state_display()},
            )
        from_state, to_state = transition(promotion, "withdraw", action="withdraw")
        promotion.closed_at = timezone.now()
        save_changed(promotion)
        _log(
            promotion, "withdraw", actor, from_state, to_state, ["PROMO-4"], (reason or "").strip()
        )
    return promotion


# Defence and confirmation live in their own module; callers use them from here too.
from .defence import (  # noqa: E402
    check_administration,
    defence_summary,
    promotion_confirm,
    promotion_schedule_defence,
    promotion_score_defence,
    promotion_take_effect,
)

__all__ = [
    "check_administration",
    "check_gm_reviewer",
    "check_nominator",
    "check_voter",
    "ballots_of",
    "tally_is_countable",
    "vote_is_open",
    "defence_summary",
    "nominator_is_gm_office",
    "promotion_approve",
    "promotion_close_vote",
    "promotion_confirm",
    "promotion_decline",
    "promotion_nominate",
    "promotion_open_vote",
    "promotion_reject",
    "promotion_schedule_defence",
    "promotion_score_defence",
    "promotion_send_back",
    "promotion_submit",
    "promotion_take_effect",
    "promotion_vote",
    "promotion_withdraw",
]
