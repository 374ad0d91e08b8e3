"""Probation services (PROB-1..PROB-4): opening the case for a new hire, the trainer's exam,
the employee's early application and the lead's assessment (the GM office's decision and what
follows are in `outcome`). Each follows the recipe: lock, who may act, guard (a
PolicyViolation naming the rule and the figure), transition, save, audit."""

from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import permissions as perms
from approvals.db import atomic, save_changed
from approvals.delegation import on_behalf_of
from approvals.errors import InvalidInput, NotFound, PolicyViolation
from approvals.fsm import transition
from approvals.history import new_case
from approvals.inline import Inline
from org.levels import Level
from org.models import Employee
from policy.services import policy_in_force

from . import common
from .models import Outcome, Probation

S = common.S
EXAM_STATES = (S.IN_PROBATION, S.AWAITING_APPROVAL)
OPENED_REASON = "probation opened"


# --- PROB-1: every new hire starts in probation -------------------------------------------------


def probation_open(*, employee: Employee, actor=None) -> tuple[Probation, bool]:
    """PROB-1: the probation case of a probationer, with its end date (hire date + the policy's
    months). Idempotent: an employee has one probation; returns (case, created)."""
    with atomic():
        # The employee's row lock serialises two openings at once (two sweeps, a sweep and an
        # import): the second sees the first one's case.
        employee = (
            Employee.objects.select_for_update(of=("self",))
            .select_related("department")
            .get(pk=employee.pk)
        )
        existing = Probation.objects.filter(employee=employee).first()
        if existing is not None:
            return existing, False
        if employee.level != Level.PROBATIONER:
            raise PolicyViolation(
                _("Only a probationer has a probation; %(name)s is “%(level)s”."),
                code="not_a_probationer",
                rule="PROB-1",
                params={"name": employee.name, "level": employee.get_level_display() or "-"},
            )
        now = timezone.now()
        policy = policy_in_force(at=now)
        ends_on = employee.hired_on + relativedelta(months=policy.probation_months)
        probation = Probation.objects.create(
            employee=employee,
            department=employee.department,
            policy_version=policy.version,
            opened_at=now,
            hired_on=employee.hired_on,
            ends_on=ends_on,
            original_ends_on=ends_on,
        )
        new_case(probation)
        common.log(  # opens the assessment deadline (PROB-5)
            probation,
            "start-probation",
            actor,
            "",
            S.IN_PROBATION,
            ["PROB-1"],
            data={"hired_on": employee.hired_on.isoformat(), "ends_on": ends_on.isoformat()},
        )
    return probation, True


def trainees_without_probation():
    """Active probationers with no probation case yet (the backfill's work list, in every sweep).
    The level is written into the SQL (approvals.inline) so that the partial index of
    probationers (workflows_probationer_idx) serves it: the other employees are never read."""
    return (
        Employee.objects.filter(
            Inline(Q(level=Level.PROBATIONER)), user__is_active=True, probation__isnull=True
        )
        .select_related("department", "user")
        .order_by("pk")
    )


# --- PROB-2: the trainer's exam -----------------------------------------------------------------


def check_examiner(actor, probation: Probation) -> None:
    common.check_trainer(actor, probation)
    # Until the outcome is approved the exam may still be recorded (the lead may be waiting
    # for it after an extension, or the GM office may reject a proposal meanwhile).
    if probation.state not in EXAM_STATES or probation.exam_passed:
        raise common.conflict(probation, "record-exam")


def _passed(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise InvalidInput(
        _("Say whether the exam was passed (true or false)."),
        code="passed_required",
        rule="PROB-2",
        field="passed",
    )


def _score(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        score = Decimal(str(value))
    except (InvalidOperation, ValueError):
        score = None
    if score is None or not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise InvalidInput(
            _("The exam score must be a number from 0 to 100 (“%(value)s” given)."),
            code="invalid_score",
            rule="PROB-2",
            params={"value": value},
            field="score",
        )
    return score.quantize(Decimal("0.1"))


def probation_record_exam(*, probation: Probation, actor, passed=None, score=None, notes=None):
    """PROB-2: the trainer records the skills exam (a failed exam may be retaken)."""
    passed, score = _passed(passed), _score(score)
    notes = common.optional_text(notes, field="notes")
    with atomic():
        probation = common.locked(probation)
        check_examiner(actor, probation)
        probation.exam_passed = passed
        probation.exam_score = score
        probation.exam_notes = notes
        probation.exam_by = perms.employee_of(actor)
        probation.exam_at = timezone.now()
        save_changed(probation)
        common.log(
            probation,
            "record-exam",
            actor,
            probation.state,
            probation.state,
            ["PROB-2"],
            notes,
            data={"passed": passed, "score": str(score) if score is not None else None},
        )
    return probation


def exam_missing(probation: Probation):
    """What is wrong with the exam for a conversion, or None when it was passed."""
    if probation.exam_passed is None:
        return _("the skills exam has not been recorded")
    if not probation.exam_passed:
        return _("the skills exam was not passed")
    return None


# --- PROB-4: early conversion on the employee's application --------------------------------------


def early_missing(probation: Probation) -> list:
    """PROB-4: what keeps the employee from applying early (empty: eligible)."""
    missing = []
    months = common.probation_months(probation)
    if not months:
        missing.append(_("no monthly score recorded in probation yet"))
    not_a = [a for a in months if a.grade != "A"]
    if not_a:
        months_text = common.month_list(not_a, "grade")
        missing.append(
            common.Rendered(
                lambda: _("months below grade A: %(months)s") % {"months": str(months_text)}
            )
        )
    exam = exam_missing(probation)
    if exam is not None:
        missing.append(exam)
    return missing


def own_probation(actor) -> Probation:
    employee = perms.require_authenticated_employee(actor)
    probation = Probation.objects.filter(employee=employee).first()
    if probation is None:
        raise NotFound(_("You have no probation to convert."), code="no_probation", rule="PROB-4")
    return probation


def check_applicant(actor, probation: Probation) -> None:
    perms.require_owner(actor, probation, rule="PROB-4")
    if probation.state != S.IN_PROBATION or probation.early_applied_at is not None:
        raise common.conflict(probation, "apply-early")
    if timezone.localdate() >= probation.ends_on:
        raise PolicyViolation(
            _("Early conversion is applied for before the end date %(date)s."),
            code="probation_ended",
            rule="PROB-4",
            params={"date": probation.ends_on.isoformat()},
        )


def probation_apply_early(*, actor, statement=None) -> Probation:
    """PROB-4: the probationer applies for early conversion; same steps as a conversion."""
    statement = common.required_text(statement, field="statement", rule="PROB-4")
    with atomic():
        probation = common.locked(own_probation(actor))
        check_applicant(actor, probation)
        missing = early_missing(probation)
        if missing:
            raise PolicyViolation(
                _(
                    "Early conversion needs grade A in every probation month and a passed "
                    "skills exam; missing: %(missing)s."
                ),
                code="not_eligible",
                rule="PROB-4",
                params={"missing": common.Rendered(lambda: "; ".join(str(m) for m in missing))},
            )
        probation.early_applied_at = timezone.now()
        probation.early_statement = statement
        save_changed(probation)
        common.log(
            probation, "apply-early", actor, probation.state, probation.state, ["PROB-4"], statement
        )
    return probation


# --- PROB-2/3: the lead's assessment ---------------------------------------------------------------


def check_assessor(actor, probation: Probation):
    principal = common.check_lead(actor, probation)
    if probation.state != S.IN_PROBATION:
        raise common.conflict(probation, "assess")
    return principal


def check_extender(actor, probation: Probation):
    principal = check_assessor(actor, probation)
    if probation.extended:
        raise PolicyViolation(
            _("Probation can be extended once; it was already extended to %(date)s."),
            code="already_extended",
            rule="PROB-3",
            params={"date": probation.ends_on.isoformat()},
        )
    return principal


def _record_assessment(probation, actor, principal, outcome, reason, *, action, rules, data=None):
    from_state, to_state = transition(probation, "assess", action=action)
    probation.outcome = outcome
    probation.outcome_reason = reason
    probation.assessed_by = principal or perms.employee_of(actor)
    probation.assessed_at = timezone.now()
    save_changed(probation)
    common.log(
        probation,
        action,
        actor,
        from_state,
        to_state,
        rules,
        reason,
        data={"outcome": outcome, **(data or {})},
        on_behalf_of=on_behalf_of(actor, principal) if principal else None,
    )


def probation_assess(*, probation: Probation, actor, outcome=None, reason=None) -> Probation:
    """PROB-2/3: the lead proposes to convert (exam passed; a reason when a probation month is
    below tier 2) or to end employment (reason required); the GM office decides."""
    if outcome not in (Outcome.CONVERT, Outcome.END):
        raise InvalidInput(
            _("The assessment outcome is “convert” or “end” (to extend, use extend)."),
            code="invalid_outcome",
            rule="PROB-3",
            field="outcome",
        )
    reason = common.optional_text(reason, field="reason")
    with atomic():
        probation = common.locked(probation)
        principal = check_assessor(actor, probation)
        rules, data = ["PROB-2", "PROB-3"], {}
        if outcome == Outcome.END:
            reason = common.required_text(reason, field="reason", rule="PROB-3")
        else:
            exam = exam_missing(probation)
            if exam is not None:
                raise PolicyViolation(
                    _("Conversion needs a passed skills exam: %(exam)s."),
                    code="exam_not_passed",
                    rule="PROB-2",
                    params={"exam": exam},
                )
            low = [a for a in common.probation_months(probation) if a.tier > 2]
            if low and not reason:
                raise PolicyViolation(
                    _(
                        "Probation months below tier 2: %(months)s; converting anyway needs "
                        "a written reason."
                    ),
                    code="reason_required_below_tier",
                    rule="PROB-2",
                    params={"months": common.month_list(low, "tier")},
                    field="reason",
                )
            probation.below_tier = bool(low)
            if low:
                data["below_tier"] = [f"{a.month:%Y-%m}" for a in low]
            if probation.early_applied_at:
                rules.append("PROB-4")
        _record_assessment(
            probation, actor, principal, outcome, reason, action="assess", rules=rules, data=data
        )
    return probation


def _months(value, maximum: int) -> int:
    try:
        months = int(value)
        if isinstance(value, bool) or str(months) != str(value).strip():
            raise ValueError
    except (TypeError, ValueError):
        months = None
    if months is None or not 1 <= months <= maximum:
        raise PolicyViolation(
            _("An extension is 1 to %(max)s months (“%(value)s” given)."),
            code="invalid_extension",
            rule="PROB-3",
            params={"max": maximum, "value": value},
            field="months",
        )
    return months


def probation_extend(*, probation: Probation, actor, months=None, reason=None) -> Probation:
    """PROB-3: the lead proposes to extend probation once, by up to the policy's maximum, with a
    reason; the GM office decides."""
    reason = common.required_text(reason, field="reason", rule="PROB-3")
    with atomic():
        probation = common.locked(probation)
        principal = check_extender(actor, probation)
        months = _months(months, common.policy_of(probation).probation_extend_max_months)
        probation.extend_months = months
        _record_assessment(
            probation,
            actor,
            principal,
            Outcome.EXTEND,
            reason,
            action="extend",
            rules=["PROB-3"],
            data={"months": months},
        )
    return probation
