"""ATT-1: the roster import (all or nothing, every bad row named, idempotent by content, a
re-import replaces the period), who may import, and SWAP-1 moving the two shifts."""

import datetime as dt
import math

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.attendance import swap as swaps
from approvals.attendance.models import Finding, RosterImport, Shift
from approvals.attendance.roster import roster_import
from approvals.attendance.roster_rows import roster_file_read
from approvals.errors import NotAllowed
from audit.models import AuditEvent
from tests.attendance.helpers import local

pytestmark = pytest.mark.django_db

MONDAY = local(2026, 3, 2, 8)


def row(username, date, start="09:00", end="18:00"):
    return {"username": username, "date": date, "start": start, "end": end}


def week(username, start="09:00", end="18:00", days=range(2, 7)):
    return [row(username, f"2026-03-{d:02d}", start, end) for d in days]


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


def test_att1_lead_imports_their_department(org):
    report = roster_import(actor=org.lead.user, rows=week("agent") + week("colleague"))
    assert report.ok, report.errors
    assert report.created == 10 and report.removed == 0
    shift = Shift.objects.get(employee=org.agent, date=dt.date(2026, 3, 2))
    assert shift.start == local(2026, 3, 2, 9) and shift.end == local(2026, 3, 2, 18)
    assert shift.rostered == org.agent and shift.department == org.cs
    assert shift.roster_import.period_start == dt.date(2026, 3, 2)
    assert AuditEvent.objects.filter(case_type="roster_import", action="import").count() == 1


@pytest.mark.parametrize("end", ["24:00", "00:00"])
def test_att1_an_end_at_or_before_the_start_is_the_next_day(org, end):
    roster_import(actor=org.admin.user, rows=[row("agent", "2026-03-02", "15:00", end)])
    shift = Shift.objects.get(employee=org.agent)
    assert shift.start == local(2026, 3, 2, 15) and shift.end == local(2026, 3, 3, 0)


def test_att1_every_bad_row_is_reported_and_nothing_written(org):
    rows = [
        row("agent", "2026-03-02"),  # row 2, good
        row("nobody", "2026-03-02"),  # 3 unknown user
        row("outsider", "2026-03-02"),  # 4 another department
        row("agent", "2026-3-2"),  # 5 bad date
        row("agent", "2026-03-03", "9h", "18:00"),  # 6 bad start
        row("agent", "2026-03-03", "09:00", "25:00"),  # 7 bad end
        row("colleague", "2026-03-02", "09:00", "18:00"),  # 8 good
        row("colleague", "2026-03-02", "15:00", "24:00"),  # 9 overlaps row 8
        row("agent", "2026-03-02"),  # 10 duplicate of row 2
        row("", "2026-03-04"),  # 11 username missing
    ]
    report = roster_import(actor=org.lead.user, rows=rows)
    assert not report.ok
    found = {(e.row, e.field) for e in report.errors}
    assert found == {
        (3, "username"),
        (4, "username"),
        (5, "date"),
        (6, "start"),
        (7, "end"),
        (9, "start"),
        (10, "date"),
        (11, "username"),
    }
    detail = {e.row: e.detail for e in report.errors}
    assert "nobody" in detail[3] and "2" in detail[10] and "8" in detail[9]
    assert Shift.objects.count() == 0 and RosterImport.objects.count() == 0
    assert not AuditEvent.objects.filter(case_type="roster_import").exists()
    assert [e.as_data().keys() for e in report.errors][0] == {"row", "field", "detail"}


def test_att1_a_lead_is_refused_for_another_department(org):
    report = roster_import(actor=org.lead.user, rows=[row("outsider", "2026-03-02")])
    assert [(e.row, e.field) for e in report.errors] == [(2, "username")]
    with pytest.raises(NotAllowed) as refused:
        roster_import(
            actor=org.lead.user,
            rows=[row("agent", "2026-03-02")],
            department=org.other_dept_agent.department,
        )
    assert refused.value.rule == "ATT-1"
    assert Shift.objects.count() == 0


@pytest.mark.parametrize("who", ["agent", "gm", "trainer"])
def test_att1_agents_and_others_are_refused(org, who):
    actor = {"agent": org.agent, "gm": org.gm, "trainer": org.panel[2]}[who]
    with pytest.raises(NotAllowed) as refused:
        roster_import(actor=actor.user, rows=[row("agent", "2026-03-02")])
    assert refused.value.code == "wrong_role" and refused.value.rule == "ATT-1"
    assert Shift.objects.count() == 0


def test_att1_the_same_file_twice_changes_nothing_and_says_so(org):
    rows = week("agent") + week("colleague", "15:00", "24:00")
    roster_import(actor=org.lead.user, rows=rows)
    before = list(Shift.objects.values_list("pk", "employee", "start", "end"))
    events = AuditEvent.objects.count()
    again = roster_import(actor=org.lead.user, rows=list(reversed(rows)))
    assert again.ok and again.nothing_changed and again.unchanged == 10
    assert again.message
    assert list(Shift.objects.values_list("pk", "employee", "start", "end")) == before
    assert AuditEvent.objects.count() == events and RosterImport.objects.count() == 1


def test_att1_a_reimport_replaces_the_period_of_the_people_named(org):
    roster_import(actor=org.lead.user, rows=week("agent") + week("colleague"))
    kept = Shift.objects.get(employee=org.agent, date=dt.date(2026, 3, 2)).pk
    # The agent moves to evenings from Tuesday; Monday stays; the colleague is not in the file.
    rows = [row("agent", "2026-03-02")] + week("agent", "15:00", "24:00", days=range(3, 7))
    report = roster_import(actor=org.lead.user, rows=rows)
    assert (report.created, report.removed, report.unchanged) == (4, 4, 1)
    assert Shift.objects.filter(pk=kept).exists()
    agent = Shift.objects.filter(employee=org.agent).order_by("start")
    assert [s.start.astimezone(local(2026, 3, 2).tzinfo).hour for s in agent] == [9, 15, 15, 15, 15]
    assert Shift.objects.filter(employee=org.colleague).count() == 5


def test_att1_a_new_shift_may_not_overlap_a_stored_one_outside_the_period(org):
    roster_import(actor=org.lead.user, rows=[row("agent", "2026-03-02", "22:00", "06:00")])
    report = roster_import(actor=org.lead.user, rows=[row("agent", "2026-03-03", "05:00", "12:00")])
    assert [(e.row, e.field) for e in report.errors] == [(2, "start")]
    assert Shift.objects.count() == 1


def _finding(shift, state, reason=""):
    return Finding.objects.create(
        shift=shift,
        employee=shift.employee,
        department=shift.department,
        kind="absence",
        rule="LEAVE-3",
        state=state,
        reason=reason,
        policy_version="test",
        found_at=MONDAY,
        due_at=MONDAY + dt.timedelta(days=3),
    )


def test_att1_a_shift_with_a_decided_finding_is_not_removed_silently(org):
    roster_import(actor=org.lead.user, rows=week("agent"))
    shift = Shift.objects.get(employee=org.agent, date=dt.date(2026, 3, 2))
    _finding(shift, "dismissed", reason="病假补")
    report = roster_import(actor=org.lead.user, rows=week("agent", "10:00", "19:00"))
    assert not report.ok
    assert [(e.row, e.field) for e in report.errors] == [(None, "date")]
    assert "ATT-3" in report.errors[0].detail
    assert Shift.objects.filter(employee=org.agent, start__hour=9).count() == 5
    assert Shift.objects.filter(pk=shift.pk).exists()


def test_att1_a_proposed_finding_goes_with_the_shift_it_was_read_from(org):
    roster_import(actor=org.lead.user, rows=week("agent"))
    shift = Shift.objects.get(employee=org.agent, date=dt.date(2026, 3, 2))
    _finding(shift, "proposed")
    report = roster_import(actor=org.lead.user, rows=week("agent", "10:00", "19:00"))
    assert report.ok and report.removed == 5
    assert not Finding.objects.exists()


def test_att1_file_reader_csv_and_xlsx(org):
    csv = "username,date,start,end\nagent,2026-03-02,09:00,18:00\n\ncolleague,2026-03-02,15:00,24:00\n"
    rows = roster_file_read(name="roster.csv", content=csv.encode())
    assert [r["row"] for r in rows] == [2, 4]
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["username", "date", "start", "end"])
    sheet.append(["agent", dt.datetime(2026, 3, 2), dt.time(9), dt.time(18)])
    buffer = BytesIO()
    book.save(buffer)
    rows = roster_file_read(name="roster.xlsx", content=buffer.getvalue())
    report = roster_import(actor=org.lead.user, rows=rows)
    assert report.ok and report.created == 1


# --- SWAP-1 moves the shifts ----------------------------------------------------------------


def _approved_swap(org):
    swap = swaps.swap_request(
        actor=org.agent.user,
        colleague=org.colleague.pk,
        shift_start=local(2026, 3, 5, 9),
        shift_end=local(2026, 3, 5, 18),
        colleague_shift_start=local(2026, 3, 6, 15),
        colleague_shift_end=local(2026, 3, 7, 0),
    )
    swaps.swap_consent(shiftswap=swap, actor=org.colleague.user)
    return swap


def test_swap1_att1_an_approved_swap_moves_the_two_shifts(org):
    roster_import(
        actor=org.lead.user,
        rows=[row("agent", "2026-03-05"), row("colleague", "2026-03-06", "15:00", "24:00")],
    )
    swap = _approved_swap(org)
    swaps.swap_approve(shiftswap=swap, actor=org.lead.user)
    mine = Shift.objects.get(rostered=org.agent)
    theirs = Shift.objects.get(rostered=org.colleague)
    assert mine.employee == org.colleague and mine.swap_id == swap.pk
    assert theirs.employee == org.agent and theirs.swap_id == swap.pk


def test_swap1_a_rejected_swap_moves_nothing(org):
    roster_import(actor=org.lead.user, rows=[row("agent", "2026-03-05")])
    swap = _approved_swap(org)
    swaps.swap_reject(shiftswap=swap, actor=org.lead.user, reason="人手不够")
    assert Shift.objects.get(rostered=org.agent).employee == org.agent


def test_swap1_a_roster_imported_after_the_approval_applies_the_swap(org):
    swap = _approved_swap(org)
    swaps.swap_approve(shiftswap=swap, actor=org.lead.user)
    report = roster_import(
        actor=org.lead.user,
        rows=[row("agent", "2026-03-05"), row("colleague", "2026-03-06", "15:00", "24:00")],
    )
    assert report.swaps_applied == 1
    assert Shift.objects.get(rostered=org.agent).employee == org.colleague
    # ...and importing it again keeps the swap.
    again = roster_import(
        actor=org.lead.user,
        rows=[row("agent", "2026-03-05"), row("colleague", "2026-03-06", "15:00", "24:00")],
    )
    assert again.nothing_changed
    assert Shift.objects.get(rostered=org.agent).employee == org.colleague


def test_swap1_a_swapped_shift_is_not_dropped_by_a_reimport(org):
    rows = [row("agent", "2026-03-05"), row("colleague", "2026-03-06", "15:00", "24:00")]
    roster_import(actor=org.lead.user, rows=rows)
    swaps.swap_approve(shiftswap=_approved_swap(org), actor=org.lead.user)
    report = roster_import(actor=org.lead.user, rows=[row("agent", "2026-03-05", "10:00", "19:00")])
    assert not report.ok and "SWAP-1" in report.errors[0].detail


# --- scale ----------------------------------------------------------------------------------


def _people(n, department):
    from django.contrib.auth import get_user_model

    from org.models import Employee

    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"p{i:04d}") for i in range(n)])
    Employee.objects.bulk_create(
        [
            Employee(
                user=u,
                name=u.username,
                department=department,
                level="junior",
                hired_on=dt.date(2024, 1, 1),
            )
            for u in users
        ]
    )
    return [u.username for u in users]


def _rows(names, days):
    return [
        row(name, (dt.date(2026, 3, 2) + dt.timedelta(days=d)).isoformat())
        for name in names
        for d in range(days)
    ]


def _statements(actor, rows):
    with CaptureQueriesContext(connection) as captured:
        report = roster_import(actor=actor, rows=rows)
    assert report.ok, report.errors[:3]
    return len(captured.captured_queries)


def test_att1_import_statements_are_bounded_by_batches_not_rows(org):
    """1,000 people × 22 shifts: the statements grow with the batches of 1,000 only."""
    names = _people(1000, org.cs)
    small = _statements(org.admin.user, _rows(names[:10], 1))  # 10 shifts: one batch
    Shift.objects.all().delete()
    big = _statements(org.admin.user, _rows(names, 22))  # 22,000 shifts: 22 batches
    # The insert batch: 1,000, or fewer where the database caps a statement's parameters
    # (SQLite: 999 // 8 fields = 124 rows).
    fields = [f for f in Shift._meta.concrete_fields if not f.primary_key]
    batch = min(1000, connection.ops.bulk_batch_size(fields, [None] * 22_000))
    assert big - small <= math.ceil(22_000 / batch) + 2, (small, big, batch)
    assert Shift.objects.count() == 22_000
    assert small < 30
