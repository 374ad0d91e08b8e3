"""Promotion services: every state change of a promotion case goes through one of these.

Each follows the house recipe: transaction, row lock, who-may-act, the FSM transition with its
policy guard (a PolicyViolation naming the rule and the figure), save, audit, notify on commit.
Views, the API and the flow all call these; none calls the model's transition methods.
Rules: ORG-3, PROMO-1 .. PROMO-6.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from approvals import eligibility as eligibility_rules
from approvals import permissions as perms
from approvals.deadlines import deadlines_move
from approvals.errors import InvalidInput, NotAllowed, PolicyViolation, StateConflict
from approvals.fsm import state_conflict, transition
from approvals.history import record_transition
from org.levels import LADDER, Level, Role, rank
from org.models import Employee, LevelHistory
from policy.services import policy_in_force

from .models import (
    OPEN_STATES,
    REFUSED_STATES,
    DefenceScore,
    Promotion,
    PromotionState,
    VoteParticipation,
)

S = PromotionState

# The step each state waits for; each has a response time (PROMO-5, default 3 working days).
WAITING_STEPS = {
    S.SUBMITTED: "nomination",
    S.NOMINATED: "gm_review",
    S.APPROVED: "administration",
    S.DEFENCE_PASSED: "confirmation",
}


# --- helpers ----------------------------------------------------------------------------------


def _locked(promotion: Promotion) -> Promotion:
    """Re-read the case under a row lock; everything after sees the committed state."""
    return (
        Promotion.objects.select_for_update()
        .select_related("employee__user", "department")
        .get(pk=promotion.pk)
    )


def _policy(promotion: Promotion):
    """A request is judged by the policy version in force when it was submitted."""
    return policy_in_force(at=promotion.submitted_at)


def _required_text(value, *, field: str, rule: str | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(
            _("A written %(field)s is required."),
            code=f"{field}_required",
            rule=rule,
            params={"field": _FIELD_LABELS.get(field, field)},
            field=field,
        )
    return text


_FIELD_LABELS = {
    "reason": _("reason"),
    "statement": _("statement"),
    "skip_level_reason": _("justification for skip-level promotion"),
    "comment": _("comment"),
}


def _log(promotion, action, actor, from_state, to_state, rules, comment="", data=None, notify=True):
    if from_state != to_state:
        policy = _policy(promotion)
        deadlines_move(
            case_type="promotion",
            case_id=promotion.pk,
            waiting=WAITING_STEPS,
            from_state=from_state,
            to_state=to_state,
            days=policy.review_days,
            mode=policy.review_day_mode,
        )
    record_transition(
        case=promotion,
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        rules=rules,
        policy_version=promotion.policy_version,
        comment=comment,
        data=data,
        notify=notify,
    )


def nominator_is_gm_office(promotion: Promotion) -> bool:
    """PROMO-4: a department lead's own application (or one from a department without a lead) is
    nominated by the GM office instead of the lead."""
    lead_id = promotion.department.lead_id
    return lead_id is None or lead_id == promotion.employee_id


# --- submission -------------------------------------------------------------------------------


def _eligibility_snapshot(employee: Employee, target_level: str, at) -> tuple[bool, dict]:
    """Evaluate PROMO-2 and keep the evidence, with the reasons in both catalog languages so the
    case shows them in the reader's language later."""
    reasons = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            result = eligibility_rules.evaluate(employee, target_level, at=at)
            reasons[language] = [str(r) for r in result.reasons]
    snapshot = {
        "eligible": result.eligible,
        "rule": result.rule,
        "months": result.months,
        "reasons": reasons,
    }
    return result.eligible, snapshot


def _cooldown_until(employee: Employee, target_level: str, policy) -> dt.date | None:
    """PROMO-6: after a refusal, the same level may be applied for again after the cool-down."""
    last = (
        Promotion.objects.filter(
            employee=employee, target_level=target_level, state__in=REFUSED_STATES
        )
        .order_by("-closed_at")
        .values_list("closed_at", flat=True)
        .first()
    )
    if last is None:
        return None
    until = timezone.localtime(last).date() + relativedelta(months=policy.cooldown_months)
    return until if timezone.localdate() < until else None


def promotion_submit(
    *, actor, target_level: str, statement: str, skip_level_reason: str | None = None
) -> Promotion:
    """PROMO-3.1 self-application; PROMO-1 skip-level; PROMO-2 eligibility; PROMO-6 cool-down."""
    employee = perms.require_authenticated_employee(actor)
    statement = _required_text(statement, field="statement", rule="PROMO-3")
    if target_level not in LADDER:
        raise InvalidInput(
            _("Unknown level “%(level)s”."),
            code="unknown_level",
            params={"level": target_level},
            field="target_level",
        )
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
            params={"target": Level(target_level).label, "current": Level(employee.level).label},
        )
    if target_level == Level.JUNIOR:
        raise PolicyViolation(
            _("Becoming a junior agent is decided by probation conversion, not by promotion."),
            code="use_probation_conversion",
            rule="PROMO-2",
        )
    now = timezone.now()
    policy = policy_in_force(at=now)

    with transaction.atomic():
        # Serialise applications of one employee: lock their row while checking for open cases.
        Employee.objects.select_for_update().filter(pk=employee.pk).exists()
        if Promotion.objects.filter(employee=employee, state__in=OPEN_STATES).exists():
            raise PolicyViolation(
                _("You already have an open promotion application."),
                code="application_open",
                rule="PROMO-3",
            )
        until = _cooldown_until(employee, target_level, policy)
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


def check_nominator(actor, promotion: Promotion) -> None:
    perms.require_not_own(actor, promotion, rule="PROMO-4")
    if nominator_is_gm_office(promotion):
        perms.require_role(actor, Role.GM_OFFICE, rule="PROMO-4")
        return
    employee = perms.employee_of(actor)
    if employee is None or promotion.department.lead_id != employee.pk:
        raise NotAllowed(
            _("Only the lead of %(department)s nominates this application."),
            code="wrong_role",
            rule="PROMO-3",
            params={"department": promotion.department.name},
        )


def _vote_is_open(promotion: Promotion) -> bool:
    return promotion.vote_opened_at is not None and promotion.vote_closed_at is None


def promotion_open_vote(*, promotion: Promotion, actor) -> Promotion:
    with transaction.atomic():
        promotion = _locked(promotion)
        check_nominator(actor, promotion)
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
        _log(promotion, "open-vote", actor, promotion.state, promotion.state, ["PROMO-3"])
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
    the participation row records that the voter voted, not how, and the audit event neither."""
    if not isinstance(support, bool):
        raise InvalidInput(_("“support” must be true or false."), code="invalid", field="support")
    with transaction.atomic():
        promotion = _locked(promotion)
        voter = check_voter(actor, promotion)
        if not _vote_is_open(promotion):
            raise StateConflict(
                _("The department vote is not open."), code="vote_closed", rule="PROMO-3"
            )
        try:
            with transaction.atomic():
                VoteParticipation.objects.create(promotion=promotion, voter=voter)
        except IntegrityError:
            raise PolicyViolation(
                _("You have already voted on this application."),
                code="already_voted",
                rule="PROMO-3",
            ) from None
        counter = "votes_for" if support else "votes_against"
        Promotion.objects.filter(pk=promotion.pk).update(**{counter: F(counter) + 1})
        promotion.refresh_from_db(fields=["votes_for", "votes_against"])
        _log(promotion, "vote", actor, promotion.state, promotion.state, ["PROMO-3"], notify=False)
    return promotion


def _close_vote(promotion: Promotion, actor) -> None:
    promotion.vote_closed_at = timezone.now()
    promotion.save(update_fields=["vote_closed_at"])
    _log(
        promotion,
        "close-vote",
        actor,
        promotion.state,
        promotion.state,
        ["PROMO-3"],
        data={"for": promotion.votes_for, "against": promotion.votes_against},
    )


def promotion_close_vote(*, promotion: Promotion, actor) -> Promotion:
    with transaction.atomic():
        promotion = _locked(promotion)
        check_nominator(actor, promotion)
        if not _vote_is_open(promotion):
            raise StateConflict(
                _("The department vote is not open."), code="vote_closed", rule="PROMO-3"
            )
        _close_vote(promotion, actor)
    return promotion


def _decide(
    promotion, actor, *, check, method: str, action: str, rules: list[str], comment: str = ""
):
    """The common shape of a reviewer's decision: lock, who may act, end an open vote (its tally
    is advisory), transition, close the case if the decision ends it, save, log."""
    with transaction.atomic():
        promotion = _locked(promotion)
        check(actor, promotion)
        if _vote_is_open(promotion):
            _close_vote(promotion, actor)
        from_state, to_state = transition(promotion, method, action=action)
        if to_state not in OPEN_STATES:
            promotion.closed_at = timezone.now()
        promotion.save()
        _log(promotion, action, actor, from_state, to_state, rules, comment or "")
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
    perms.require_role(actor, Role.GM_OFFICE, rule="PROMO-3")


def promotion_approve(
    *, promotion: Promotion, actor, comment: str = "", confirm_skip_level: bool = False
) -> Promotion:
    with transaction.atomic():
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
        promotion.save()
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
    with transaction.atomic():
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
        promotion.save()
        _log(
            promotion, "withdraw", actor, from_state, to_state, ["PROMO-4"], (reason or "").strip()
        )
    return promotion


# --- defence (PROMO-3.4) ----------------------------------------------------------------------


def check_administration(actor, promotion: Promotion) -> None:
    perms.require_not_own(actor, promotion, rule="PROMO-4")
    perms.require_role(actor, Role.ADMINISTRATION, rule="PROMO-3")


def _parse_datetime(value, *, field: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = dt.datetime.fromisoformat(str(value))
        except (TypeError, ValueError):
            raise InvalidInput(
                _("“%(value)s” is not a date and time (ISO 8601)."),
                code="invalid_datetime",
                params={"value": value},
                field=field,
            ) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def promotion_schedule_defence(*, promotion: Promotion, actor, at, panel: list[int]) -> Promotion:
    at = _parse_datetime(at, field="at")
    if at < timezone.now():
        raise InvalidInput(
            _("The defence cannot be scheduled in the past (%(at)s)."),
            code="defence_in_past",
            params={"at": timezone.localtime(at).isoformat()},
            field="at",
        )
    try:
        panel_ids = list(dict.fromkeys(int(pk) for pk in panel or []))
    except (TypeError, ValueError):
        raise InvalidInput(
            _("The panel is a list of employee ids."), code="invalid", field="panel"
        ) from None
    with transaction.atomic():
        promotion = _locked(promotion)
        check_administration(actor, promotion)
        policy = _policy(promotion)
        if promotion.state != S.APPROVED:
            raise state_conflict(promotion, "schedule-defence")
        members = list(Employee.objects.filter(pk__in=panel_ids).select_related("user"))
        unknown = set(panel_ids) - {m.pk for m in members}
        if unknown:
            raise InvalidInput(
                _("Unknown employees in the panel: %(ids)s."),
                code="unknown_panelist",
                params={"ids": ", ".join(map(str, sorted(unknown)))},
                field="panel",
            )
        for member in members:
            if member.pk == promotion.employee_id:
                raise NotAllowed(
                    _("The applicant cannot sit on their own defence panel."),
                    code="own_request",
                    rule="PROMO-4",
                )
            if not member.user.has_perm(f"org.{Role.DEFENCE_PANEL}"):
                raise PolicyViolation(
                    _("%(name)s is not a defence panel member."),
                    code="not_a_panelist",
                    rule="PROMO-3",
                    params={"name": member.name},
                    field="panel",
                )
        if len(members) < policy.defence_min_scores:
            raise PolicyViolation(
                _("A defence needs a panel of at least %(min)s members; %(count)s given."),
                code="panel_too_small",
                rule="PROMO-3",
                params={"min": policy.defence_min_scores, "count": len(members)},
                field="panel",
            )
        from_state, to_state = transition(promotion, "schedule_defence", action="schedule-defence")
        promotion.defence_at = at
        promotion.save()
        DefenceScore.objects.bulk_create(
            DefenceScore(promotion=promotion, panelist=m) for m in members
        )
        _log(
            promotion,
            "schedule-defence",
            actor,
            from_state,
            to_state,
            ["PROMO-3"],
            data={"at": at.isoformat(), "panel": [m.pk for m in members]},
        )
    return promotion


def promotion_score_defence(*, promotion: Promotion, actor, score, notes: str = "") -> Promotion:
    try:
        value = Decimal(str(score))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or not (0 <= value <= 100):
        raise InvalidInput(
            _("A defence score is a number from 0 to 100; got “%(score)s”."),
            code="invalid_score",
            rule="PROMO-3",
            params={"score": score},
            field="score",
        )
    with transaction.atomic():
        promotion = _locked(promotion)
        perms.require_not_own(actor, promotion, rule="PROMO-4")
        employee = perms.employee_of(actor)
        seat = (
            DefenceScore.objects.select_for_update()
            .filter(promotion=promotion, panelist=employee)
            .first()
            if employee
            else None
        )
        if seat is None:
            raise NotAllowed(
                _("Only members of this defence panel record scores."),
                code="not_on_panel",
                rule="PROMO-3",
            )
        if promotion.state != S.DEFENCE_SCHEDULED:
            raise state_conflict(promotion, "score-defence")
        if seat.score is not None:
            raise StateConflict(
                _("You have already scored this defence."), code="already_scored", rule="PROMO-3"
            )
        seat.score = value.quantize(Decimal("0.1"))
        seat.notes = (notes or "").strip()
        seat.scored_at = timezone.now()
        seat.save()
        _log(
            promotion,
            "score-defence",
            actor,
            promotion.state,
            promotion.state,
            ["PROMO-3"],
            notify=False,
        )
        _conclude_defence_if_complete(promotion)
    return promotion


def defence_summary(promotion: Promotion, scores=None) -> dict:
    """Panel size, scores recorded, mean and whether it passes (PROMO-3.4)."""
    policy = _policy(promotion)
    if scores is None:
        scores = list(promotion.scores.all())
    recorded = [s.score for s in scores if s.score is not None]
    mean = (sum(recorded) / len(recorded)).quantize(Decimal("0.01")) if recorded else None
    passed = None
    if scores and len(recorded) == len(scores):
        passed = len(recorded) >= policy.defence_min_scores and mean >= policy.defence_pass_mark
    return {
        "panel": len(scores),
        "scores_count": len(recorded),
        "mean": mean,
        "passed": passed,
        "min_scores": policy.defence_min_scores,
        "pass_mark": policy.defence_pass_mark,
    }


def _conclude_defence_if_complete(promotion: Promotion) -> None:
    summary = defence_summary(promotion)
    if summary["passed"] is None:
        return
    method = "pass_defence" if summary["passed"] else "fail_defence"
    from_state, to_state = transition(promotion, method)
    if not summary["passed"]:
        promotion.closed_at = timezone.now()
    promotion.save()
    _log(
        promotion,
        method.replace("_", "-"),
        None,
        from_state,
        to_state,
        ["PROMO-3"],
        data={
            "mean": summary["mean"],
            "scores": summary["scores_count"],
            "pass_mark": summary["pass_mark"],
        },
    )


# --- confirmation and taking effect (PROMO-3.5, ORG-3) ----------------------------------------


def _parse_date(value, *, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise InvalidInput(
            _("“%(value)s” is not a date (YYYY-MM-DD)."),
            code="invalid_date",
            params={"value": value},
            field=field,
        ) from None


def promotion_confirm(*, promotion: Promotion, actor, effective_date=None) -> Promotion:
    with transaction.atomic():
        promotion = _locked(promotion)
        check_administration(actor, promotion)
        policy = _policy(promotion)
        if promotion.state == S.DEFENCE_SCHEDULED:
            summary = defence_summary(promotion)
            raise PolicyViolation(
                _(
                    "The defence has %(count)s of the %(min)s panel scores it needs; it cannot be confirmed yet."
                ),
                code="defence_incomplete",
                rule="PROMO-3",
                params={
                    "count": summary["scores_count"],
                    "min": max(policy.defence_min_scores, summary["panel"]),
                },
            )
        if promotion.state == S.APPROVED and policy.defence_required(promotion.target_level):
            raise PolicyViolation(
                _("Promotion to %(level)s requires a defence before confirmation."),
                code="defence_required",
                rule="PROMO-3",
                params={"level": Level(promotion.target_level).label},
            )
        today = timezone.localdate()
        effective_on = (
            _parse_date(effective_date, field="effective_date")
            if effective_date
            else policy.default_effective_date(today)
        )
        if effective_on < today:
            raise InvalidInput(
                _("The effective date %(date)s is in the past."),
                code="effective_date_in_past",
                params={"date": effective_on.isoformat()},
                field="effective_date",
            )
        from_state, to_state = transition(promotion, "confirm", action="confirm")
        promotion.effective_on = effective_on
        promotion.save()
        _log(
            promotion,
            "confirm",
            actor,
            from_state,
            to_state,
            ["PROMO-3"],
            data={"effective_on": effective_on.isoformat()},
        )
    return promotion


def promotion_take_effect(*, promotion: Promotion, actor=None) -> Promotion:
    """On the effective date the level and base salary change and the history shows it (ORG-3)."""
    with transaction.atomic():
        promotion = _locked(promotion)
        if promotion.state != S.CONFIRMED:
            raise state_conflict(promotion, "take-effect")
        if promotion.effective_on > timezone.localdate():
            raise PolicyViolation(
                _("The promotion takes effect on %(date)s."),
                code="not_yet_effective",
                rule="PROMO-3",
                params={"date": promotion.effective_on.isoformat()},
            )
        employee = Employee.objects.select_for_update().get(pk=promotion.employee_id)
        salary = policy_in_force(
            at=timezone.make_aware(dt.datetime.combine(promotion.effective_on, dt.time.min))
        ).salary_for(promotion.target_level)
        LevelHistory.objects.create(
            employee=employee,
            from_level=employee.level,
            to_level=promotion.target_level,
            base_salary=salary,
            effective_on=promotion.effective_on,
            reason=f"promotion #{promotion.pk}",
        )
        employee.level = promotion.target_level
        employee.base_salary = salary
        employee.save(update_fields=["level", "base_salary"])
        from_state, to_state = transition(promotion, "take_effect", action="take-effect")
        promotion.closed_at = timezone.now()
        promotion.save()
        _log(
            promotion,
            "take-effect",
            actor,
            from_state,
            to_state,
            ["PROMO-3", "ORG-3"],
            data={"level": promotion.target_level, "base_salary": str(salary)},
        )
    return promotion
