"""The demo's activity (`manage.py seed_demo`, after org.demo's people and scores): what the newer
pages show, made through the services the pages and the API call, as the people who would.

- The monthly ledger (SCORE-9): a handful of catalogue events of the current month, recorded by
  the trainer (chen.jing) about agents and by the lead (zhang.wei) about the trainer
  (performance.ledger.ledger_record, the API's `POST ledger/`).
- The pay sheet (PAY-1): the previous month closed by administration (li.na, SCORE-10: a month
  without ledger events is left to administration; the sweep closes only months with events)
  and its sales imported for the agents (performance.sales.sales_import).
- Attendance (ATT-1..3): the current week's roster of 客服部 imported by the lead
  (approvals.attendance.roster.roster_import; on a Monday the previous week's too, so that some
  days are past), and the punches of the shifts of the days already past imported by
  administration (approvals.attendance.punches.punches_import, which runs the check). Every
  shift is punched on time except two on one day: wu.xia arrives 17 minutes late and guo.peng
  forgets to punch out, two findings left for the lead to decide. That day is the week's first
  past working day in the current month (else the week's first past working day), so that a
  confirmation books to a month still open whenever a day of it has passed.

Idempotent and safe on a database people have used: each ledger event is recorded once (found
again by its employee, month, code and note, which carries the 演示 marker); sales are imported
only for agents without a figure for the month; a week is rostered only when the department has
no shift in it, and punched only when its shifts are still the demo's; a shift is not punched
when its worker is on approved leave or has punches of their own there; a refusal of a service
(a role changed, a month closed) skips that item. A second run reads a few rows and writes
nothing.

`demo_months_settle`, run before org.demo's score import, keeps a month from having both ledger
events and imported scores (SCORE-10 refuses to close such a month): when a month that holds
events has ended, the demo's scores are recorded for the people without events, then
administration closes the month (SCORE-10: administration may close before the close day).
"""

import datetime as dt
import zlib
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from approvals.attendance.models import Finding, FindingState, Punch, Shift
from approvals.attendance.punches import punches_import
from approvals.attendance.roster import roster_import
from approvals.errors import DomainError
from approvals.leave.models import Leave, LeaveState
from org.demo import SCORES, _seed_scores
from org.levels import Role
from org.models import Department, Employee
from org.selectors import users_with_role
from performance.ledger import ledger_record
from performance.ledger_close import month_close
from performance.models import Assessment, SalesFigure, ScoreEvent
from performance.sales import sales_import
from performance.selectors import last_complete_months
from policy.deadlines import company_tz

DEPARTMENT = "cs"
TRAINER, ADMINISTRATOR = "chen.jing", "li.na"
MARK = "（演示）"  # ends every demo ledger note: the demo's events are found again by it

# (recorded by, about, catalogue code, points or None for a fixed entry, note)
LEDGER_EVENTS = [
    ("trainer", "huang.lei", "covered_shift", None, "周末大促人手不足，主动顶班" + MARK),
    ("trainer", "xu.tao", "exam_full_marks", None, "本月客服技能考试满分" + MARK),
    ("trainer", "ma.chao", "suggestion_adopted", None, "快捷回复模板建议经试行后推广" + MARK),
    ("trainer", "lin.fang", "entry_error", None, "客服信息录入错误：订单号填错一位" + MARK),
    ("trainer", "song.jia", "complaint_reply", None, "顾客申诉超过时限未回复" + MARK),
    ("trainer", "zhao.qiang", "spot_check_error", 3, "主管抽查发现话术不规范" + MARK),
    ("lead", "chen.jing", "extra_work", None, "完成新员工培训教材的整理" + MARK),
]

# The previous month's sales in yuan (SCORE-8 bands: none below 20,000, then 0.7% .. 1.3%).
SALES = {
    "gao.yan": "62000.00",
    "liu.yang": "45800.00",
    "ma.chao": "38600.00",
    "yang.li": "31200.00",
    "zhao.qiang": "27500.00",
    "he.jun": "24300.00",
    "luo.xin": "21000.00",
    "huang.lei": "33400.00",
    "wu.xia": "18900.00",
    "xu.tao": "41200.00",
    "lin.fang": "15600.00",
    "guo.peng": "22800.00",
    "song.jia": "19700.00",
    "sun.yue": "12500.00",
    "zhu.lin": "8300.00",
}

# The roster: the agents of 客服部, Monday to Saturday (Sunday is nobody's shift). The two whose
# punches make the findings work every day shift; the others rest one weekday each and one in
# three works the evening shift (seed 000: day 9:00–18:00, evening 15:00–24:00).
AGENTS = list(SALES)
LATE, MISSING = "wu.xia", "guo.peng"
LATE_MINUTES = 17
DAY, EVENING = (dt.time(9), dt.time(18)), (dt.time(15), None)  # None: 24:00
WORKDAYS = 6


@dataclass
class ActivityReport:
    events: int = 0
    sales: int = 0
    closed: list[str] = field(default_factory=list)  # months closed (YYYY-MM)
    shifts: int = 0
    punches: int = 0
    findings: int = 0  # findings the check created
    open_findings: int = 0  # of the demo department, awaiting the lead
    skipped: list[str] = field(default_factory=list)  # what a service refused, and why

    def summary(self) -> str:
        closed = ", ".join(self.closed) or "-"
        line = (
            f"demo activity 演示业务: {self.events} ledger events 台账事件, "
            f"{self.sales} sales figures 销售额, months closed 月结 {closed}, "
            f"{self.shifts} shifts 排班, {self.punches} punches 打卡, "
            f"{self.findings} findings 考勤异常 ({self.open_findings} open 待处理)"
        )
        if self.skipped:
            line += f"; skipped 跳过: {'; '.join(self.skipped)}"
        return line


def _local_today(now: dt.datetime) -> dt.date:
    return timezone.localtime(now, company_tz()).date()


def _previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def _user(username: str, role: str):
    """The demo's holder of `role`, else any active holder, else None."""
    holders = list(users_with_role(role))
    return next((u for u in holders if u.username == username), holders[0] if holders else None)


def _refused(report: ActivityReport, what: str, exc: DomainError) -> None:
    report.skipped.append(f"{what}: {exc.detail}")


# --- before org.demo's import: a month with events is closed, never imported (SCORE-10) -----------


def demo_months_settle() -> list[str]:
    """Close each ended month (of the last 12) that has ledger events not yet closed, after
    recording the demo's scores for the people without events; returns the months closed. One
    query when there is nothing to do."""
    now = timezone.now()
    current = _local_today(now).replace(day=1)
    months = last_complete_months(12, at=now)
    closed_row = Assessment.objects.filter(
        employee=OuterRef("employee"), month=OuterRef("month"), closed_at__isnull=False
    )
    pending = (
        ScoreEvent.objects.exclude(code="")
        .filter(month__gte=months[0], month__lt=current)
        .filter(~Exists(closed_row))
    )
    due = sorted(set(pending.values_list("month", flat=True)))
    if not due:
        return []
    admin = _user(ADMINISTRATOR, Role.ADMINISTRATION)
    if admin is None:
        return []
    people = {
        e.user.username: e
        for e in Employee.objects.select_related("user").filter(user__username__in=SCORES)
    }
    done = []
    for month in due:
        with_events = set(
            ScoreEvent.objects.exclude(code="")
            .filter(month=month)
            .values_list("employee_id", flat=True)
        )
        upto = months.index(month) + 1
        try:
            with transaction.atomic():
                for username, scores in SCORES.items():
                    employee = people.get(username)
                    if employee is not None and employee.pk not in with_events:
                        _seed_scores(employee, months[:upto], scores[:upto])
                closed = month_close(actor=admin, month=month).closed
        except DomainError:
            continue  # left as it was, for administration
        if closed:
            done.append(f"{month:%Y-%m}")
    return done


# --- after org.demo: the activity ---------------------------------------------------------------


def demo_activity(*, settled=()) -> ActivityReport:
    """Record what is missing of the demo's activity (see the module's docstring); `settled`:
    the months demo_months_settle closed, for the report."""
    today = _local_today(timezone.now())
    report = ActivityReport(closed=list(settled))
    department = Department.objects.filter(code=DEPARTMENT).select_related("lead__user").first()
    if department is None:
        return report
    agents = {
        e.user.username: e
        for e in Employee.objects.select_related("user").filter(
            department=department, user__username__in=AGENTS, user__is_active=True
        )
    }
    admin = _user(ADMINISTRATOR, Role.ADMINISTRATION)
    previous = _previous_month(today.replace(day=1))
    if admin is not None:
        _close_previous_month(report, admin, previous)
        _sales(report, admin, agents, previous, hired_before=today.replace(day=1))
    _ledger(report, department, today.replace(day=1))
    lead = department.lead.user if department.lead is not None else None
    if lead is not None and lead.is_active:
        _attendance(report, department, lead, admin, agents, today)
    report.open_findings = Finding.objects.filter(
        department=department, state=FindingState.PROPOSED
    ).count()
    return report


def _close_previous_month(report, admin, month: dt.date) -> None:
    """PAY-1 reads closed months only: administration closes the previous month (its scores are
    org.demo's imported ones) when some of it is still open."""
    if not Assessment.objects.filter(month=month, closed_at__isnull=True).exists():
        return
    try:
        month_close(actor=admin, month=month)
    except DomainError as exc:
        _refused(report, f"close {month:%Y-%m}", exc)
        return
    report.closed.append(f"{month:%Y-%m}")


def _sales(report, admin, agents: dict, month: dt.date, *, hired_before: dt.date) -> None:
    have = set(
        SalesFigure.objects.filter(month=month, employee__in=agents.values()).values_list(
            "employee_id", flat=True
        )
    )
    rows = [
        {"username": username, "month": f"{month:%Y-%m}", "amount": SALES[username]}
        for username, employee in agents.items()
        if employee.pk not in have and employee.hired_on < hired_before
    ]
    if not rows:
        return
    try:
        result = sales_import(actor=admin, rows=rows)
    except DomainError as exc:
        _refused(report, "sales", exc)
        return
    if result.ok:
        report.sales += result.created
    else:
        report.skipped.append("sales: " + "; ".join(str(e) for e in result.errors))


def _ledger(report, department, month: dt.date) -> None:
    """SCORE-9: the trainer about agents, the lead about the trainer, once per month."""
    usernames = {about for _by, about, *_rest in LEDGER_EVENTS}
    people = {
        e.user.username: e
        for e in Employee.objects.select_related("user", "department").filter(
            department=department, user__username__in=usernames
        )
    }
    recorded = set(
        ScoreEvent.objects.filter(
            month=month, employee__in=people.values(), note__endswith=MARK
        ).values_list("employee_id", "code", "note")
    )
    trainer = _user(TRAINER, Role.TRAINER)
    lead = department.lead.user if department.lead is not None else None
    for by, about, code, points, note in LEDGER_EVENTS:
        employee = people.get(about)
        actor = trainer if by == "trainer" else lead
        if employee is None or actor is None or (employee.pk, code, note) in recorded:
            continue
        try:
            with transaction.atomic():
                ledger_record(
                    actor=actor,
                    employee=employee,
                    month=month,
                    code=code,
                    points=points,
                    note=note,
                )
        except DomainError as exc:
            _refused(report, f"{code} {about}", exc)
            continue
        report.events += 1


# --- attendance (ATT-1, ATT-2) -------------------------------------------------------------------


def _weeks(today: dt.date) -> list[dt.date]:
    """The Mondays rostered: the current week's, and on a Monday (no day of it past yet) the
    previous week's first."""
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(days=7), monday] if today == monday else [monday]


def _bounds(day: dt.date, times) -> tuple[dt.datetime, dt.datetime]:
    tz = company_tz()
    start, end = times
    begins = dt.datetime.combine(day, start, tzinfo=tz)
    if end is None:
        return begins, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return begins, dt.datetime.combine(day, end, tzinfo=tz)


def _week_plan(monday: dt.date, agents: dict) -> list[tuple]:
    """The week's roster: (username, date, start, end) for the agents present."""
    plan, others = [], 0
    for username in AGENTS:
        if username not in agents:
            continue
        if username in (LATE, MISSING):
            days, times = range(WORKDAYS), DAY
        else:
            rest = others % WORKDAYS
            days = [d for d in range(WORKDAYS) if d != rest]
            times = EVENING if others % 3 == 2 else DAY
            others += 1
        for offset in days:
            day = monday + dt.timedelta(days=offset)
            plan.append((username, day, *_bounds(day, times)))
    return plan


def _roster_rows(plan) -> list[dict]:
    return [
        {
            "username": username,
            "date": day.isoformat(),
            "start": timezone.localtime(start, company_tz()).strftime("%H:%M"),
            "end": "24:00"
            if timezone.localtime(end, company_tz()).time() == dt.time()
            else timezone.localtime(end, company_tz()).strftime("%H:%M"),
        }
        for username, day, start, end in plan
    ]


def _week_shifts(department, monday: dt.date) -> list[Shift]:
    return list(
        Shift.objects.filter(
            department=department, date__gte=monday, date__lte=monday + dt.timedelta(days=6)
        ).select_related("employee__user", "rostered__user")
    )


def _attendance(report, department, lead, admin, agents: dict, today: dt.date) -> None:
    ours: list[Shift] = []
    anomaly_days = {}
    for monday in _weeks(today):
        plan = _week_plan(monday, agents)
        if not plan:
            continue
        wanted = {(agents[u].pk, s, e) for u, _d, s, e in plan}
        shifts = _week_shifts(department, monday)
        if not shifts:
            try:
                result = roster_import(actor=lead, rows=_roster_rows(plan), department=department)
            except DomainError as exc:
                _refused(report, f"roster {monday}", exc)
                continue
            if not result.ok:
                report.skipped.append(f"roster {monday}: " + "; ".join(map(str, result.errors)))
                continue
            report.shifts += result.created
            shifts = _week_shifts(department, monday)
        if {(s.rostered_id, s.start, s.end) for s in shifts} != wanted:
            continue  # somebody else's roster for this week: left alone
        ours.extend(shifts)
        past = [d for d in (monday + dt.timedelta(days=i) for i in range(WORKDAYS)) if d < today]
        this_month = [d for d in past if d >= today.replace(day=1)]
        if past:
            anomaly_days[monday] = min(this_month or past)
    if admin is not None:
        _punches(report, admin, ours, anomaly_days, today)


def _planned_punches(shift: Shift, anomaly_day: dt.date | None) -> list[dt.datetime]:
    """The punches of one shift: on time (a few minutes early, out a few minutes after the end;
    out of an evening shift just before midnight), or the demo's late arrival or missing punch."""
    rostered = shift.rostered.user.username
    jitter = zlib.crc32(f"{rostered}|{shift.date}".encode())
    arrive = shift.start - dt.timedelta(minutes=1 + jitter % 14, seconds=jitter % 60)
    if timezone.localtime(shift.end, company_tz()).time() == dt.time():
        leave = shift.end - dt.timedelta(seconds=10 + jitter % 40)  # within the last minute
    else:
        leave = shift.end + dt.timedelta(minutes=jitter % 9, seconds=(jitter // 7) % 60)
    if shift.date == anomaly_day and shift.employee_id == shift.rostered_id:
        if rostered == LATE:
            arrive = shift.start + dt.timedelta(minutes=LATE_MINUTES, seconds=20)
        elif rostered == MISSING:
            return [arrive]
    return [arrive, leave]


def _punches(report, admin, shifts: list[Shift], anomaly_days: dict, today: dt.date) -> None:
    """ATT-2: the punches of the shifts of the days already past, by administration."""
    past = [s for s in shifts if s.date < today]
    if not past:
        return
    workers = {s.employee_id for s in past}
    lo = min(s.start for s in past) - dt.timedelta(hours=4)
    hi = max(s.end for s in past) + dt.timedelta(hours=4)
    stored: dict[int, set] = {}
    for employee_id, at in Punch.objects.filter(
        employee_id__in=workers, at__gte=lo, at__lte=hi
    ).values_list("employee_id", "at"):
        stored.setdefault(employee_id, set()).add(at)
    away: dict[int, list] = {}
    for employee_id, start, end in Leave.objects.filter(
        employee_id__in=workers, state=LeaveState.APPROVED, start__lt=hi, end__gt=lo
    ).values_list("employee_id", "start", "end"):
        away.setdefault(employee_id, []).append((start, end))
    planned = {
        s.pk: _planned_punches(s, anomaly_days.get(s.date - dt.timedelta(days=s.date.weekday())))
        for s in past
    }
    mine: dict[int, set] = {}
    for s in past:
        mine.setdefault(s.employee_id, set()).update(planned[s.pk])
    tz = company_tz()
    rows = []
    for s in past:
        if any(start < s.end and end > s.start for start, end in away.get(s.employee_id, ())):
            continue  # on approved leave: no punches (LEAVE-3)
        window = (s.start - dt.timedelta(hours=4), s.end + dt.timedelta(hours=4))
        theirs = {at for at in stored.get(s.employee_id, ()) if window[0] <= at <= window[1]}
        if theirs - mine[s.employee_id]:
            continue  # punches that are not the demo's: somebody imported this shift already
        rows.extend(
            {
                "username": s.employee.user.username,
                "time": timezone.localtime(at, tz).strftime("%Y-%m-%d %H:%M:%S"),
            }
            for at in planned[s.pk]
            if at not in theirs
        )
    if not rows:
        return
    try:
        result = punches_import(actor=admin, rows=rows)
    except DomainError as exc:
        _refused(report, "punches", exc)
        return
    if not result.ok:
        report.skipped.append("punches: " + "; ".join(map(str, result.errors)))
        return
    report.punches += result.created
    if result.check is not None:
        report.findings += result.check.created
