"""LEAVE-3, ATT-2: a finding an approved leave cleared comes back when the leave no longer stands.

Cancelling an approved leave runs the check again on its days in the cancellation's transaction:
the cleared absence is reopened (back to proposed, its due time planned from then, audited),
never made twice; a check run again changes nothing; a finding the lead confirmed or dismissed
stays as decided; a cleared finding an approved leave still answers stays cleared.

LEAVE-1 lets an approved leave be cancelled only before it starts, and no shift of a leave not
started has been checked, so nothing it cleared exists yet; the tests that cancel a started
leave lift that one guard (`revocable`), as a revocation after the start would."""

import datetime as dt

import pytest
import time_machine

from approvals import permissions as perms
from approvals.attendance.findings import decide_days, findings_check
from approvals.attendance.findings_decide import finding_confirm, finding_dismiss
from approvals.attendance.models import Finding
from approvals.leave import services as leave_services
from approvals.leave.models import Leave, LeaveState
from approvals.leave.services import leave_approve, leave_cancel, leave_submit
from audit.models import AuditEvent
from policy.deadlines import WORKING, due_at
from policy.services import policy_in_force
from tests.attendance.findings_helpers import DAY, NOW, at, punch, shift

pytestmark = pytest.mark.django_db

TUESDAY = DAY + dt.timedelta(days=1)
THURSDAY = at(DAY + dt.timedelta(days=3), "10:00")  # two days after the check: a later due day


@pytest.fixture
def revocable(monkeypatch):
    """The owner may cancel their approved leave after its start (LEAVE-1 says before only)."""
    monkeypatch.setattr(
        leave_services,
        "check_canceller",
        lambda actor, leave: perms.require_owner(actor, leave, rule="LEAVE-1"),
    )


def check(start=DAY, end=DAY):
    return findings_check(start=start, end=end)


def states():
    return sorted((f.shift.date, f.kind, f.state) for f in Finding.objects.select_related("shift"))


def emergency_leave(org, end_day=DAY):
    """LEAVE-2: sick from the shift's start, recorded within the hour, decided afterwards."""
    with time_machine.travel(at(DAY, "09:59"), tick=False):
        return leave_submit(
            actor=org.agent.user,
            kind="sick",
            start=at(DAY, "09:00"),
            end=at(end_day, "18:00"),
            reason="急病",
            emergency=True,
        )


def absence_cleared_by_leave(org):
    shift(org.agent)
    leave = emergency_leave(org)
    with time_machine.travel(NOW, tick=False):
        check()  # the leave is still pending: the absence is proposed
        leave = leave_approve(leave=leave, actor=org.lead.user)  # LEAVE-3: cleared
    assert states() == [(DAY, "absence", "cleared")]
    return leave, Finding.objects.get()


def test_leave3_att2_cancelling_the_leave_reopens_the_absence_once(org, revocable):
    leave, finding = absence_cleared_by_leave(org)
    first_due = finding.due_at
    with time_machine.travel(THURSDAY, tick=False):
        leave_cancel(leave=leave, actor=org.agent.user, reason="其实来上班了")
        planned = due_at(THURSDAY, decide_days(policy_in_force()), mode=WORKING, end_of_day=True)
    finding.refresh_from_db()
    assert Leave.objects.get().state == LeaveState.CANCELLED
    assert Finding.objects.count() == 1  # the same finding, not a second one
    assert (finding.kind, finding.state, finding.rule) == ("absence", "proposed", "LEAVE-3")
    assert finding.decided_at is None and finding.reason == ""
    assert finding.due_at == planned.at and finding.due_at > first_due  # re-planned from now
    reopen = AuditEvent.objects.get(case_type="finding", case_id=finding.pk, action="reopen")
    assert (reopen.from_state, reopen.to_state) == ("cleared", "proposed")
    assert reopen.actor == org.agent.user and "LEAVE-3" in reopen.rules


def test_leave3_att2_a_check_after_the_reopening_still_finds_it_once(org, revocable):
    leave, finding = absence_cleared_by_leave(org)
    with time_machine.travel(THURSDAY, tick=False):
        leave_cancel(leave=leave, actor=org.agent.user)
        report = check()
        again = check()
    assert (report.created, report.reopened, report.unchanged) == (0, 0, 1)
    assert (again.created, again.reopened, again.unchanged) == (0, 0, 1)
    assert states() == [(DAY, "absence", "proposed")]
    assert AuditEvent.objects.filter(case_type="finding", action="reopen").count() == 1


def test_att2_the_check_reopens_a_cleared_absence_whose_leave_no_longer_stands(org):
    """However the leave stopped standing, the next check finds the absence again, once."""
    leave, finding = absence_cleared_by_leave(org)
    Leave.objects.filter(pk=leave.pk).update(state=LeaveState.CANCELLED)
    with time_machine.travel(THURSDAY, tick=False):
        report = check()
        again = check()
    assert (report.reopened, report.created) == (1, 0)
    assert (again.reopened, again.created, again.unchanged) == (0, 0, 1)
    assert states() == [(DAY, "absence", "proposed")]
    checks = AuditEvent.objects.filter(case_type="findings_check").order_by("pk")
    assert [e.data.get("reopened") for e in checks] == [None, 1, None]  # the check's record


@pytest.mark.parametrize("decision", ["confirm", "dismiss"])
def test_leave3_att3_a_decided_finding_stays_as_the_lead_decided(org, revocable, decision):
    """Monday's absence decided by the lead, Tuesday's cleared by the leave: cancelling it
    reopens Tuesday's only; checking both days again changes neither."""
    shift(org.agent)
    shift(org.agent, day=TUESDAY)
    leave = emergency_leave(org, end_day=TUESDAY)
    wednesday = at(DAY + dt.timedelta(days=2), "12:00")
    with time_machine.travel(wednesday, tick=False):
        check(DAY, TUESDAY)
        monday = Finding.objects.get(shift__date=DAY)
        if decision == "confirm":
            finding_confirm(actor=org.lead.user, finding=monday)
        else:
            finding_dismiss(actor=org.lead.user, finding=monday, reason="已核实在岗")
        leave_approve(leave=leave, actor=org.lead.user)
    decided = "confirmed" if decision == "confirm" else "dismissed"
    assert states() == [(DAY, "absence", decided), (TUESDAY, "absence", "cleared")]
    with time_machine.travel(THURSDAY, tick=False):
        leave_cancel(leave=leave, actor=org.agent.user)
        assert states() == [(DAY, "absence", decided), (TUESDAY, "absence", "proposed")]
        report = check(DAY, TUESDAY)
    assert (report.created, report.reopened, report.updated) == (0, 0, 0)
    assert states() == [(DAY, "absence", decided), (TUESDAY, "absence", "proposed")]
    monday.refresh_from_db()
    assert monday.reason == ("" if decision == "confirm" else "已核实在岗")


def test_leave3_a_cleared_lateness_the_approved_leave_still_answers_stays_cleared(org):
    """The approval cleared a lateness on a shift its leave overlaps (clear_for_leave); the
    leave still stands, so a later check leaves it cleared rather than reopening it."""
    shift(org.agent)
    punch(org.agent, "09:30", "18:00")
    with time_machine.travel(at(DAY, "14:30"), tick=False):
        leave = leave_submit(
            actor=org.agent.user,
            kind="sick",
            start=at(DAY, "14:00"),
            end=at(DAY, "18:00"),
            reason="下午看病",
            emergency=True,
        )
    with time_machine.travel(NOW, tick=False):
        check()
        leave_approve(leave=leave, actor=org.lead.user)
        assert states() == [(DAY, "late", "cleared")]
        report = check()
    assert report.reopened == 0 and states() == [(DAY, "late", "cleared")]


def test_leave3_cancelling_before_the_start_checks_nothing(org):
    """The cancellation LEAVE-1 allows: nothing of the leave was checked, so no check runs (a
    check of the department's days now would find absences in punches not imported yet)."""
    shift(org.colleague)  # ended, its punches not imported yet
    with time_machine.travel(NOW, tick=False):
        leave = leave_submit(
            actor=org.agent.user,
            kind="personal",
            start=at(TUESDAY + dt.timedelta(days=1), "09:00"),
            end=at(TUESDAY + dt.timedelta(days=1), "18:00"),
            reason="家中有事",
        )
        leave_approve(leave=leave, actor=org.lead.user)
        leave_cancel(leave=leave, actor=org.agent.user)
    assert Leave.objects.get().state == LeaveState.CANCELLED
    assert not Finding.objects.exists()
    assert not AuditEvent.objects.filter(case_type="findings_check").exists()
