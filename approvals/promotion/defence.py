"""Promotion defence (PROMO-3.4), confirmation and taking effect (PROMO-3.5, ORG-3)."""

from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import permissions as perms
from approvals import routing
from approvals.db import atomic, save_changed
from approvals.errors import InvalidInput, NotAllowed, PolicyViolation, StateConflict
from approvals.fsm import state_conflict, transition
from approvals.inputs import local_minute
from org.levels import Level, Role
from org.models import Employee
from org.services import change_level

from .common import S, _locked, _log, _parse_date, _parse_datetime, _policy
from .models import DefenceScore, Promotion

# --- defence (PROMO-3.4) ----------------------------------------------------------------------


def check_administration(actor, promotion: Promotion) -> None:
    perms.require_not_own(actor, promotion, rule="PROMO-4")
    routing.require_deciding_role(actor, Role.ADMINISTRATION, case=promotion, rule="PROMO-3")


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
    with atomic():
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
        save_changed(promotion)
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
    with atomic():
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
        if timezone.now() < promotion.defence_at:
            raise PolicyViolation(
                _("The defence takes place at %(at)s; it can only be scored from then on."),
                code="defence_not_held",
                rule="PROMO-3",
                params={"at": local_minute(promotion.defence_at)},
            )
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
    save_changed(promotion)
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


def promotion_confirm(*, promotion: Promotion, actor, effective_date=None) -> Promotion:
    with atomic():
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
        save_changed(promotion)
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
    with atomic():
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
        employee = promotion.employee  # locked with the case (_locked)
        salary = change_level(
            employee,
            promotion.target_level,
            effective_on=promotion.effective_on,
            reason=f"promotion #{promotion.pk}",
        )
        from_state, to_state = transition(promotion, "take_effect", action="take-effect")
        promotion.closed_at = timezone.now()
        save_changed(promotion)
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
