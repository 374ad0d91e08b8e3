"""ATT-2: what the roster and the punches show — every finding at its edges, the approvals that
clear it (PUNCH-1 make-up, LEAVE-2 emergency leave), the one that does not (SWAP-1 after the
fact), re-running a period, and the check's statements not growing with the shifts."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.attendance.findings import findings_check, late_points
from approvals.attendance.models import Finding, ShiftSwap
from approvals.attendance.punch import punch_approve, punch_request
from approvals.errors import InvalidInput
from approvals.leave.services import leave_approve, leave_submit
from policy.services import policy_in_force
from tests.attendance.findings_helpers import DAY, NOW, at, punch, shift
from tests.orgdata import employee

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def check(**kw):
    return findings_check(start=kw.pop("start", DAY), end=kw.pop("end", DAY), **kw)


def kinds(emp=None):
    qs = Finding.objects.all() if emp is None else Finding.objects.filter(employee=emp)
    return sorted((f.kind, f.minutes, f.state) for f in qs)


# --- late / early at the minute's edge (ATT-2, SCORE-3) ------------------------------------


def test_att2_punches_one_minute_inside_the_shift_are_fine(org, now):
    shift(org.agent)
    punch(org.agent, "08:59", "18:01")
    report = check()
    assert report.shifts == 1 and report.created == 0
    assert kinds() == []


def test_att2_punches_on_the_minute_are_fine(org, now):
    shift(org.agent)
    punch(org.agent, "09:00", "18:00")
    check()
    assert kinds() == []


def test_att2_one_minute_outside_is_late_and_early_with_the_shift_punches_and_rule(org, now):
    s = shift(org.agent)
    punch(org.agent, "09:01", "17:59")
    check()
    assert kinds() == [("early", 1, "proposed"), ("late", 1, "proposed")]
    late = Finding.objects.get(kind="late")
    assert late.rule == "ATT-2" and late.code == "late_or_early"
    assert late.points == Decimal(2) and late.fine == 0
    assert late.evidence["shift"]["id"] == s.pk
    assert late.evidence["punches"] == ["2026-03-09T09:01+08:00", "2026-03-09T17:59+08:00"]
    assert late.evidence["rule"] == "ATT-2"
    assert late.department_id == org.cs.pk and late.shift_id == s.pk


@pytest.mark.parametrize(
    "minutes,points", [(1, 2), (10, 2), (11, 3), (20, 3), (21, 4), (30, 4), (31, 5), (200, 5)]
)
def test_att2_score3_lateness_scale_by_minutes(db, minutes, points):
    assert late_points(minutes, policy_in_force()) == Decimal(points)


def test_att2_late_points_follow_the_scale(org, now):
    shift(org.agent)
    punch(org.agent, "09:25", "18:00")
    check()
    late = Finding.objects.get()
    assert (late.kind, late.minutes, late.points) == ("late", 25, Decimal(4))


def test_att2_seconds_inside_the_minute_are_not_late(org, now):
    shift(org.agent)
    punch(org.agent, at(DAY, "09:00", 59), "18:00")
    check()
    assert kinds() == []


# --- missing punch (PUNCH-1) ---------------------------------------------------------------


def test_punch1_one_end_without_punch_is_a_missing_punch_with_fine_10(org, now):
    shift(org.agent)
    punch(org.agent, "08:55")
    check()
    f = Finding.objects.get()
    assert (f.kind, f.rule, f.code, f.points, f.fine) == (
        "missing_punch",
        "PUNCH-1",
        "missed_punch",
        Decimal(5),
        Decimal(10),
    )
    assert f.evidence["missing"] == ["leave"]


def test_punch1_approved_make_up_before_the_check_means_no_finding(org):
    shift(org.agent)
    punch(org.agent, "08:55")
    with time_machine.travel(at(DAY, "19:00"), tick=False):
        case = punch_request(actor=org.agent.user, missed_at=at(DAY, "18:00"), reason="忘记打卡")
        punch_approve(punchcorrection=case, actor=org.lead.user)
    with time_machine.travel(NOW, tick=False):
        check()
    assert kinds() == []


def test_punch1_make_up_approved_after_the_import_clears_the_finding(org):
    shift(org.agent)
    punch(org.agent, "08:55")
    with time_machine.travel(NOW, tick=False):
        check()
        assert kinds() == [("missing_punch", None, "proposed")]
        case = punch_request(actor=org.agent.user, missed_at=at(DAY, "18:00"), reason="忘记打卡")
        punch_approve(punchcorrection=case, actor=org.lead.user)
    f = Finding.objects.get()
    assert f.state == "cleared" and "PUNCH-1" in f.reason
    with time_machine.travel(NOW, tick=False):
        report = check()  # the make-up is still there on a re-run: no new finding
    assert report.created == 0 and kinds() == [("missing_punch", None, "cleared")]


def test_punch1_make_up_of_the_other_end_does_not_clear(org):
    shift(org.agent)
    punch(org.agent, "08:55")
    with time_machine.travel(NOW, tick=False):
        check()
        case = punch_request(actor=org.agent.user, missed_at=at(DAY, "09:00"), reason="多打一次")
        punch_approve(punchcorrection=case, actor=org.lead.user)
        check()
    # the make-up is near the start (08:55's half): the missing leave punch stays
    assert kinds() == [("missing_punch", None, "proposed")]


# --- absence (LEAVE-3, LEAVE-2) ------------------------------------------------------------


def test_leave3_no_punch_and_no_leave_is_absenteeism_20_and_30(org, now):
    shift(org.agent)
    check()
    f = Finding.objects.get()
    assert (f.kind, f.rule, f.code, f.points, f.fine) == (
        "absence",
        "LEAVE-3",
        "absenteeism",
        Decimal(20),
        Decimal(30),
    )
    assert f.evidence["punches"] == []


def test_leave3_approved_leave_covering_the_shift_means_no_absence(org):
    shift(org.agent)
    with time_machine.travel(at(dt.date(2026, 3, 6), "10:00"), tick=False):
        leave = leave_submit(
            actor=org.agent.user,
            kind="personal",
            start=at(DAY, "09:00"),
            end=at(DAY, "18:00"),
            reason="看病",
        )
        leave_approve(leave=leave, actor=org.lead.user)
    with time_machine.travel(NOW, tick=False):
        check()
    assert kinds() == []


def test_leave2_emergency_leave_recorded_within_the_hour_clears_the_absence(org):
    shift(org.agent)
    with time_machine.travel(at(DAY, "09:59"), tick=False):
        leave = leave_submit(
            actor=org.agent.user,
            kind="sick",
            start=at(DAY, "09:00"),
            end=at(DAY, "18:00"),
            reason="急病",
            emergency=True,
        )
    with time_machine.travel(NOW, tick=False):
        check()  # still pending: the absence is proposed
        assert kinds() == [("absence", None, "proposed")]
        leave_approve(leave=leave, actor=org.lead.user)
    f = Finding.objects.get()
    assert f.state == "cleared" and "LEAVE-3" in f.reason
    with time_machine.travel(NOW, tick=False):
        assert check().created == 0
    assert kinds() == [("absence", None, "cleared")]


def test_leave2_a_rejected_emergency_leave_leaves_the_absence(org):
    from approvals.leave.services import leave_reject

    shift(org.agent)
    with time_machine.travel(at(DAY, "09:30"), tick=False):
        leave = leave_submit(
            actor=org.agent.user,
            kind="sick",
            start=at(DAY, "09:00"),
            end=at(DAY, "18:00"),
            reason="急病",
            emergency=True,
        )
    with time_machine.travel(NOW, tick=False):
        check()
        leave_reject(leave=leave, actor=org.lead.user, reason="没有证明")
        check()
    assert kinds() == [("absence", None, "proposed")]


def test_leave3_punches_imported_later_clear_a_proposed_absence(org, now):
    shift(org.agent)
    check()
    punch(org.agent, "09:00", "18:00")
    report = check()
    assert report.cleared == 1
    assert kinds() == [("absence", None, "cleared")]


def test_att2_later_punches_update_a_proposed_finding(org, now):
    shift(org.agent)
    punch(org.agent, "08:50")
    check()
    punch(org.agent, "17:30")
    report = check()
    assert report.cleared == 1 and report.created == 1
    assert kinds() == [("early", 30, "proposed"), ("missing_punch", None, "cleared")]


# --- a shift worked by someone else (SWAP-1) -----------------------------------------------


def test_swap1_shift_worked_by_a_colleague_without_approval_is_a_fine_20(org, now):
    s = shift(org.agent)
    punch(org.colleague, "08:58", "18:02")
    check()
    f = Finding.objects.get()
    assert (f.employee, f.kind, f.rule, f.code, f.points, f.fine) == (
        org.agent,
        "unapproved_swap",
        "SWAP-1",
        "unapproved_swap",
        Decimal(0),
        Decimal(20),
    )
    assert f.evidence["substitute"] == org.colleague.pk and f.shift_id == s.pk


def test_swap1_a_colleague_punching_for_their_own_shift_is_no_swap(org, now):
    shift(org.agent)
    shift(org.colleague)
    punch(org.colleague, "08:58", "18:02")
    check()
    assert kinds(org.agent) == [("absence", None, "proposed")]
    assert kinds(org.colleague) == []


def _approved_swap(org, decided_at):
    return ShiftSwap.objects.create(
        employee=org.agent,
        department=org.cs,
        colleague=org.colleague,
        shift_start=at(DAY, "09:00"),
        shift_end=at(DAY, "18:00"),
        colleague_shift_start=at(DAY + dt.timedelta(days=1), "09:00"),
        colleague_shift_end=at(DAY + dt.timedelta(days=1), "18:00"),
        state="approved",
        policy_version="test",
        submitted_at=decided_at,
        decided_at=decided_at,
    )


def test_swap1_a_swap_approved_before_the_shift_is_the_colleagues_shift(org, now):
    s = shift(org.agent)
    swap = _approved_swap(org, at(DAY - dt.timedelta(days=2), "10:00"))
    s.employee, s.swap = org.colleague, swap
    s.save()
    punch(org.colleague, "09:00", "18:00")
    check()
    assert kinds() == []


def test_swap1_a_swap_approved_after_the_fact_does_not_clear_the_finding(org, now):
    s = shift(org.agent)
    punch(org.colleague, "09:00", "18:00")
    check()
    assert kinds(org.agent) == [("unapproved_swap", None, "proposed")]
    swap = _approved_swap(org, NOW)  # approved today, after the shift
    s.employee, s.swap = org.colleague, swap
    s.save()
    report = check()
    assert report.cleared == 0 and report.created == 0
    assert kinds(org.agent) == [("unapproved_swap", None, "proposed")]
    assert kinds(org.colleague) == []


# --- the period, re-runs, statements -------------------------------------------------------


def test_att2_a_shift_not_yet_ended_is_not_checked(org):
    shift(org.agent)
    with time_machine.travel(at(DAY, "17:59"), tick=False):
        assert check().shifts == 0
    assert kinds() == []


def test_att2_running_the_check_twice_makes_each_finding_once(org, now):
    shift(org.agent)
    shift(org.colleague)
    punch(org.colleague, "09:10")
    first = check()
    second = check()
    assert first.created == 3 and second.created == 0 and second.unchanged == 3
    assert Finding.objects.count() == 3


def test_att2_decided_findings_are_never_cleared_by_a_rerun(org, now):
    f_shift = shift(org.agent)
    check()
    Finding.objects.filter(shift=f_shift).update(state="dismissed", reason="ok")
    punch(org.agent, "09:00", "18:00")
    assert check().cleared == 0
    assert kinds() == [("absence", None, "dismissed")]


def test_att2_department_filter(org, now):
    shift(org.agent)
    shift(org.other_dept_agent)
    check(department=org.cs)
    assert list(Finding.objects.values_list("employee", flat=True)) == [org.agent.pk]


def test_att2_due_time_is_three_working_days_after_the_check(org, now):
    shift(org.agent)
    check()
    f = Finding.objects.get()
    # Tuesday 2026-03-10 + 3 working days = Friday 2026-03-13, end of day, local
    assert f.due_at == at(dt.date(2026, 3, 13), "23:59", 59).replace(microsecond=999999)


def test_att2_bad_periods_are_refused(db):
    with pytest.raises(InvalidInput) as exc:
        findings_check(start="2026-03-10", end="2026-03-01")
    assert exc.value.code == "bad_period" and exc.value.rule == "ATT-2"
    with pytest.raises(InvalidInput) as exc:
        findings_check(start="March", end="2026-03-01")
    assert exc.value.code == "bad_date"
    with pytest.raises(InvalidInput) as exc:
        findings_check(start="2026-01-01", end="2026-06-01")
    assert exc.value.code == "period_too_long"


def _build(n, dept):
    from approvals.attendance.models import Punch, Shift

    people = [employee(f"n{dept.code}{i}", department=dept) for i in range(n)]
    shifts, punches = [], []
    for i, p in enumerate(people):
        for d in range(5):
            day = DAY - dt.timedelta(days=d)
            start, end = at(day, "09:00"), at(day, "18:00")
            shifts.append(
                Shift(employee=p, rostered=p, department=dept, date=day, start=start, end=end)
            )
            if i % 3:  # two in three on time but five minutes late, the third absent
                punches += [
                    Punch(employee=p, at=start + dt.timedelta(minutes=5)),
                    Punch(employee=p, at=end),
                ]
    Shift.objects.bulk_create(shifts)
    Punch.objects.bulk_create(punches)


def test_att2_the_checks_statements_do_not_grow_with_the_shifts(org, now):
    """ATT-2 at scale: 10 shifts or 150, the same statements (bulk reads and writes)."""
    from tests.factories import DepartmentFactory

    small, big = DepartmentFactory(code="small"), DepartmentFactory(code="big")
    _build(2, small)
    _build(30, big)
    week = {"start": DAY - dt.timedelta(days=6), "end": DAY}
    check(department=small, start=DAY - dt.timedelta(days=30), end=DAY - dt.timedelta(days=29))
    with CaptureQueriesContext(connection) as few:
        assert check(department=small, **week).created == 10
    with CaptureQueriesContext(connection) as many:
        report = check(department=big, **week)
    assert report.shifts == 150 and report.created == 150

    def shapes(ctx):  # the statements, INSERT batches of the bulk writes counted apart
        sql = [q["sql"] for q in ctx.captured_queries]
        inserts = [q for q in sql if q.startswith("INSERT") and '"approvals_finding"' in q[:60]]
        return len(sql) - len(inserts), len(inserts)

    (few_reads, few_inserts), (many_reads, many_inserts) = shapes(few), shapes(many)
    assert many_reads == few_reads
    # bulk_create's batches: one on PostgreSQL, SQLite's parameter limit allows fewer rows
    assert few_inserts == 1 and many_inserts <= 1 + 150 // 50
