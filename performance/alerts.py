"""The alerts a month's close raises, kept and told (SCORE-7, SCORE-11), the scheduled close
(SCORE-10), and what an adjustment changes downstream (issue 13).

- `alerts_raise(month=, employees=)`: after a month's close, each closed employee's alerts
  (performance.scoring.month_alerts over the trailing closed months) are stored once as
  MonthAlert rows and told to administration and the employee's department lead, by mail and
  in-app notice, in the caller's transaction. They propose, never act: nothing else changes.
  A constant number of reads whatever the number of employees; only telling costs per alert.
- `alerts_reevaluate(employee=, month=)`: after an adjustment of a closed month, the alerts of
  that employee's department for that month and the months after it whose streaks it is part of
  are computed again: new ones are raised, those whose cause vanished are marked withdrawn
  (never deleted: who was told stays on record), and told.
- performance/alerts_downstream.py: what ledger_adjust calls around its recomputation (the
  open promotions' eligibility, PROMO-2, the open probation, the alerts) and the one notice of
  what changed downstream; performance/alert_selectors.py: who reads which alerts.
- `months_close_due()`: the sweep's step that closes the previous month by itself on the
  policy's close day (SCORE-10, actor None).

Readings (docs/policy.md, SCORE-11): the department's agents are its members on the ladder who
are neither its lead nor trainers; their department is the one they are in now (the org keeps
no history of moves). A department with fewer scored agents than the pack's min_agents has no
last place. Below-the-mark and failed-streak alerts are raised for every closed employee, the
last-in-department alert for agents only. The employee is not told of an alert about them: the
handbook sends alerts to administration and the department lead (SCORE-11), for them to act on.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import Department, Employee

from .models import Assessment, MonthAlert, ScoreEvent
from .scoring import (
    ALERT_BELOW,
    ALERT_FAILED_STREAK,
    ALERT_LAST_IN_DEPARTMENT,
    ClosedMonth,
    last_in_department,
    month_alerts,
)
from .services import _checked_month, _policy_for

logger = logging.getLogger(__name__)

ADMINISTRATION, TRAINER = "administration", "trainer"
# Months read back from the alert's month: enough for every alert of the default pack (three
# failed months; two months last). A pack asking for longer runs reads longer.
TRAILING = 3

LABELS = {
    ALERT_BELOW: _("Month below the mark"),
    ALERT_LAST_IN_DEPARTMENT: _("Last in the department, months running"),
    ALERT_FAILED_STREAK: _("Failed months in a row"),
}


def alert_label(code: str):
    return LABELS.get(code, code)


def _label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def _shift(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


# --- reading the closed months ------------------------------------------------------------------


@dataclass
class _Closed:
    """The closed months of some departments over a window, read in one query."""

    rows: dict = field(default_factory=dict)  # employee pk -> {month: Assessment-like dict}
    people: dict = field(default_factory=dict)  # employee pk -> {department, agent, user}


def _trainer_users():
    from django.contrib.auth.models import Group

    return Group.objects.filter(name=TRAINER, user=OuterRef("employee__user_id"))


def _closed_months(
    months: list[dt.date], *, department_ids=None, employee_ids=None, names=False
) -> _Closed:
    """One query: every closed assessment in `months` of the given departments (or employees;
    neither: everyone), with who is an agent of their department (SCORE-11)."""
    qs = Assessment.objects.filter(month__in=months, closed_at__isnull=False)
    if department_ids is not None:
        qs = qs.filter(employee__department_id__in=list(department_ids))
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=list(employee_ids))
    fields = ["employee__name"] if names else []
    qs = qs.annotate(trainer=Exists(_trainer_users())).values(
        *fields,
        "pk",
        "employee_id",
        "month",
        "score",
        "tier",
        "trainer",
        "employee__department_id",
        "employee__department__lead_id",
        "employee__level",
    )
    closed = _Closed()
    for row in qs.order_by():
        pk = row["employee_id"]
        closed.rows.setdefault(pk, {})[row["month"]] = row
        closed.people[pk] = {
            "name": row.get("employee__name", ""),
            "department": row["employee__department_id"],
            "agent": (
                row["employee__level"] is not None
                and not row["trainer"]
                and row["employee__department__lead_id"] != pk
            ),
        }
    return closed


def _last_places(policy, closed: _Closed, months: list[dt.date]) -> set:
    """(employee pk, month) of every agent last in their department that month (SCORE-11)."""
    scores: dict = defaultdict(dict)  # (department, month) -> {employee: score}
    for pk, by_month in closed.rows.items():
        person = closed.people[pk]
        if not person["agent"]:
            continue
        for month, row in by_month.items():
            scores[(person["department"], month)][pk] = row["score"]
    last = set()
    for (_department, month), values in scores.items():
        for pk in last_in_department(policy, values).keys:
            last.add((pk, month))
    return last


def _wanted(month: dt.date, closed: _Closed, policy, employee_ids) -> dict:
    """(employee pk, code) -> scoring.Alert for what `month` raises for each employee."""
    window = [_shift(month, -i) for i in range(_window(policy))]
    last = _last_places(policy, closed, window)
    found = {}
    for pk in employee_ids:
        by_month = closed.rows.get(pk, {})
        if month not in by_month:
            continue  # not closed this month: it raises nothing (yet)
        history = [
            ClosedMonth(
                m,
                row["score"],
                row["tier"],
                last_in_department=(pk, m) in last,
                ref=f"assessment:{row['pk']}",
            )
            for m, row in sorted(by_month.items())
            if m <= month
        ]
        for alert in month_alerts(policy, history):
            found[(pk, alert.code)] = alert
    return found


def _window(policy) -> int:
    return max(TRAILING, policy.alert_failed_months, policy.alert_last_months)


def _evidence(alert) -> list[dict]:
    return [
        {
            "month": _label(m.month),
            "score": str(m.score),
            "tier": m.tier,
            "last_in_department": m.last_in_department,
        }
        for m in alert.months
    ]


# --- telling --------------------------------------------------------------------------------


def _administration_users() -> list:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=ADMINISTRATION)
        .select_related("employee")
        .distinct()
    )


def _lead_users(department_ids) -> dict:
    """department pk -> the lead's user (when the department has a lead), in one query."""
    return {
        d.pk: d.lead.user
        for d in Department.objects.filter(
            pk__in=list(department_ids), lead__isnull=False
        ).select_related("lead__user__employee")
        if d.lead.user.is_active
    }


def _recipients(admins, leads, department_id, *, exclude=()) -> list:
    users = {u.pk: u for u in admins}
    lead = leads.get(department_id)
    if lead is not None:
        users[lead.pk] = lead
    return [u for pk, u in users.items() if pk not in set(exclude)]


def _tell(row: MonthAlert, person: Employee, admins, leads, *, template="month_alert") -> None:
    from notifications.services import notify

    notify(
        users=_recipients(admins, leads, row.department_id, exclude=[person.user_id]),
        template=template,
        context={
            "employee": person.name,
            "department": getattr(person.department, "name", ""),
            "month": _label(row.month),
            "label": alert_label(row.code),
            "code": row.code,
            "rules": ", ".join(row.rules),
            "evidence": row.evidence,
            "url": f"/alerts/?month={_label(row.month)}",
        },
        # Once per raising (or withdrawal): an alert raised again after a withdrawal is told again.
        dedupe_key=f"{template}:{row.pk}:{(row.withdrawn_at or row.raised_at):%Y%m%dT%H%M%S.%f}",
    )


# --- raising and re-evaluating ------------------------------------------------------------------


@dataclass
class AlertChanges:
    raised: list = field(default_factory=list)  # MonthAlert rows raised (or raised again)
    withdrawn: list = field(default_factory=list)  # MonthAlert rows whose cause vanished

    def __bool__(self) -> bool:
        return bool(self.raised or self.withdrawn)


def _sync(months: list[dt.date], *, department_ids, employee_ids, withdraw: bool) -> AlertChanges:
    """Make the stored alerts of `months` match what the closed months raise, for
    `employee_ids` (None: everyone closed in `department_ids`)."""
    changes = AlertChanges()
    if not months:
        return changes
    policies = {m: _policy_for(m) for m in months}
    span = max(_window(p) for p in policies.values())
    window = sorted({_shift(m, -i) for m in months for i in range(span)})
    closed = _closed_months(window, department_ids=department_ids)
    targets = set(closed.rows) if employee_ids is None else set(employee_ids) & set(closed.rows)
    if not targets:
        return changes
    wanted = {m: _wanted(m, closed, policies[m], targets) for m in months}
    stored = {
        (a.employee_id, a.month, a.code): a
        for a in MonthAlert.objects.filter(employee_id__in=list(targets), month__in=months)
    }
    now = timezone.now()
    create, revive, gone = [], [], []
    for m in months:
        for (pk, code), alert in wanted[m].items():
            row = stored.get((pk, m, code))
            if row is None:
                create.append(
                    MonthAlert(
                        employee_id=pk,
                        department_id=closed.people[pk]["department"],
                        month=m,
                        code=code,
                        evidence=_evidence(alert),
                        rules=list(alert.rules),
                        policy_version=policies[m].version,
                        raised_at=now,
                    )
                )
            elif row.withdrawn_at is not None and withdraw:
                row.withdrawn_at, row.raised_at = None, now
                row.evidence, row.rules = _evidence(alert), list(alert.rules)
                revive.append(row)
    if withdraw:
        for (pk, m, code), row in stored.items():
            if row.withdrawn_at is None and (pk, code) not in wanted[m]:
                row.withdrawn_at = now
                gone.append(row)
    if create:
        # ignore_conflicts: a concurrent close raising the same alert keeps one row (the
        # unique employee+month+code); what this run created is read back by its keys.
        MonthAlert.objects.bulk_create(create, ignore_conflicts=True)
        keys = {(a.employee_id, a.month, a.code) for a in create}
        fresh = MonthAlert.objects.filter(
            employee_id__in={k[0] for k in keys}, month__in={k[1] for k in keys}, raised_at=now
        )
        changes.raised += [a for a in fresh if (a.employee_id, a.month, a.code) in keys]
    if revive:
        MonthAlert.objects.bulk_update(revive, ["withdrawn_at", "raised_at", "evidence", "rules"])
        changes.raised += revive
    if gone:
        MonthAlert.objects.bulk_update(gone, ["withdrawn_at"])
        changes.withdrawn += gone
    if changes:
        _tell_all(changes)
    return changes


def _tell_all(changes: AlertChanges) -> None:
    rows = changes.raised + changes.withdrawn
    people = Employee.objects.select_related("department").in_bulk({r.employee_id for r in rows})
    admins = _administration_users()
    leads = _lead_users({r.department_id for r in rows if r.department_id})
    for row in changes.raised:
        _tell(row, people[row.employee_id], admins, leads)
    for row in changes.withdrawn:
        _tell(row, people[row.employee_id], admins, leads, template="month_alert_withdrawn")


def alerts_raise(*, month: dt.date, employees=None) -> list[MonthAlert]:
    """SCORE-7/11: store and tell the alerts `month` raises for the employees closed in it
    (`employees`: only these; None: everyone closed). Idempotent: an alert stored before is
    neither stored nor told again. Runs in the caller's transaction (month_close's)."""
    month = _checked_month(month)
    with transaction.atomic():
        if employees is None:
            ids, departments = None, None
        else:
            ids = {getattr(e, "pk", e) for e in employees}
            if not ids:
                return []
            departments = set(
                Employee.objects.filter(pk__in=ids).values_list("department_id", flat=True)
            )
        changes = _sync([month], department_ids=departments, employee_ids=ids, withdraw=False)
    return changes.raised


def alerts_reevaluate(*, employee: Employee, month: dt.date) -> AlertChanges:
    """After an adjustment of `employee`'s closed `month`: the alerts of their department in
    that month and the following months whose runs it belongs to, raised or withdrawn."""
    month = _checked_month(month)
    later = [_shift(month, i) for i in range(_window(_policy_for(month)))]
    closed_months = sorted(
        set(
            Assessment.objects.filter(
                employee__department_id=employee.department_id,
                month__in=later,
                closed_at__isnull=False,
            ).values_list("month", flat=True)
        )
    )
    with transaction.atomic():
        return _sync(
            closed_months,
            department_ids={employee.department_id},
            employee_ids=None,
            withdraw=True,
        )


# --- the scheduled close (SCORE-10) -------------------------------------------------------------

_CLOSED = "closed"
# month -> _CLOSED once this process closed it (or found it closed), or the local date it last
# found nothing to do: the step costs no query for the rest of that day (issue 15: a sweep
# every 30 seconds with nothing due must not read the ledger each time).
_seen: dict = {}


def forget_scheduled_closes() -> None:
    """Tests: the database was rolled back under the memo."""
    _seen.clear()


def months_close_due() -> int:
    """SCORE-10: on the policy's close day (default the 3rd) and after, close the previous month
    by itself (actor None), raising its alerts. A month without a single event in the ledger is
    left to administration (a company importing final scores imports after the 3rd, and an
    import refuses a closed month). Returns how many scores it froze.

    With nothing due: no query for the rest of the day once a check found nothing (per process),
    none at all once this process closed the month."""
    from .ledger_close import month_close

    today = timezone.localdate()
    month = _shift(today.replace(day=1), -1)
    state = _seen.get(month)
    if state in (_CLOSED, today):
        return 0
    # Asked once today: a check that fails (no policy in force, a close refused) is logged once
    # and tried again tomorrow, not every 30 seconds.
    _seen[month] = today
    if today < _policy_for(month).month_close_on(month):
        return 0
    if not ScoreEvent.objects.filter(month=month).exclude(code="").exists():
        return 0
    report = month_close(actor=None, month=month)
    _seen[month] = _CLOSED
    logger.info(
        "scheduled close of %s: %s computed, %s kept, %s already closed",
        _label(month),
        report.computed,
        report.kept,
        report.already,
    )
    return report.closed
