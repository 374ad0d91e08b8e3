"""The GM office's decision, administration's confirmation and the outcome taking effect
(PROB-2, PROB-3, PROB-4 effective date, ORG-3). An approved extension reopens the assessment with
the new end date; a conversion makes the employee a junior agent on the effective date; an end of
employment closes the login on it."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.db import atomic, save_changed
from approvals.errors import InvalidInput, PolicyViolation, StateConflict
from approvals.fsm import transition
from org.levels import Level
from org.models import Employee
from org.services import change_level

from . import common
from .models import Outcome, Probation

S = common.S


# --- the GM office's decision ------------------------------------------------------------------


def check_approver(actor, probation: Probation) -> None:
    common.check_gm(actor, probation)
    if probation.state != S.AWAITING_APPROVAL:
        raise common.conflict(probation, "approve")


def probation_approve(*, probation: Probation, actor, comment=None) -> Probation:
    """PROB-2: company approval. An approved extension moves the end date and reopens the case
    for another assessment; a conversion or an end of employment goes to administration."""
    comment = common.optional_text(comment, field="comment")
    with atomic():
        probation = common.locked(probation)
        check_approver(actor, probation)
        if probation.outcome == Outcome.EXTEND:
            previous = probation.ends_on
            probation.ends_on = previous + relativedelta(months=probation.extend_months)
            probation.extended = True
            probation.early_applied_at = None
            from_state, to_state = transition(probation, "reopen", action="approve")
            data = {
                "outcome": probation.outcome,
                "from": previous.isoformat(),
                "ends_on": probation.ends_on.isoformat(),
            }
            probation.outcome = ""
            save_changed(probation)
            common.log(
                probation, "approve", actor, from_state, to_state, ["PROB-3"], comment, data=data
            )
            return probation
        from_state, to_state = transition(probation, "approve", action="approve")
        save_changed(probation)
        common.log(
            probation,
            "approve",
            actor,
            from_state,
            to_state,
            ["PROB-2"],
            comment,
            data={"outcome": probation.outcome},
        )
    return probation


def probation_reject(*, probation: Probation, actor, reason=None) -> Probation:
    """PROB-2: the GM office refuses the lead's proposal (reason required); the case goes back
    to the lead for another assessment (an early application lapses)."""
    reason = common.required_text(reason, field="reason", rule="PROB-2")
    with atomic():
        probation = common.locked(probation)
        check_approver(actor, probation)
        outcome = probation.outcome
        from_state, to_state = transition(probation, "reopen", action="reject")
        probation.outcome = ""
        probation.extend_months = None
        probation.early_applied_at = None
        save_changed(probation)
        common.log(
            probation,
            "reject",
            actor,
            from_state,
            to_state,
            ["PROB-2"],
            reason,
            data={"outcome": outcome},
        )
    return probation


# --- administration's confirmation and the outcome taking effect -----------------------------


def check_confirmer(actor, probation: Probation) -> None:
    common.check_administration(actor, probation)
    if probation.state != S.APPROVED:
        raise common.conflict(probation, "confirm")


def default_effective_date(probation: Probation, today: dt.date) -> dt.date:
    """A conversion takes effect at the end date (today for an early one, PROB-4); an end of
    employment on the day it is confirmed."""
    if probation.outcome == Outcome.CONVERT and not probation.early_applied_at:
        return max(probation.ends_on, today)
    return today


def probation_confirm(*, probation: Probation, actor, effective_date=None) -> Probation:
    """PROB-3: administration confirms the effective date of the approved outcome."""
    with atomic():
        probation = common.locked(probation)
        check_confirmer(actor, probation)
        today = timezone.localdate()
        effective_on = (
            common.parse_date(effective_date, field="effective_date")
            if effective_date
            else default_effective_date(probation, today)
        )
        if effective_on < today:
            raise InvalidInput(
                _("The effective date %(date)s is in the past."),
                code="effective_date_in_past",
                params={"date": effective_on.isoformat()},
                field="effective_date",
            )
        if (
            probation.outcome == Outcome.CONVERT
            and not probation.early_applied_at
            and effective_on < probation.ends_on
        ):
            raise PolicyViolation(
                _(
                    "Conversion before the end date %(date)s needs the employee's early "
                    "conversion application."
                ),
                code="before_end_date",
                rule="PROB-4",
                params={"date": probation.ends_on.isoformat()},
                field="effective_date",
            )
        from_state, to_state = transition(probation, "confirm", action="confirm")
        probation.effective_on = effective_on
        save_changed(probation)
        common.log(
            probation,
            "confirm",
            actor,
            from_state,
            to_state,
            ["PROB-3"],
            data={"outcome": probation.outcome, "effective_on": effective_on.isoformat()},
        )
    return probation


def probation_take_effect(*, probation: Probation, actor=None) -> Probation:
    """On the effective date: a conversion makes the employee a junior agent (level, base salary
    and history, ORG-3); an end of employment closes the employee's login (the records stay)."""
    with atomic():
        probation = common.locked(probation)
        if probation.state != S.CONFIRMED:
            raise common.conflict(probation, "take-effect")
        if probation.effective_on > timezone.localdate():
            raise StateConflict(
                _("The outcome takes effect on %(date)s."),
                code="not_yet_effective",
                params={"date": probation.effective_on.isoformat()},
            )
        employee = Employee.objects.select_for_update().get(pk=probation.employee_id)
        if probation.outcome == Outcome.CONVERT:
            salary = change_level(
                employee,
                Level.JUNIOR,
                effective_on=probation.effective_on,
                reason=f"probation #{probation.pk}",
            )
            from_state, to_state = transition(probation, "convert", action="take-effect")
            rules, data = ["PROB-3", "ORG-3"], {"level": Level.JUNIOR, "base_salary": str(salary)}
        else:
            user = employee.user
            user.is_active = False
            user.save(update_fields=["is_active"])
            from_state, to_state = transition(probation, "end", action="take-effect")
            rules, data = ["PROB-3"], {"outcome": probation.outcome}
        probation.closed_at = timezone.now()
        save_changed(probation)
        common.log(probation, "take-effect", actor, from_state, to_state, rules, data=data)
    return probation
