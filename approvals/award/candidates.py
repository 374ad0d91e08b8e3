"""AWARD-1: who may be the excellent employee of the month, and why (not).

A candidate is a regular employee of the department (on the ladder, converted: not a probationer,
ORG-1/PROB-1, hired by the month's end) with, in that month:
- no violation: no deduction booked to the month's ledger (SCORE-3, SCORE-9: bookings of final
  penalties APPEAL-3 and confirmed attendance findings ATT-3 included), no penalty made final in
  the month (PEN-1), no confirmed attendance finding on a shift of the month (ATT-2);
- no lateness: no confirmed late arrival or early leave (ATT-2, seed 002 "迟到早退");
- no sick or personal leave approved over any part of the month (LEAVE-1); maternity leave
  excludes too (seed 002 "孕假、产假之人员不得参与评选"); home-visit, marriage, annual (and
  compensatory) leave do not.

Readings: only approved leave counts (a pending or refused request was not taken); a finding
counts once confirmed (ATT-3: findings are proposals until then); a proposed or dismissed one
does not. Every employee of the department on the ladder is listed, each with their reasons.

The reads are one query each (people, ledger deductions, final penalties, confirmed findings,
approved leave): the same count for 5 and for 500 employees.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from approvals.attendance.models import Finding, FindingKind, FindingState
from approvals.leave.models import Leave, LeaveKind, LeaveState
from approvals.penalty.models import Penalty
from org.levels import Level
from org.models import Employee
from performance.models import ScoreEvent

EXCLUDING_LEAVE = {LeaveKind.SICK, LeaveKind.PERSONAL, LeaveKind.MATERNITY}
LATENESS = {FindingKind.LATE, FindingKind.EARLY}


@dataclass
class Reason:
    rule: str
    code: str
    message: object  # lazy, rendered in each language
    params: dict = field(default_factory=dict)
    excludes: bool = True

    def text(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


@dataclass
class Candidacy:
    employee: Employee
    reasons: list[Reason]

    @property
    def eligible(self) -> bool:
        return not any(r.excludes for r in self.reasons)

    def snapshot(self) -> dict:
        """The reasons as stored on the candidate: rules, codes and the text in both catalog
        languages (the page shows the reader's)."""
        data = {
            "rules": [r.rule for r in self.reasons],
            "codes": [r.code for r in self.reasons],
            "excludes": [r.excludes for r in self.reasons],
        }
        for language in ("zh-hans", "en"):
            with translation.override(language):
                data[language] = [r.text() for r in self.reasons]
        return data


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime, dt.date]:
    """The month in company time: [start, end) as aware datetimes, and its last day."""
    start = month.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz),
        timezone.make_aware(dt.datetime.combine(following, dt.time.min), tz),
        following - dt.timedelta(days=1),
    )


def department_people(department, month: dt.date):
    """Employees of the department on the ladder, hired by the month's last day."""
    _start, _end, last = month_bounds(month)
    return (
        Employee.objects.filter(
            department=department, level__isnull=False, hired_on__lte=last, user__is_active=True
        )
        .select_related("user")
        .order_by("name", "pk")
    )


def candidacies(department, month: dt.date) -> list[Candidacy]:
    """AWARD-1 for every employee of `department` on the ladder, in name order."""
    start, end, _last = month_bounds(month)
    people = list(department_people(department, month))
    ids = [p.pk for p in people]
    reasons: dict[int, list[Reason]] = {pk: [] for pk in ids}

    for person in people:
        if person.level == Level.PROBATIONER:
            reasons[person.pk].append(
                Reason("AWARD-1", "probationer", _("On probation: not yet a regular employee."))
            )

    deductions: dict[int, int] = {}
    for employee_id in ScoreEvent.objects.filter(
        employee_id__in=ids, month=month.replace(day=1), points__lt=0, kind=ScoreEvent.Kind.EVENT
    ).values_list("employee_id", flat=True):
        deductions[employee_id] = deductions.get(employee_id, 0) + 1
    for employee_id, n in deductions.items():
        reasons[employee_id].append(
            Reason(
                "SCORE-3",
                "deduction",
                _("%(count)s deduction(s) booked to the month's ledger."),
                {"count": n},
            )
        )

    finals: dict[int, int] = {}
    for employee_id in Penalty.objects.filter(
        employee_id__in=ids, final_at__gte=start, final_at__lt=end
    ).values_list("employee_id", flat=True):
        finals[employee_id] = finals.get(employee_id, 0) + 1
    for employee_id, n in finals.items():
        reasons[employee_id].append(
            Reason(
                "PEN-1",
                "penalty",
                _("%(count)s penalty(ies) made final in the month."),
                {"count": n},
            )
        )

    late: dict[int, int] = {}
    other: dict[int, int] = {}
    for employee_id, kind in Finding.objects.filter(
        employee_id__in=ids,
        state=FindingState.CONFIRMED,
        shift__start__gte=start,
        shift__start__lt=end,
    ).values_list("employee_id", "kind"):
        bucket = late if kind in LATENESS else other
        bucket[employee_id] = bucket.get(employee_id, 0) + 1
    for employee_id, n in late.items():
        reasons[employee_id].append(
            Reason(
                "AWARD-1",
                "lateness",
                _("%(count)s confirmed late arrival(s) or early leave(s) (ATT-2)."),
                {"count": n},
            )
        )
    for employee_id, n in other.items():
        reasons[employee_id].append(
            Reason(
                "ATT-2",
                "attendance_violation",
                _("%(count)s confirmed attendance finding(s) (missed punch, absence, swap)."),
                {"count": n},
            )
        )

    seen: set[tuple[int, str]] = set()
    for employee_id, kind in (
        Leave.objects.filter(
            employee_id__in=ids, state=LeaveState.APPROVED, start__lt=end, end__gt=start
        )
        .order_by("start", "pk")
        .values_list("employee_id", "kind")
    ):
        if (employee_id, kind) in seen:
            continue
        seen.add((employee_id, kind))
        label = LeaveKind(kind).label
        if kind in EXCLUDING_LEAVE:
            reasons[employee_id].append(
                Reason(
                    "AWARD-1",
                    f"leave_{kind}",
                    _("%(kind)s in the month: excluded."),
                    {"kind": label},
                )
            )
        else:
            reasons[employee_id].append(
                Reason(
                    "AWARD-1",
                    f"leave_{kind}",
                    _("%(kind)s in the month: does not exclude."),
                    {"kind": label},
                    excludes=False,
                )
            )
    for person in people:
        if not any(r.excludes for r in reasons[person.pk]):
            reasons[person.pk].insert(
                0,
                Reason(
                    "AWARD-1",
                    "qualifies",
                    _(
                        "Regular employee with no violation, no sick or personal leave and no lateness in the month."
                    ),
                    excludes=False,
                ),
            )
    return [Candidacy(person, reasons[person.pk]) for person in people]
