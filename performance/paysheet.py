"""The monthly pay sheet (PAY-1, PAY-2, SCORE-6, SCORE-8) as a read model: computed on read from
the closed month, never stored, each figure with its Trace (rules and refs).

Who is on the sheet: every employee hired by the month's last day who holds a level of the
ladder on that day (ORG-1, ORG-3: the level history's latest change effective by then; an
employee with no history, their current level). Staff off the ladder have no sheet row.

Each row (performance/pay.py does the arithmetic):
- base: the base salary of that level-history row (an employee without history: their base
  salary, else the policy's salary of their level), ORG-3;
- salary float and performance pay from the month's CLOSED score and its stored tier (SCORE-6,
  SCORE-8); the first two months of service float 0 (`service_month`);
- commission on the month's imported sales (SalesFigure; none imported: 0), SCORE-8;
- fines: every ScoreEvent of the month with a fine (a penalty made final, APPEAL-3/PEN-1; an
  attendance finding confirmed, ATT-*), PAY-1;
- rewards: what the `REWARD_SOURCES` give, one query each: the month's published award
  (AWARD-1, approvals.award.selectors.award_rewards, issue 14); seed 000's monthly rewards would
  be one more source.

A month not closed for every employee on the sheet is refused (StateConflict month_not_closed,
SCORE-10/PAY-1): pay is never computed from a running score. The reads are one query each
(people, level history, assessments, sales, fined events, and one per reward source), so the
sheet costs the same number of statements for 20 and for 10,000 employees.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from approvals.errors import StateConflict
from org.models import Employee, LevelHistory

from . import pay
from .models import Assessment, SalesFigure, ScoreEvent
from .services import _checked_month, _policy_for

# A reward source: (month, employee id subquery) -> {employee id: [pay.Reward, ...]}, one query.


def _awards_of_the_month(month, ids):
    """AWARD-1: the published awards of the month (approvals.award)."""
    from approvals.award.selectors import award_rewards

    return award_rewards(month, ids)


REWARD_SOURCES: list[Callable] = [_awards_of_the_month]
NAMES_SHOWN = 5


def month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class SheetRow:
    employee: Employee
    level: str
    score: Decimal
    tier: int
    service_month: int
    sales: Decimal
    row: pay.PayRow

    def line(self, code: str) -> Decimal:
        return self.row.line(code)

    @property
    def total(self) -> Decimal:
        return self.row.total

    def figure(self, code: str) -> pay.Figure:
        return next(f for f in self.row.lines if f.code == code)


@dataclass(frozen=True)
class PaySheet:
    month: dt.date
    department: object
    policy_version: str
    rows: list[SheetRow]

    @property
    def total(self) -> Decimal:
        return sum((r.total for r in self.rows), Decimal(0))


def _people(month: dt.date, department):
    people = Employee.objects.filter(hired_on__lte=month_end(month))
    if department is not None:
        people = people.filter(department=department)
    return people


def _level_on(employee: Employee, history: list, end: dt.date, policy):
    """(level, base, ref) held on `end` (ORG-3), or None off the ladder."""
    if not history:
        if not employee.level:
            return None
        base = employee.base_salary
        if base is None:
            base = policy.salary_for(employee.level)
        return employee.level, base, None
    held = [h for h in history if h.effective_on <= end]
    if held:
        last = held[-1]
        return last.to_level, last.base_salary, f"level_history:{last.pk}"
    first = history[0]  # every change is after `end`: the level before the first
    if not first.from_level:
        return None
    return first.from_level, policy.salary_for(first.from_level), f"level_history:{first.pk}"


def pay_sheet(*, month: dt.date, department=None) -> PaySheet:
    """PAY-1: one row per employee on the ladder on `month`'s last day, of one department or the
    company, ordered by department and username. StateConflict when the month is not closed for
    every one of them (SCORE-10)."""
    month = _checked_month(month)
    policy = _policy_for(month)
    end = month_end(month)
    people_qs = _people(month, department)
    ids = people_qs.values("pk")
    people = list(
        people_qs.select_related("user", "department")
        .only(
            "pk",
            "name",
            "level",
            "base_salary",
            "hired_on",
            "department__code",
            "department__name",
            "user__username",
        )
        .order_by("department__code", "user__username")
    )
    history: dict[int, list] = {}
    for h in (
        LevelHistory.objects.filter(employee_id__in=ids)
        .only("pk", "employee_id", "from_level", "to_level", "base_salary", "effective_on")
        .order_by("employee_id", "effective_on", "pk")
    ):
        history.setdefault(h.employee_id, []).append(h)
    assessments = {
        a.employee_id: a
        for a in Assessment.objects.filter(employee_id__in=ids, month=month).only(
            "pk", "employee_id", "score", "tier", "closed_at"
        )
    }
    sales = {
        s.employee_id: s
        for s in SalesFigure.objects.filter(employee_id__in=ids, month=month).only(
            "pk", "employee_id", "amount"
        )
    }
    fined: dict[int, list] = {}
    for event in (
        ScoreEvent.objects.filter(employee_id__in=ids, month=month)
        .filter(~Q(fine=0))
        .order_by("pk")
        .only("pk", "employee_id", "fine", "code")
    ):
        fined.setdefault(event.employee_id, []).append(event)
    rewards: dict[int, list] = {}
    for source in REWARD_SOURCES:
        for pk, items in source(month, ids).items():
            rewards.setdefault(pk, []).extend(items)

    on_ladder, open_ = [], []
    for person in people:
        held = _level_on(person, history.get(person.pk, []), end, policy)
        if held is None:
            continue
        assessment = assessments.get(person.pk)
        if assessment is None or assessment.closed_at is None:
            open_.append(person.name)
        on_ladder.append((person, held, assessment))
    if open_:
        raise StateConflict(
            _(
                "%(month)s is not closed for everyone on the pay sheet (not closed: %(count)s, "
                "%(names)s); the pay sheet reads closed scores only."
            ),
            code="month_not_closed",
            rule="SCORE-10",
            params={
                "month": month.strftime("%Y-%m"),
                "count": len(open_),
                "names": ", ".join(open_[:NAMES_SHOWN]) + ("…" if len(open_) > NAMES_SHOWN else ""),
            },
        )
    rows = []
    for person, (level, base, level_ref), assessment in on_ladder:
        figure = sales.get(person.pk)
        amount = figure.amount if figure is not None else Decimal(0)
        score_ref = f"assessment:{assessment.pk}"
        served = pay.service_month(person.hired_on, month)
        lines = (
            pay.base_salary(base, level=level, ref=level_ref),
            pay.salary_float(policy, assessment.score, service_month=served, score_ref=score_ref),
            pay.performance_pay(
                policy, base=base, score=assessment.score, tier=assessment.tier, score_ref=score_ref
            ),
            pay.commission(
                policy, amount, sales_ref=f"sales:{figure.pk}" if figure is not None else None
            ),
            pay.fines(fined.get(person.pk, ())),
            pay.rewards(rewards.get(person.pk, ())),
        )
        rows.append(
            SheetRow(
                employee=person,
                level=level,
                score=assessment.score,
                tier=assessment.tier,
                service_month=served,
                sales=amount,
                row=pay.PayRow(lines=lines, policy_version=policy.version),
            )
        )
    return PaySheet(month=month, department=department, policy_version=policy.version, rows=rows)


def row_data(row: SheetRow) -> dict:
    """A sheet row as JSON-ready data: the figures (strings, 2 decimals) and each line's trace."""
    e = row.employee
    return {
        "employee": e.pk,
        "username": e.user.username,
        "name": e.name,
        "department": e.department.code,
        "level": row.level,
        "score": str(row.score),
        "tier": row.tier,
        "service_month": row.service_month,
        "sales": str(row.sales),
        "lines": [
            {
                "code": f.code,
                "amount": str(f.line),
                "rules": list(f.trace.rules),
                "refs": list(f.trace.refs),
                "trace": f.trace.as_data(),
            }
            for f in row.row.lines
        ],
        "total": str(row.total),
        "policy_version": row.row.policy_version,
    }
