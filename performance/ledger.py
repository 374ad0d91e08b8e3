"""The monthly ledger (SCORE-9, SCORE-10): events recorded on a month, its close, and the
adjustments that correct a closed month. Each is a service on the house recipe: lock, who may
act, the rule with its ID, save, audit.

- `ledger_record`: a trainer records events of their department's agents, the department lead
  events of its trainers (SCORE-9, seed 001 "培训专员的考核由主管评分"); nobody records about
  themselves; the code and its points come from the catalogue of the month's policy; a closed
  month, or one standing on an imported final score, takes no event (SCORE-10).
- `month_close` (performance/ledger_close.py): every employee's score computed once from the month's events (or the imported
  score kept where there are none), graded, frozen. Idempotent; a constant number of statements
  whatever the number of employees (bulk reads and writes, one audit event per close).
- `ledger_adjust`: after close, administration corrects a month with a reason; the month is
  recomputed from its events and the change is returned.

The running score of an open month is computed on read (`month_running_score`), never stored:
an Assessment row is a final figure (eligibility, probation and pay read it), written at close.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import audit.services as audit
from approvals import permissions as perms
from approvals.errors import InvalidInput, NotAllowed, PolicyViolation, StateConflict
from org.models import Employee
from org.roles import has_role
from policy.catalogue import CatalogueError
from policy.services import policy_by_code

from .alerts_downstream import adjustment_watch
from .models import Assessment, ScoreEvent
from .scoring import MonthScore, month_score
from .services import _checked_month, _policy_for

ADMINISTRATION, TRAINER = "administration", "trainer"
ADJUSTMENT = "adjustment"

# CatalogueError.code → the message shown for it (SCORE-9: points within the catalogue's range).
_POINTS_MESSAGES = {
    "points_required": _("%(code)s needs points within %(min)s..%(max)s."),
    "points_step": _("%(points)s is not a multiple of the score step %(step)s."),
    "points_out_of_range": _("%(points)s is outside the range of %(code)s, %(min)s..%(max)s."),
    "points_wrong_sign": _("%(points)s has the wrong sign for %(code)s."),
}


def _label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def _month_policy(month: dt.date):
    return _policy_for(month)


def _entry(policy, code: str):
    try:
        return policy.score_event(code)
    except LookupError:
        raise InvalidInput(
            _("%(code)s is not in the catalogue of policy %(version)s."),
            code="unknown_code",
            rule="SCORE-9",
            params={"code": code, "version": policy.version},
            field="code",
        ) from None


def _booked(entry, points) -> Decimal:
    """The signed points booked for what was entered, or PolicyViolation naming the figures."""
    try:
        return entry.booked(points)
    except CatalogueError as exc:
        raise PolicyViolation(
            _POINTS_MESSAGES[exc.code],
            code=exc.code,
            rule="SCORE-9",
            params=exc.params,
            field="points",
        ) from None
    except (TypeError, ArithmeticError, ValueError):
        raise InvalidInput(
            _("points %(value)s is not a number"),
            code="bad_points",
            params={"value": repr(points)},
            field="points",
        ) from None


def _text(value, *, code: str, rule: str, message) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(message, code=code, rule=rule, field=code.removesuffix("_required"))
    return text


def _locked_employee(employee: Employee) -> Employee:
    """The employee's row, locked: every write to one employee's ledger goes through it."""
    return Employee.objects.select_for_update().select_related("department").get(pk=employee.pk)


def _coded_events(employee_ids, month: dt.date | None):
    """The month's events (any month: None) that carry a catalogue code (a booking made before
    the catalogue with no code found for it stays out of the computation)."""
    events = ScoreEvent.objects.filter(employee_id__in=employee_ids).exclude(code="")
    return events if month is None else events.filter(month=month)


def _require_month_open(assessment: Assessment | None, month: dt.date) -> None:
    if assessment is not None and assessment.closed_at is not None:
        raise StateConflict(
            _("%(month)s is closed: a correction is an adjustment by administration."),
            code="month_closed",
            rule="SCORE-10",
            params={"month": _label(month)},
        )


def _require_no_import(assessment: Assessment | None, employee, month: dt.date) -> None:
    if assessment is not None and assessment.source != Assessment.Source.EVENTS:
        raise StateConflict(
            _(
                "%(month)s of %(employee)s stands on an imported final score (%(score)s): it "
                "cannot also have events."
            ),
            code="imported_score",
            rule="SCORE-10",
            params={"month": _label(month), "employee": employee.name, "score": assessment.score},
        )


# --- who records (SCORE-9) ----------------------------------------------------------------------


def check_recorder(actor, employee: Employee, entry) -> Employee:
    """SCORE-9: the actor's Employee when they may record `entry` about `employee`, else
    NotAllowed. Trainers record about agents of their department; the department's lead about
    its trainers; nobody about themselves. Team leads (组长) are not modelled separately: they
    are agents of the department, and the trainer records their −5..+5 (`recorded_by`)."""
    recorder = perms.require_authenticated_employee(actor)
    department = employee.department
    if recorder.pk == employee.pk:
        raise NotAllowed(
            _("Nobody records an event about themselves."), code="own_record", rule="SCORE-9"
        )
    if department.lead_id == employee.pk:
        raise NotAllowed(
            _("The ledger has no recorder for the lead of %(department)s."),
            code="no_recorder",
            rule="SCORE-9",
            params={"department": department.name},
        )
    if has_role(employee.user, TRAINER):
        if department.lead_id != recorder.pk:
            raise NotAllowed(
                _("Only the lead of %(department)s records events of its trainers."),
                code="not_recorder",
                rule="SCORE-9",
                params={"department": department.name},
            )
    elif not (perms.has_role(actor, TRAINER) and recorder.department_id == department.pk):
        raise NotAllowed(
            _("Only a trainer of %(department)s records events of its agents."),
            code="not_recorder",
            rule="SCORE-9",
            params={"department": department.name},
        )
    if entry.recorded_by == TRAINER and not perms.has_role(actor, TRAINER):
        raise NotAllowed(
            _("%(code)s is recorded by a trainer."),
            code="not_recorder",
            rule="SCORE-2",
            params={"code": entry.code},
        )
    return recorder


# --- an event (SCORE-9) -------------------------------------------------------------------------


def ledger_record(
    *,
    actor,
    employee: Employee,
    month: dt.date,
    code: str,
    points: Decimal | int | str | None = None,
    note: str,
    evidence: str | None = None,
) -> tuple[ScoreEvent, MonthScore]:
    """SCORE-9: record an event of the catalogue on the employee's open month; returns the event
    and the month's running score (SCORE-10's computation, not yet final).

    `points`: the figure as entered (a magnitude for bonuses and deductions, signed for a
    signed entry); None takes a fixed entry's figure."""
    month = _checked_month(month)
    policy = _month_policy(month)
    entry = _entry(policy, code)
    if entry.after_close:
        raise PolicyViolation(
            _("A correction is an adjustment, made by administration after the month closes."),
            code="adjustment_only_after_close",
            rule="SCORE-10",
            params={"code": code},
            field="code",
        )
    if entry.sanction:
        raise PolicyViolation(
            _("%(code)s is booked when a penalty becomes final, not by hand."),
            code="booked_by_penalty",
            rule="APPEAL-3",
            params={"code": code},
            field="code",
        )
    booked = _booked(entry, points)
    note = _text(note, code="note_required", rule="SCORE-9", message=_("A note is required."))
    with transaction.atomic():
        employee = _locked_employee(employee)
        check_recorder(actor, employee, entry)
        assessment = Assessment.objects.filter(employee=employee, month=month).first()
        _require_month_open(assessment, month)
        _require_no_import(assessment, employee, month)
        event = ScoreEvent.objects.create(
            employee=employee,
            month=month,
            code=code,
            points=booked,
            fine=entry.fine or Decimal(0),
            reason=note[:200],
            note=note,
            evidence=(evidence or "").strip(),
            source=f"ledger:{uuid.uuid4().hex}",
            booked_at=timezone.now(),
            recorded_by=actor,
            policy_version=policy.version,
        )
        running = month_score(policy, _coded_events([employee.pk], month))
        audit.record(
            case_type="score_event",
            case_id=event.pk,
            action="record",
            actor=actor,
            rules=["SCORE-9", *entry.rules],
            policy_version=policy.version,
            data={
                "employee": employee.pk,
                "month": _label(month),
                "code": code,
                "points": str(booked),
                "fine": str(event.fine),
                "running_score": str(running.score),
            },
        )
    return event, running


def month_running_score(*, employee: Employee, month: dt.date) -> MonthScore:
    """The month's score so far, from its events (what the employee sees while it fills)."""
    month = _checked_month(month)
    return month_score(_month_policy(month), _coded_events([employee.pk], month))


# --- an adjustment after close (SCORE-10) -------------------------------------------------------


@dataclass(frozen=True)
class Adjustment:
    event: ScoreEvent
    assessment: Assessment
    before: dict  # score, grade, tier before the adjustment
    after: dict

    @property
    def changed(self) -> dict:
        """What moved: name -> (before, after)."""
        return {
            k: (self.before[k], self.after[k])
            for k in self.before
            if self.before[k] != self.after[k]
        }


def _figures(row: Assessment) -> dict:
    return {"score": row.score, "grade": row.grade, "tier": row.tier}


def ledger_adjust(*, actor, employee: Employee, month: dt.date, points, reason: str) -> Adjustment:
    """SCORE-10: correct a closed month by `points` (signed), with a reason, by administration;
    the month is recomputed from its events under the policy it was closed under, and what
    changed is returned."""
    month = _checked_month(month)
    reason = _text(
        reason, code="reason_required", rule="SCORE-10", message=_("A reason is required.")
    )
    with transaction.atomic():
        employee = _locked_employee(employee)
        if not perms.has_role(actor, ADMINISTRATION):
            raise NotAllowed(
                _("Only administration corrects a closed month."),
                code="wrong_role",
                rule="SCORE-10",
            )
        if perms.employee_of(actor) is not None and perms.employee_of(actor).pk == employee.pk:
            raise NotAllowed(
                _("Nobody records an event about themselves."), code="own_record", rule="SCORE-9"
            )
        row = Assessment.objects.select_for_update().filter(employee=employee, month=month).first()
        if row is None or row.closed_at is None:
            raise StateConflict(
                _("%(month)s is not closed yet: record an event instead."),
                code="month_open",
                rule="SCORE-10",
                params={"month": _label(month)},
            )
        _require_no_import(row, employee, month)
        try:
            policy = policy_by_code(row.policy_version)
        except LookupError:
            policy = _month_policy(month)
        booked = _booked(_entry(policy, ADJUSTMENT), points)
        # Issue 13: what the month feeds (open promotions' eligibility, the probation, the
        # alerts), read before it moves and told after, in this transaction.
        watch = adjustment_watch(employee=employee, month=month)
        event = ScoreEvent.objects.create(
            employee=employee,
            month=month,
            code=ADJUSTMENT,
            kind=ScoreEvent.Kind.ADJUSTMENT,
            points=booked,
            reason=reason[:200],
            note=reason,
            source=f"adjustment:{uuid.uuid4().hex}",
            booked_at=timezone.now(),
            recorded_by=actor,
            policy_version=policy.version,
        )
        before = _figures(row)
        result = month_score(policy, _coded_events([employee.pk], month).order_by("pk"))
        row.score, row.grade, row.tier = result.score, result.grade, result.tier
        row.save(update_fields=["score", "grade", "tier", "updated_at"])
        after = _figures(row)
        audit.record(
            case_type="assessment",
            case_id=row.pk,
            action="adjust",
            actor=actor,
            rules=["SCORE-10", "SCORE-4", "SCORE-5"],
            policy_version=policy.version,
            comment=reason,
            data={
                "employee": employee.pk,
                "month": _label(month),
                "event": event.pk,
                "points": str(booked),
                "before": {k: str(v) for k, v in before.items()},
                "after": {k: str(v) for k, v in after.items()},
            },
        )
        adjustment = Adjustment(event=event, assessment=row, before=before, after=after)
        watch.after(adjustment, actor=actor)
    return adjustment


# --- an import against the ledger (SCORE-10) ----------------------------------------------------


def import_conflicts(rows, *, numbers: dict) -> list[str]:
    """SCORE-10: the import's rows (employee, month, score) whose month already has events in
    the ledger, or is closed, each as a line naming the row and the conflict (`numbers`:
    (username, month) -> row number). Two queries whatever the number of rows."""
    if not rows:
        return []
    ids = {employee.pk for employee, _month, _score in rows}
    months = {month for _employee, month, _score in rows}
    counts: dict = {}
    for key in (
        _coded_events(ids, None).filter(month__in=months).values_list("employee_id", "month")
    ):
        counts[key] = counts.get(key, 0) + 1
    closed = set(
        Assessment.objects.filter(
            employee_id__in=ids, month__in=months, closed_at__isnull=False
        ).values_list("employee_id", "month")
    )
    lines = []
    for employee, month, _score in rows:
        key = (employee.pk, month)
        if key in counts:
            problem = _(
                "%(month)s already has %(count)s events in the ledger: a month is made of "
                "either (SCORE-10)"
            ) % {"month": _label(month), "count": counts[key]}
        elif key in closed:
            problem = _("%(month)s is closed (SCORE-10)") % {"month": _label(month)}
        else:
            continue
        number = numbers[(employee.user.username, month)]
        lines.append(
            _("row %(row)s (%(username)s): %(problems)s")
            % {"row": number, "username": employee.user.username, "problems": problem}
        )
    return lines
