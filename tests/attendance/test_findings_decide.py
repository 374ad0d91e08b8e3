"""ATT-3: the lead confirms (booked once to the ledger and the pay sheet) or dismisses with a
reason; a confirmed absence opens a penalty slip draft the lead serves (PEN-2, APPEAL-1). Who
may decide, the closed month (SCORE-10), bulk decisions and the reminders (DEADLINE-2)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from approvals.attendance.findings import findings_check
from approvals.attendance.findings_decide import (
    finding_confirm,
    finding_dismiss,
    findings_bulk,
    findings_remind_due,
    penalty_draft_discard,
    penalty_draft_serve,
)
from approvals.attendance.models import Finding
from approvals.errors import InvalidInput, NotAllowed, StateConflict
from approvals.penalty.models import Penalty, PenaltyDraft
from audit.models import AuditEvent
from notifications.models import OutboxMessage
from performance.models import Assessment, ScoreEvent
from tests.attendance.findings_helpers import DAY, NOW, at, punch, shift
from tests.orgdata import employee

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def found(emp, *times):
    shift(emp)
    if times:
        punch(emp, *times)
    findings_check(start=DAY, end=DAY)
    return Finding.objects.filter(employee=emp)


# --- confirm: booked once ------------------------------------------------------------------


def test_att3_confirm_books_points_and_fine_once(org, now):
    late = found(org.agent, "09:15", "18:00").get()
    finding_confirm(actor=org.lead.user, finding=late, reason="确认")
    late.refresh_from_db()
    event = ScoreEvent.objects.get()
    assert late.state == "confirmed" and late.score_event == event
    assert (event.employee, event.code, event.points, event.fine) == (
        org.agent,
        "late_or_early",
        Decimal(-3),
        Decimal(0),
    )
    assert event.source == f"finding:{late.pk}" and event.month == dt.date(2026, 3, 1)
    assert late.decided_by == org.lead and late.reason == "确认"
    audit = AuditEvent.objects.get(case_type="finding", case_id=late.pk, action="confirm")
    assert "ATT-3" in audit.rules
    with pytest.raises(StateConflict):
        finding_confirm(actor=org.lead.user, finding=late)
    assert ScoreEvent.objects.count() == 1


def test_att3_booking_done_once_when_the_check_runs_twice(org, now):
    missing = found(org.agent, "09:00").get()
    finding_confirm(actor=org.lead.user, finding=missing)
    report = findings_check(start=DAY, end=DAY)
    assert report.created == 0
    assert Finding.objects.count() == 1
    event = ScoreEvent.objects.get()
    assert (event.code, event.points, event.fine) == ("missed_punch", Decimal(-5), Decimal(10))


def test_att3_nothing_is_booked_unconfirmed(org, now):
    found(org.agent)
    findings_check(start=DAY, end=DAY)
    assert not ScoreEvent.objects.exists()


def test_swap1_confirmed_unapproved_swap_is_a_fine_of_20_without_points(org, now):
    shift(org.agent)
    punch(org.colleague, "09:00", "18:00")
    findings_check(start=DAY, end=DAY)
    finding_confirm(actor=org.lead.user, finding=Finding.objects.get())
    event = ScoreEvent.objects.get()
    assert (event.employee, event.code, event.points, event.fine) == (
        org.agent,
        "unapproved_swap",
        Decimal(0),
        Decimal(20),
    )


# --- absence: the penalty slip draft (PEN-2) -------------------------------------------------


def test_leave3_confirmed_absence_opens_a_prefilled_penalty_draft(org, now):
    absence = found(org.agent).get()
    finding_confirm(actor=org.lead.user, finding=absence)
    event = ScoreEvent.objects.get()
    assert (event.code, event.points, event.fine) == ("absenteeism", Decimal(-20), Decimal(30))
    draft = PenaltyDraft.objects.get()
    assert draft.finding == absence and draft.state == "open" and draft.rule == "LEAVE-3"
    assert "2026-03-09T09:00+08:00" in draft.facts and f"#{absence.shift_id}" in draft.evidence
    assert not Penalty.objects.exists()  # nothing is served by itself


def test_pen2_serving_the_draft_creates_the_penalty_and_starts_appeal1s_window(org, now):
    finding_confirm(actor=org.lead.user, finding=found(org.agent).get())
    draft = PenaltyDraft.objects.get()
    with pytest.raises(NotAllowed):
        penalty_draft_serve(actor=org.colleague.user, draft=draft)
    penalty_draft_serve(actor=org.lead.user, draft=draft, sanction="written_warning")
    draft.refresh_from_db()
    penalty = draft.penalty
    assert draft.state == "served" and penalty.state == "served"
    assert penalty.sanction == "written_warning" and penalty.rule == "LEAVE-3"
    assert penalty.served_at == NOW and penalty.objection_due > NOW  # APPEAL-1 from serving
    with pytest.raises(StateConflict):
        penalty_draft_serve(actor=org.lead.user, draft=draft)
    assert Penalty.objects.count() == 1


def test_pen2_discarding_a_draft_needs_a_reason(org, now):
    finding_confirm(actor=org.lead.user, finding=found(org.agent).get())
    draft = PenaltyDraft.objects.get()
    with pytest.raises(InvalidInput) as exc:
        penalty_draft_discard(actor=org.lead.user, draft=draft, reason="  ")
    assert exc.value.rule == "PEN-2"
    penalty_draft_discard(actor=org.lead.user, draft=draft, reason="已口头沟通")
    draft.refresh_from_db()
    assert draft.state == "discarded" and not Penalty.objects.exists()


# --- dismiss ---------------------------------------------------------------------------------


def test_att3_dismissal_without_a_reason_is_refused_and_nothing_changes(org, now):
    late = found(org.agent, "09:05", "18:00").get()
    for reason in ("", "   ", None):
        with pytest.raises(InvalidInput) as exc:
            finding_dismiss(actor=org.lead.user, finding=late, reason=reason)
        assert exc.value.code == "reason_required" and exc.value.rule == "ATT-3"
    late.refresh_from_db()
    assert late.state == "proposed"
    assert not AuditEvent.objects.filter(case_type="finding").exists()


def test_att3_dismissal_with_a_reason_books_nothing(org, now):
    late = found(org.agent, "09:05", "18:00").get()
    finding_dismiss(actor=org.lead.user, finding=late, reason="地铁故障,有证明")
    late.refresh_from_db()
    assert late.state == "dismissed" and late.reason == "地铁故障,有证明"
    assert not ScoreEvent.objects.exists()


def test_att3_the_refusal_names_the_rule_in_both_languages(org, now):
    late = found(org.agent, "09:05", "18:00").get()
    with pytest.raises(InvalidInput) as exc:
        finding_dismiss(actor=org.lead.user, finding=late, reason="")
    with translation.override("en"):
        assert exc.value.detail == "A dismissal needs a reason. (ATT-3)"
    with translation.override("zh-hans"):
        assert "ATT-3" in exc.value.detail and "理由" in exc.value.detail


# --- who decides -----------------------------------------------------------------------------


def test_att3_an_agent_cannot_confirm(org, now):
    late = found(org.agent, "09:05", "18:00").get()
    with pytest.raises(NotAllowed) as exc:
        finding_confirm(actor=org.colleague.user, finding=late)
    assert exc.value.code == "not_department_lead"
    with pytest.raises(NotAllowed):
        finding_confirm(actor=org.agent.user, finding=late)  # nor the employee themselves
    assert not ScoreEvent.objects.exists()


def test_att3_another_departments_lead_cannot_confirm(org, now):
    other_lead = employee("opslead", department=org.other_dept_agent.department, level="senior")
    ops = org.other_dept_agent.department
    ops.lead = other_lead
    ops.save()
    late = found(org.agent, "09:05", "18:00").get()
    with pytest.raises(NotAllowed):
        finding_confirm(actor=other_lead.user, finding=late)
    assert Finding.objects.get().state == "proposed"


def test_att3_a_lead_does_not_decide_about_themselves_the_gm_office_does(org, now):
    own = found(org.lead, "09:05", "18:00").get()
    with pytest.raises(NotAllowed) as exc:
        finding_confirm(actor=org.lead.user, finding=own)
    assert exc.value.code == "own_request"
    finding_confirm(actor=org.gm.user, finding=own)
    assert Finding.objects.get().state == "confirmed"


def test_att3_administration_does_not_decide_a_departments_findings(org, now):
    late = found(org.agent, "09:05", "18:00").get()
    with pytest.raises(NotAllowed):
        finding_confirm(actor=org.admin.user, finding=late)


# --- the closed month (SCORE-10) -------------------------------------------------------------


def test_score10_a_closed_month_takes_no_booking_named_in_both_languages(org, now):
    late = found(org.agent, "09:05", "18:00").get()
    Assessment.objects.create(
        employee=org.agent,
        month=dt.date(2026, 3, 1),
        score=80,
        tier=2,
        grade="B",
        policy_version="test",
        source="events",
        closed_at=NOW,
    )
    with pytest.raises(StateConflict) as exc:
        finding_confirm(actor=org.lead.user, finding=late)
    assert exc.value.code == "month_closed" and exc.value.rule == "SCORE-10"
    with translation.override("en"):
        assert "2026-03 is closed" in exc.value.detail
    with translation.override("zh-hans"):
        assert "2026-03" in exc.value.detail and "SCORE-10" in exc.value.detail
    late.refresh_from_db()
    assert late.state == "proposed" and not ScoreEvent.objects.exists()


# --- bulk ------------------------------------------------------------------------------------


def test_att3_bulk_confirm_gives_each_findings_outcome(org, now):
    shift(org.agent)
    punch(org.agent, "09:05", "17:50")
    shift(org.lead)
    findings_check(start=DAY, end=DAY)
    ids = list(Finding.objects.filter(employee=org.agent).values_list("pk", flat=True))
    own = Finding.objects.get(employee=org.lead).pk
    results = findings_bulk(actor=org.lead.user, action="confirm", ids=[*ids, own, 999999])
    by_id = {r["id"]: r for r in results}
    assert all(by_id[i]["ok"] for i in ids)
    assert by_id[own]["ok"] is False and by_id[own]["code"] == "own_request"
    assert by_id[999999]["code"] == "not_found"
    assert ScoreEvent.objects.count() == 2


def test_att3_bulk_dismiss_needs_a_reason(org, now):
    late = found(org.agent, "09:05", "18:00").get()
    with pytest.raises(InvalidInput):
        findings_bulk(actor=org.lead.user, action="dismiss", ids=[late.pk], reason="")
    results = findings_bulk(actor=org.lead.user, action="dismiss", ids=[late.pk], reason="ok")
    assert results == [{"id": late.pk, "ok": True, "state": "dismissed"}]


def test_att3_bulk_refuses_bad_ids(org, now):
    for ids in ([], "1,2", ["x"], list(range(501))):
        with pytest.raises(InvalidInput):
            findings_bulk(actor=org.lead.user, action="confirm", ids=ids)


# --- due time and reminders (DEADLINE-2) -----------------------------------------------------


def test_deadline2_the_lead_is_told_once_and_reminded_before_and_at_the_due_time(org, now):
    f = found(org.agent, "09:05", "18:00").get()
    told = OutboxMessage.objects.filter(template="findings_waiting", recipient=org.lead.user)
    assert told.count() == 1
    findings_check(start=DAY, end=DAY)
    assert told.count() == 1
    assert findings_remind_due(now=f.due_at - dt.timedelta(hours=30)) == 0
    assert findings_remind_due(now=f.due_at - dt.timedelta(hours=23)) == 1
    findings_remind_due(now=f.due_at - dt.timedelta(hours=22))
    assert told.count() == 2
    findings_remind_due(now=f.due_at)
    assert told.count() == 3
    findings_remind_due(now=f.due_at + dt.timedelta(minutes=1))
    overdue = OutboxMessage.objects.filter(template="findings_overdue")
    assert list(overdue.values_list("recipient", flat=True)) == [org.gm.user.pk]
    findings_remind_due(now=f.due_at + dt.timedelta(hours=1))
    assert overdue.count() == 1


def test_deadline2_decided_findings_are_not_reminded(org, now):
    f = found(org.agent, "09:05", "18:00").get()
    finding_dismiss(actor=org.lead.user, finding=f, reason="ok")
    assert findings_remind_due(now=f.due_at) == 0
    assert at(DAY, "09:00") < f.due_at


def test_deadline2_the_findings_step_asks_at_most_hourly_per_process():
    """DEADLINE-2 (ATT-3): the sweep runs every 30 seconds; its findings step asks for waiting
    findings at most once an hour per process (no query in between), and again after the hour."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from approvals.attendance import findings_decide as decide
    from tests.penalty.helpers import local

    decide.forget_reminded()
    with time_machine.travel(local(2026, 3, 10, 12), tick=False):
        with CaptureQueriesContext(connection) as first:
            decide.findings_remind_step()
        with CaptureQueriesContext(connection) as again:
            assert decide.findings_remind_step() == 0
    assert len(first) >= 1 and len(again) == 0
    with (
        time_machine.travel(local(2026, 3, 10, 13, 1), tick=False),
        CaptureQueriesContext(connection) as hour_later,
    ):
        decide.findings_remind_step()
    assert len(hour_later) >= 1
    decide.forget_reminded()
