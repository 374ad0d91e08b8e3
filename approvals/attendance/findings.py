"""What the roster and the punches show (ATT-2): `findings_check` reads every rostered shift of a
period whose end has passed, with its punches, the approved make-ups (PUNCH-1), the approved
leaves (LEAVE-3) and the swaps (SWAP-1), and proposes findings to the department lead (ATT-3).

Readings (docs/api.md "Findings"):

- A punch belongs to a shift when it falls within `WINDOW` (4 h) before its start to 4 h after its
  end, and, for an employee with two shifts close together, to the nearer one. The earliest
  punch is the arrival, the latest the leave; a single punch is the arrival when it is nearer the
  start than the end, else the leave.
- Late / early: whole minutes past the start (before the end). 09:00 on a 09:00 shift, or
  08:59, is on time; 09:01 is one minute late. Points (SCORE-3 light band 2..5, catalogue
  `late_or_early`): `LATE_SCALE` — 1–10 min 2, 11–20 min 3, 21–30 min 4, more 5 (the pack's
  `attendance.late_points`, a list of [up to minutes or null, points], overrides it).
- Missing punch: one end without a punch, without an approved make-up whose `missed_at` falls in
  that end's half of the window, and not covered by an approved leave (PUNCH-1, `missed_punch`).
- Absence: no punch at all, no approved make-up, no approved leave overlapping the shift
  (LEAVE-3, `absenteeism`). An emergency leave (LEAVE-2) counts once approved.
- Shift worked by someone else (SWAP-1, `unapproved_swap`): the one who works the shift has no
  punch, and a colleague of the department with no shift of their own overlapping it punched
  both in the window's start half and its end half. The finding is the rostered employee's (they
  gave their shift away); the colleague is named in its evidence. A swap approved after the
  shift started does not count: the shift is judged as rostered (the finding stays).
- Re-running a period: a finding is made once per (shift, employee, kind); a proposed finding
  whose cause is gone (punches imported later, a make-up or leave approved since) is cleared;
  one whose figures changed (later punches) is updated; decided findings (confirmed or
  dismissed) are never touched.
- A cleared finding whose cause is back (LEAVE-3, PUNCH-1: the leave or make-up that cleared it
  is no longer approved, e.g. the leave was cancelled: `findings_recheck_leave`) is reopened, not
  found twice: back to proposed with the new figures and a due time planned from this check,
  audited. One that an approved leave or make-up still answers, the way `clear_for_leave` and
  `clear_for_makeup` read them, stays cleared.
- Due time: the lead decides within `attendance.finding_decide_days` working days (default 3,
  the PUNCH-1 make-up window's length, so a make-up can still come in), end of day, from the
  check run (DEADLINE-1 working days). Reminders: `findings_remind_due` (a sweep step) tells each
  lead once per due day and offset (the policy's reminder offsets, default 24 h before and at
  the due time), and the GM office once just after it, of the findings still waiting.

Statements: a constant number whatever the number of shifts (bulk reads of the period and
bulk writes), see benchmarks/attendance.py.
"""

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import audit.services as audit
from approvals.db import atomic
from approvals.errors import InvalidInput
from approvals.leave.models import Leave, LeaveState
from policy.deadlines import WORKING, due_at
from policy.services import policy_in_force

from .models import (
    FS,
    Finding,
    FindingKind,
    Punch,
    PunchCorrection,
    PunchState,
    Shift,
    ShiftSwap,
    SwapState,
)

K = FindingKind
WINDOW = dt.timedelta(hours=4)
LATE_SCALE = [(10, 2), (20, 3), (30, 4), (None, 5)]
DECIDE_DAYS = 3

# LEAVE-3: what an approved leave clears on the shifts it overlaps (clear_for_leave); a cleared
# finding of these kinds stays cleared while such a leave stands.
LEAVE_CLEARS = (K.ABSENCE, K.MISSING_PUNCH, K.LATE, K.EARLY)

RULES = {
    K.LATE: "ATT-2",
    K.EARLY: "ATT-2",
    K.MISSING_PUNCH: "PUNCH-1",
    K.ABSENCE: "LEAVE-3",
    K.UNAPPROVED_SWAP: "SWAP-1",
}
CODES = {
    K.LATE: "late_or_early",
    K.EARLY: "late_or_early",
    K.MISSING_PUNCH: "missed_punch",
    K.ABSENCE: "absenteeism",
    K.UNAPPROVED_SWAP: "unapproved_swap",
}


@dataclass
class CheckReport:
    start: dt.date
    end: dt.date
    shifts: int = 0
    created: int = 0
    updated: int = 0
    cleared: int = 0
    unchanged: int = 0
    reopened: int = 0  # cleared findings whose cause is back (in the audit event's data)
    by_kind: dict = field(default_factory=dict)
    departments: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "shifts": self.shifts,
            "created": self.created,
            "updated": self.updated,
            "cleared": self.cleared,
            "unchanged": self.unchanged,
            "by_kind": self.by_kind,
        }


def late_points(minutes: int, policy) -> Decimal:
    """SCORE-3 light band by minutes (LATE_SCALE, or the pack's attendance.late_points)."""
    scale = policy.data.get("attendance", {}).get("late_points") or LATE_SCALE
    for upto, points in scale:
        if upto is None or minutes <= int(upto):
            return Decimal(str(points))
    return Decimal(str(scale[-1][1]))


def decide_days(policy) -> int:
    return int(policy.data.get("attendance", {}).get("finding_decide_days", DECIDE_DAYS))


def _date(value, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise InvalidInput(
            _("%(field)s must be a date (YYYY-MM-DD), not %(value)s."),
            code="bad_date",
            rule="ATT-2",
            params={"field": name, "value": repr(value)},
            field=name,
        ) from None


def period(start, end) -> tuple[dt.date, dt.date]:
    start, end = _date(start, "from"), _date(end, "to")
    if end < start:
        raise InvalidInput(
            _("The period ends (%(end)s) before it starts (%(start)s)."),
            code="bad_period",
            rule="ATT-2",
            params={"start": start, "end": end},
            field="to",
        )
    if (end - start).days > 62:
        raise InvalidInput(
            _("A check covers at most 62 days; %(start)s..%(end)s is %(days)s."),
            code="period_too_long",
            rule="ATT-2",
            params={"start": start, "end": end, "days": (end - start).days + 1},
            field="to",
        )
    return start, end


def _iso(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes")


@dataclass(slots=True)
class _Shift:
    pk: int
    employee_id: int
    rostered_id: int
    department_id: int
    start: dt.datetime
    end: dt.datetime
    swap_id: int | None


class _Punches:
    """One employee's punches, sorted, with range lookups."""

    def __init__(self, moments):
        self.at = sorted(moments)

    def between(self, lo, hi) -> list:
        i = bisect.bisect_left(self.at, lo)
        j = bisect.bisect_right(self.at, hi)
        return self.at[i:j]


def _window(shift, neighbours) -> tuple[dt.datetime, dt.datetime]:
    """The shift's punch window, cut at the midpoint to the employee's previous/next shift."""
    lo, hi = shift.start - WINDOW, shift.end + WINDOW
    prev, nxt = neighbours
    if prev is not None and prev.end + WINDOW > lo:
        lo = max(lo, prev.end + (shift.start - prev.end) / 2)
    if nxt is not None and nxt.start - WINDOW < hi:
        hi = min(hi, shift.end + (nxt.start - shift.end) / 2)
    return lo, hi


def _covers(intervals, lo, hi) -> bool:
    return any(s < hi and e > lo for s, e in intervals)


def _read(start: dt.date, end: dt.date, department, now):
    """The period's data in a fixed number of statements."""
    shifts_q = Shift.objects.filter(date__gte=start, date__lte=end, end__lte=now)
    if department is not None:
        shifts_q = shifts_q.filter(department=department)
    shifts = [
        _Shift(*row)
        for row in shifts_q.order_by("start", "pk").values_list(
            "pk", "employee_id", "rostered_id", "department_id", "start", "end", "swap_id"
        )
    ]
    if not shifts:
        return shifts, {}, {}, {}, {}, {}
    lo = min(s.start for s in shifts) - 2 * WINDOW
    hi = max(s.end for s in shifts) + 2 * WINDOW
    scope = Q() if department is None else Q(employee__department=department)
    punches = defaultdict(list)
    for employee_id, at in Punch.objects.filter(scope, at__gte=lo, at__lte=hi).values_list(
        "employee_id", "at"
    ):
        punches[employee_id].append(at)
    makeups = defaultdict(list)
    for employee_id, missed_at in PunchCorrection.objects.filter(
        scope, state=PunchState.APPROVED, missed_at__gte=lo, missed_at__lte=hi
    ).values_list("employee_id", "missed_at"):
        makeups[employee_id].append(missed_at)
    leaves = defaultdict(list)
    for employee_id, s, e in Leave.objects.filter(
        scope, state=LeaveState.APPROVED, start__lt=hi, end__gt=lo
    ).values_list("employee_id", "start", "end"):
        leaves[employee_id].append((s, e))
    swap_ids = {s.swap_id for s in shifts if s.swap_id}
    swaps = (
        dict(
            ShiftSwap.objects.filter(pk__in=swap_ids, state=SwapState.APPROVED).values_list(
                "pk", "decided_at"
            )
        )
        if swap_ids
        else {}
    )
    # every shift of the department(s) around the period (colleagues' own shifts, neighbours)
    around = Shift.objects.filter(
        date__gte=start - dt.timedelta(days=1), date__lte=end + dt.timedelta(days=1)
    )
    if department is not None:
        around = around.filter(department=department)
    own = defaultdict(list)
    for pk, employee_id, s, e in around.values_list("pk", "employee_id", "start", "end"):
        own[employee_id].append((pk, s, e))
    return (
        shifts,
        {k: _Punches(v) for k, v in punches.items()},
        makeups,
        leaves,
        swaps,
        own,
    )


def _evaluate(shift, worker, punches, makeups, leaves, own, colleagues, window, claimed):
    """The findings one shift shows: list of (employee_id, kind, minutes, evidence)."""
    lo, hi = window
    mid = shift.start + (shift.end - shift.start) / 2
    mine = punches.get(worker)
    seen = mine.between(lo, hi) if mine else []

    def base(**more):  # built only for a shift that shows something
        return {
            "shift": {
                "id": shift.pk,
                "start": _iso(shift.start),
                "end": _iso(shift.end),
                "rostered": shift.rostered_id,
                "employee": worker,
            },
            "punches": [_iso(p) for p in seen],
            **more,
        }

    on_leave = leaves.get(worker, [])
    made_up = [m for m in makeups.get(worker, []) if lo <= m <= hi]
    out = []
    if not seen:
        if _covers(on_leave, shift.start, shift.end):
            return out
        # SWAP-1: a colleague without a shift of their own here punched both halves
        for other, theirs in colleagues:
            if other == worker:
                continue
            there = theirs.between(lo, hi)
            if (
                there
                and there[0] < mid <= there[-1]
                and (other, there[0]) not in claimed
                and not any(
                    pk != shift.pk and s < shift.end and e > shift.start
                    for pk, s, e in own.get(other, ())
                )
            ):
                claimed.add((other, there[0]))  # one person stands in for one shift at a time
                evidence = base(substitute=other, substitute_punches=[_iso(p) for p in there])
                return [(worker, K.UNAPPROVED_SWAP, None, evidence)]
        if not made_up:
            return [(worker, K.ABSENCE, None, base(leave=None))]
    arrival = leave_at = None
    if len(seen) >= 2:
        arrival, leave_at = seen[0], seen[-1]
    elif len(seen) == 1:
        if seen[0] - shift.start <= shift.end - seen[0]:
            arrival = seen[0]
        else:
            leave_at = seen[0]
    missing = []
    for end_name, punch, half, edge in (
        ("arrival", arrival, (lo, mid), shift.start),
        ("leave", leave_at, (mid, hi), shift.end),
    ):
        if punch is not None:
            continue
        if any(half[0] <= m <= half[1] for m in made_up):
            continue
        if _covers(on_leave, edge - dt.timedelta(minutes=1), edge + dt.timedelta(minutes=1)):
            continue
        missing.append(end_name)
    if missing:
        out.append(
            (
                worker,
                K.MISSING_PUNCH,
                None,
                base(missing=missing, makeups=[_iso(m) for m in made_up]),
            )
        )
    if arrival is not None:
        late = int((arrival - shift.start).total_seconds() // 60)
        if late >= 1 and not _covers(on_leave, shift.start, arrival):
            out.append((worker, K.LATE, late, base(arrival=_iso(arrival))))
    if leave_at is not None:
        early = int((shift.end - leave_at).total_seconds() // 60)
        if early >= 1 and not _covers(on_leave, leave_at, shift.end):
            out.append((worker, K.EARLY, early, base(leave=_iso(leave_at))))
    return out


def _answered_end(missed_at, start, end) -> str:
    """PUNCH-1: the end of the shift [start, end) a make-up at `missed_at` stands for."""
    return "arrival" if missed_at < start + (end - start) / 2 else "leave"


def _still_answered(shift, employee_id, kind, evidence, leaves, makeups) -> bool:
    """A cleared finding stays cleared while an approval answers it as it did when it cleared
    it: an approved leave overlapping the shift (`clear_for_leave`), an approved make-up for one
    of its missing ends (`clear_for_makeup`)."""
    if kind in LEAVE_CLEARS and _covers(leaves.get(employee_id, ()), shift.start, shift.end):
        return True
    if kind != K.MISSING_PUNCH:
        return False
    missing = evidence.get("missing") or []
    return any(
        shift.start - WINDOW < m < shift.end + WINDOW
        and _answered_end(m, shift.start, shift.end) in missing
        for m in makeups.get(employee_id, ())
    )


def _figures(kind, minutes, policy) -> tuple[str, Decimal, Decimal]:
    code = CODES[kind]
    entry = policy.score_event(code)
    if kind in (K.LATE, K.EARLY):
        points = late_points(minutes, policy)
    else:
        points = entry.points or Decimal(0)
    return code, points, entry.fine or Decimal(0)


def findings_check(*, start, end, department=None, actor=None) -> CheckReport:
    """ATT-2: check every shift of [start, end] (local dates) whose end has passed; returns what
    was created, updated, cleared and reopened. Idempotent; a fixed number of statements (and
    two per reopened finding, its audit event)."""
    start, end = period(start, end)
    now = timezone.now()
    policy = policy_in_force(at=now)
    report = CheckReport(start, end)
    shifts, punches, makeups, leaves, swaps, own = _read(start, end, department, now)
    report.shifts = len(shifts)
    by_employee = defaultdict(list)
    by_department = defaultdict(set)
    for s in shifts:
        by_employee[s.employee_id].append(s)
    department_of = {}
    if shifts:
        from org.models import Employee

        scope = {s.department_id for s in shifts}
        for pk, dep in Employee.objects.filter(department_id__in=scope).values_list(
            "pk", "department_id"
        ):
            department_of[pk] = dep
            by_department[dep].add(pk)
    computed, claimed = {}, set()
    for mine in by_employee.values():
        for i, s in enumerate(mine):
            prev = mine[i - 1] if i else None
            nxt = mine[i + 1] if i + 1 < len(mine) else None
            window = _window(s, (prev, nxt))
            worker = s.employee_id
            decided = swaps.get(s.swap_id) if s.swap_id else None
            if s.swap_id and (decided is None or decided >= s.start):
                worker = s.rostered_id  # SWAP-1: approved after the fact (or not): as rostered
            colleagues = (
                (pk, punches[pk]) for pk in by_department.get(s.department_id, ()) if pk in punches
            )
            for emp, kind, minutes, evidence in _evaluate(
                s, worker, punches, makeups, leaves, own, colleagues, window, claimed
            ):
                computed[(s.pk, emp, kind)] = (s, minutes, evidence)
    due = due_at(now, decide_days(policy), mode=WORKING, end_of_day=True).at
    with atomic():  # no savepoint of its own inside a whole transaction (a leave cancelled)
        existing = {
            (f.shift_id, f.employee_id, f.kind): f
            for f in Finding.objects.filter(
                shift__date__gte=start, shift__date__lte=end, shift__end__lte=now
            )
            .filter(Q() if department is None else Q(shift__department=department))
            .only(
                "id",
                "shift_id",
                "employee_id",
                "department_id",
                "kind",
                "rule",
                "state",
                "minutes",
                "points",
                "evidence",
                "policy_version",
            )
        }
        new, changed, cleared, reopened = [], [], [], []
        for key, (s, minutes, evidence) in computed.items():
            kind = key[2]
            code, points, fine = _figures(kind, minutes, policy)
            evidence = dict(evidence, rule=RULES[kind], code=code)
            found = existing.get(key)
            if found is None:
                new.append(
                    Finding(
                        shift_id=s.pk,
                        employee_id=key[1],
                        department_id=department_of.get(key[1], s.department_id),
                        kind=kind,
                        minutes=minutes,
                        rule=RULES[kind],
                        code=code,
                        points=points,
                        fine=fine,
                        evidence=evidence,
                        policy_version=policy.version,
                        found_at=now,
                        due_at=due,
                    )
                )
                report.by_kind[kind] = report.by_kind.get(kind, 0) + 1
            elif found.state == FS.PROPOSED and (
                found.minutes != minutes or found.evidence != evidence or found.points != points
            ):
                found.minutes, found.points, found.evidence = minutes, points, evidence
                changed.append(found)
            elif found.state == FS.CLEARED and not _still_answered(
                s, key[1], kind, evidence, leaves, makeups
            ):
                # LEAVE-3, PUNCH-1: what cleared it is gone (a leave cancelled): found again,
                # the same finding, decided within the days from now.
                found.state, found.due_at, found.decided_at, found.reason = (
                    FS.PROPOSED,
                    due,
                    None,
                    "",
                )
                found.minutes, found.points, found.fine = minutes, points, fine
                found.evidence, found.policy_version = evidence, policy.version
                reopened.append(found)
            else:
                report.unchanged += 1
        for key, found in existing.items():
            if key not in computed and found.state == FS.PROPOSED:
                cleared.append(found.pk)
        if new:
            Finding.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        if changed:
            Finding.objects.bulk_update(changed, ["minutes", "points", "evidence"], batch_size=500)
        if cleared:
            Finding.objects.filter(pk__in=cleared, state=FS.PROPOSED).update(
                state=FS.CLEARED, decided_at=now, reason="ATT-2: cause no longer present"
            )
        if reopened:
            _reopen(reopened, actor)
        report.created, report.updated, report.cleared = len(new), len(changed), len(cleared)
        report.reopened = len(reopened)
        report.departments = sorted({f.department_id for f in new + reopened})
        audit.record(
            case_type="findings_check",
            case_id=int(start.strftime("%Y%m%d")),
            action="check",
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            rules=["ATT-2"],
            policy_version=policy.version,
            data=dict(
                report.as_dict(),
                department=getattr(department, "pk", department),
                **({"reopened": report.reopened} if reopened else {}),
            ),
        )
        if new or reopened:
            from .findings_decide import tell_leads

            tell_leads(report.departments, due)
    return report


def _reopen(findings: list[Finding], actor) -> None:
    """Back to proposed (in the check's transaction), each with its audit event."""
    Finding.objects.bulk_update(
        findings,
        [
            "state",
            "due_at",
            "decided_at",
            "reason",
            "minutes",
            "points",
            "fine",
            "evidence",
            "policy_version",
        ],
        batch_size=500,
    )
    for f in findings:
        audit.record(
            case_type="finding",
            case_id=f.pk,
            action="reopen",
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            from_state=FS.CLEARED,
            to_state=FS.PROPOSED,
            rules=[f.rule, "ATT-2"] if f.rule != "ATT-2" else ["ATT-2"],
            policy_version=f.policy_version,
            comment="ATT-2: cause present again (the approval that cleared it no longer stands)",
            data={"due_at": f.due_at.isoformat()},
        )


def clear_for(
    *, employee, kinds, lo: dt.datetime, hi: dt.datetime, why: str, rules, only=None
) -> int:
    """Clear the employee's proposed findings of `kinds` on shifts overlapping [lo, hi] (an
    approval that came later: a make-up, a leave). Decided findings are left alone."""
    now = timezone.now()
    if only is not None:  # the caller has read them already (and found none: no query)
        rows = list(only)
    else:
        rows = list(
            Finding.objects.filter(
                employee=employee,
                kind__in=kinds,
                state=FS.PROPOSED,
                shift__start__lt=hi,
                shift__end__gt=lo,
            ).values_list("pk", flat=True)
        )
    if not rows:
        return 0
    Finding.objects.filter(pk__in=rows, state=FS.PROPOSED).update(
        state=FS.CLEARED, decided_at=now, reason=why
    )
    for pk in rows:
        audit.record(
            case_type="finding",
            case_id=pk,
            action="clear",
            from_state=FS.PROPOSED,
            to_state=FS.CLEARED,
            rules=list(rules),
            comment=why,
        )
    return len(rows)


def clear_for_makeup(punch) -> int:
    """PUNCH-1: an approved make-up clears the missing-punch finding whose missing end it
    answers (the half of the shift's window it falls in); not an absence: a make-up replaces
    one punch, not a shift's two."""
    pks = []
    for pk, start, end, evidence in Finding.objects.filter(
        employee_id=punch.employee_id,
        kind=K.MISSING_PUNCH,
        state=FS.PROPOSED,
        shift__start__lt=punch.missed_at + WINDOW,
        shift__end__gt=punch.missed_at - WINDOW,
    ).values_list("pk", "shift__start", "shift__end", "evidence"):
        if _answered_end(punch.missed_at, start, end) in (evidence or {}).get("missing", []):
            pks.append(pk)
    return clear_for(
        employee=punch.employee_id,
        kinds=[K.MISSING_PUNCH],
        lo=punch.missed_at - WINDOW,
        hi=punch.missed_at + WINDOW,
        why=f"PUNCH-1: make-up #{punch.pk} approved",
        rules=["PUNCH-1", "ATT-3"],
        only=pks,
    )


def clear_for_leave(leave) -> int:
    """LEAVE-2, LEAVE-3: an approved leave (an emergency one too) clears the absence, the missing
    punches and the lateness of the shifts it covers."""
    return clear_for(
        employee=leave.employee_id,
        kinds=list(LEAVE_CLEARS),
        lo=leave.start,
        hi=leave.end,
        why=f"LEAVE-3: leave #{leave.pk} approved",
        rules=["LEAVE-3", "LEAVE-2"] if leave.emergency else ["LEAVE-3"],
    )


def findings_recheck_leave(leave, *, actor=None) -> list[CheckReport]:
    """LEAVE-3: an approved leave is cancelled: the check runs again, in the caller's
    transaction, on the days of the leave where it cleared something, so an absence (or a
    missing punch, a lateness) it answered is found again: the cleared finding is reopened, never
    made twice. Decided findings do not change. One query when the leave cleared nothing (a leave
    cancelled before it starts, the only one LEAVE-1 allows today, has no shift checked yet:
    checking the department's days then would find absences in punches not imported yet)."""
    days: dict[int, set[dt.date]] = defaultdict(set)
    for day, department_id in Finding.objects.filter(
        employee_id=leave.employee_id,
        state=FS.CLEARED,
        kind__in=LEAVE_CLEARS,
        shift__start__lt=leave.end,
        shift__end__gt=leave.start,
    ).values_list("shift__date", "shift__department_id"):
        days[department_id].add(day)
    reports = []
    for department_id, dates in sorted(days.items()):
        first, last = min(dates), max(dates)
        while first <= last:  # a check covers at most 62 days (a long leave: several)
            upto = min(last, first + dt.timedelta(days=62))
            reports.append(
                findings_check(start=first, end=upto, department=department_id, actor=actor)
            )
            first = upto + dt.timedelta(days=1)
    return reports
