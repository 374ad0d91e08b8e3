"""AWARD-1: who may be the excellent employee of the month, each with the reasons (rule IDs).

Maternity, sick and personal leave exclude; annual, marriage and home-visit leave do not; a
violation of the month (a ledger deduction, a penalty made final, a confirmed attendance
finding) excludes; a confirmed late arrival excludes; a probationer is not a candidate. The
reads cost the same number of queries for 3 and for 30 employees."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.attendance.models import Finding, Shift
from approvals.award.candidates import candidacies
from approvals.leave.models import Leave
from performance.models import ScoreEvent
from tests.award.helpers import NOV_10, OCT
from tests.orgdata import build_org, employee

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def at(day, hour=9):
    return dt.datetime(2026, 10, day, hour, 0, tzinfo=TZ)


def leave(emp, kind, start=None, end=None, state="approved"):
    return Leave.objects.create(
        employee=emp,
        department=emp.department,
        kind=kind,
        start=start or at(12),
        end=end or at(13, 18),
        reason="r",
        state=state,
        policy_version="test",
        submitted_at=at(1),
        submitted_by=emp,
    )


def finding(emp, kind, state="confirmed", day=14):
    shift = Shift.objects.create(
        employee=emp,
        rostered=emp,
        department=emp.department,
        date=dt.date(2026, 10, day),
        start=at(day),
        end=at(day, 18),
    )
    return Finding.objects.create(
        shift=shift,
        employee=emp,
        department=emp.department,
        kind=kind,
        minutes=7 if kind in ("late", "early") else None,
        rule="ATT-2",
        policy_version="test",
        found_at=at(day, 19),
        due_at=at(day + 3, 19),
        state=state,
        reason="" if state != "dismissed" else "ok",
    )


def of(emp):
    org_people = candidacies(emp.department, OCT)
    return next(c for c in org_people if c.employee.pk == emp.pk)


def codes(c):
    return [r.code for r in c.reasons]


@pytest.fixture
def org():
    with time_machine.travel(NOV_10, tick=False):
        yield build_org()


def test_award1_a_regular_employee_with_a_clean_month_qualifies(org):
    c = of(org.agent)
    assert c.eligible
    assert codes(c) == ["qualifies"]
    snapshot = c.snapshot()
    assert snapshot["rules"] == ["AWARD-1"] and snapshot["zh-hans"] and snapshot["en"]


def test_award1_maternity_leave_excludes(org):
    leave(org.agent, "maternity")
    c = of(org.agent)
    assert not c.eligible and "leave_maternity" in codes(c)
    assert "Maternity leave" in c.snapshot()["en"][0]


@pytest.mark.parametrize("kind", ["annual", "marriage", "home_visit"])
def test_award1_annual_marriage_and_home_visit_leave_do_not_exclude(org, kind):
    leave(org.agent, kind)
    c = of(org.agent)
    assert c.eligible
    assert f"leave_{kind}" in codes(c)  # shown, marked as not excluding
    assert not next(r for r in c.reasons if r.code == f"leave_{kind}").excludes


@pytest.mark.parametrize("kind", ["sick", "personal"])
def test_award1_sick_and_personal_leave_exclude(org, kind):
    leave(org.agent, kind)
    assert not of(org.agent).eligible
    assert f"leave_{kind}" in codes(of(org.agent))


def test_award1_only_approved_leave_overlapping_the_month_counts(org):
    leave(org.agent, "sick", state="rejected")
    leave(org.agent, "personal", state="pending")
    # September's sick leave ends before October begins.
    leave(
        org.agent,
        "sick",
        start=dt.datetime(2026, 9, 20, 9, tzinfo=TZ),
        end=dt.datetime(2026, 9, 30, 18, tzinfo=TZ),
    )
    assert of(org.agent).eligible
    # A sick leave from September into October does count.
    leave(
        org.agent,
        "sick",
        start=dt.datetime(2026, 9, 29, 9, tzinfo=TZ),
        end=dt.datetime(2026, 10, 2, 18, tzinfo=TZ),
    )
    assert not of(org.agent).eligible


def test_award1_a_deduction_in_the_ledger_excludes(org):
    ScoreEvent.objects.create(
        employee=org.agent,
        month=OCT,
        points=Decimal("-2"),
        reason="complaint",
        source="test:1",
        booked_at=timezone.now(),
    )
    c = of(org.agent)
    assert not c.eligible and "deduction" in codes(c)
    assert "SCORE-3" in c.snapshot()["rules"]
    # A bonus does not.
    ScoreEvent.objects.create(
        employee=org.colleague,
        month=OCT,
        points=Decimal("3"),
        reason="praise",
        source="test:2",
        booked_at=timezone.now(),
    )
    assert of(org.colleague).eligible


def test_award1_a_penalty_made_final_in_the_month_excludes(org):
    from tests.penalty.helpers import serve

    case = serve(org.lead, org.agent)
    from approvals.penalty.models import Penalty

    Penalty.objects.filter(pk=case["id"]).update(state="final", final_at=at(20))
    c = of(org.agent)
    assert not c.eligible and "penalty" in codes(c)


def test_award1_lateness_excludes_once_confirmed(org):
    finding(org.agent, "late", state="proposed")
    assert of(org.agent).eligible  # ATT-3: a proposal is not a fact yet
    finding(org.colleague, "late", state="dismissed")
    assert of(org.colleague).eligible
    finding(org.agent, "late", day=15)
    c = of(org.agent)
    assert not c.eligible and "lateness" in codes(c)


def test_award1_a_confirmed_attendance_finding_is_a_violation(org):
    finding(org.agent, "missing_punch")
    c = of(org.agent)
    assert not c.eligible and "attendance_violation" in codes(c)
    assert "ATT-2" in c.snapshot()["rules"]


def test_award1_a_probationer_is_not_a_candidate(org):
    trainee = employee("trainee", department=org.cs, level="probationer")
    trainee.hired_on = dt.date(2026, 8, 1)
    trainee.save()
    c = of(trainee)
    assert not c.eligible and codes(c) == ["probationer"]


def test_award1_staff_off_the_ladder_and_later_hires_are_not_listed(org):
    off = employee("off", department=org.cs, level=None)
    later = employee("later", department=org.cs)
    later.hired_on = dt.date(2026, 11, 2)
    later.save()
    listed = {c.employee.pk for c in candidacies(org.cs, OCT)}
    assert off.pk not in listed and later.pk not in listed
    assert org.agent.pk in listed and org.other_dept_agent.pk not in listed


def test_award1_the_candidate_reads_are_a_constant_number_of_queries(org):
    candidacies(org.cs, OCT)
    with CaptureQueriesContext(connection) as small:
        candidacies(org.cs, OCT)
    for i in range(30):
        e = employee(f"many{i}", department=org.cs)
        leave(e, "annual")
        finding(e, "late", day=10 + i % 10)
    with CaptureQueriesContext(connection) as large:
        assert len(candidacies(org.cs, OCT)) > 30
    assert len(small) == len(large) == 5
