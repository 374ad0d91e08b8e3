"""The month close (SCORE-10): every employee's score computed once from the month's events (or
the imported score kept where there are none), graded (SCORE-4, SCORE-5) and frozen.

Idempotent: closing again closes only what was not closed. A constant number of statements
whatever the number of employees: the people, their events and their assessments are read in
one query each, the rows written in bulk, and the close is one audit event naming every score
it froze.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import audit.services as audit
from approvals import permissions as perms
from approvals.errors import NotAllowed, PolicyViolation, StateConflict
from org.models import Employee

from .alerts import alerts_raise
from .ledger import ADMINISTRATION, _coded_events, _label, _month_policy
from .models import Assessment
from .scoring import month_score
from .services import _checked_month

# --- the close (SCORE-10) -----------------------------------------------------------------------


@dataclass
class CloseReport:
    month: dt.date
    computed: int = 0  # scores computed from events (or the base, for a month with none)
    kept: int = 0  # imported scores kept and frozen
    already: int = 0  # closed before: left as they were
    scores: dict = field(default_factory=dict)  # employee pk -> score frozen by this close

    @property
    def closed(self) -> int:
        return self.computed + self.kept


def _check_close_allowed(actor, month: dt.date, policy) -> None:
    today = timezone.localdate()
    following = (month + dt.timedelta(days=32)).replace(day=1)
    if today < following:
        raise PolicyViolation(
            _("%(month)s has not ended yet."),
            code="month_not_ended",
            rule="SCORE-10",
            params={"month": _label(month)},
        )
    if actor is None:
        due = policy.month_close_on(month)
        if today < due:
            raise PolicyViolation(
                _("%(month)s closes by itself on %(date)s; only administration closes it earlier."),
                code="close_not_due",
                rule="SCORE-10",
                params={"month": _label(month), "date": due.isoformat()},
            )
    elif not perms.has_role(actor, ADMINISTRATION):
        raise NotAllowed(
            _("Only administration closes a month."), code="wrong_role", rule="SCORE-10"
        )


def month_close(*, actor=None, month: dt.date, department=None) -> CloseReport:
    """SCORE-10: close `month` (of one department, or the whole company): each employee hired by
    its end and on the ladder (or with events) gets the month's score computed once from its
    events, graded and frozen; an imported score stands where there are no events. `actor`:
    administration (any day after the month ended), None for the scheduler (from the policy's
    close day). Closing again closes only what was not closed; nothing else changes."""
    month = _checked_month(month)
    policy = _month_policy(month)
    _check_close_allowed(actor, month, policy)
    end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    report = CloseReport(month=month)
    with transaction.atomic():
        people = Employee.objects.select_for_update().filter(hired_on__lte=end)
        if department is not None:
            people = people.filter(department=department)
        people = list(people.order_by("pk").only("pk", "name", "level"))
        ids = [p.pk for p in people]
        events: dict[int, list] = {}
        for event in _coded_events(ids, month).order_by("pk"):
            events.setdefault(event.employee_id, []).append(event)
        existing = {
            a.employee_id: a for a in Assessment.objects.filter(employee_id__in=ids, month=month)
        }
        both = [p.name for p in people if p.pk in events and _imported(existing.get(p.pk))]
        if both:
            raise StateConflict(
                _(
                    "%(count)s employees have both an imported score and events in %(month)s: "
                    "%(names)s."
                ),
                code="import_and_events",
                rule="SCORE-10",
                params={"count": len(both), "month": _label(month), "names": ", ".join(both)},
            )
        now = timezone.now()
        user = actor if getattr(actor, "is_authenticated", False) else None
        create, update = [], []
        for person in people:
            row = existing.get(person.pk)
            if row is not None and row.closed_at is not None:
                report.already += 1
                continue
            if row is not None and person.pk not in events:
                row.closed_at, row.closed_by = now, user
                update.append(row)
                report.kept += 1
                report.scores[person.pk] = str(row.score)
                continue
            if person.level is None and person.pk not in events:
                continue  # staff off the ladder with nothing recorded: no month to score
            result = month_score(policy, events.get(person.pk, []))
            values = {
                "score": result.score,
                "tier": result.tier,
                "grade": result.grade,
                "policy_version": policy.version,
                "source": Assessment.Source.EVENTS,
                "closed_at": now,
                "closed_by": user,
                "updated_at": now,
            }
            if row is None:
                create.append(Assessment(employee_id=person.pk, month=month, **values))
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                update.append(row)
            report.computed += 1
            report.scores[person.pk] = str(result.score)
        Assessment.objects.bulk_create(create, batch_size=1000)
        Assessment.objects.bulk_update(
            update,
            ["score", "tier", "grade", "policy_version", "source", "closed_at", "closed_by",
             "updated_at"],
            batch_size=1000,
        )  # fmt: skip
        if report.closed:
            # SCORE-7/11: the alerts of the scores frozen now, stored and told in this
            # transaction (a close that fails raises none).
            alerts_raise(month=month, employees=list(report.scores))
            audit.record(
                case_type="ledger_month",
                case_id=month.year * 100 + month.month,
                action="close",
                actor=user,
                rules=["SCORE-10", "SCORE-4", "SCORE-5"],
                policy_version=policy.version,
                data={
                    "month": _label(month),
                    "department": getattr(department, "pk", None),
                    "computed": report.computed,
                    "kept": report.kept,
                    "scores": {str(k): v for k, v in report.scores.items()},
                },
            )
    return report


def _imported(row: Assessment | None) -> bool:
    return row is not None and row.source != Assessment.Source.EVENTS
