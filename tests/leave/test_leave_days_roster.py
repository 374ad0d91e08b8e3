"""ATT-4: annual-leave days count the rostered shifts a leave covers, the statutory working days
where there is no roster; the recompute of stored charges (LEAVE-4) and its report."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from approvals.attendance.models import RosterImport, Shift
from approvals.attendance.roster import roster_import
from approvals.leave.days import annual_leave_days, leave_days_recompute
from approvals.leave.models import Leave

from .helpers import act, ask, balance, local

pytestmark = pytest.mark.django_db


def shifts(org, *days, start="09:00", end="18:00", who="agent"):
    rows = [{"username": who, "date": f"2026-03-{d:02d}", "start": start, "end": end} for d in days]
    report = roster_import(actor=org.lead.user, rows=rows)
    assert report.ok, report.errors
    return report


def test_att4_annual_leave_counts_the_rostered_shifts_it_covers(org, week_before):
    """Week of 9 March: shifts Monday, Tuesday and Saturday; a leave Monday to Sunday costs the
    three shifts, not the five working days of the calendar."""
    balance(org.agent, entitled=15)
    shifts(org, 9, 10, 14)
    case = ask(org.agent, kind="annual", start=local(2026, 3, 9, 9), end=local(2026, 3, 15, 18))
    assert case["days"] == "3.0"
    assert balance(org.agent).pending == 3


def test_att4_without_a_roster_the_statutory_working_days(org, week_before):
    balance(org.agent, entitled=15)
    case = ask(org.agent, kind="annual", start=local(2026, 3, 16, 9), end=local(2026, 3, 22, 18))
    assert case["days"] == "5.0"


def test_att4_a_rostered_rest_day_costs_nothing(org, week_before):
    """The department has a roster that day; the agent has no shift: nothing to take off."""
    shifts(org, 11, who="colleague")
    assert annual_leave_days(
        employee=org.agent, start=local(2026, 3, 11, 9), end=local(2026, 3, 11, 18)
    ) == Decimal(0)


def test_att4_part_of_a_shift_counts_in_halves(org, week_before):
    shifts(org, 9)
    assert annual_leave_days(
        employee=org.agent, start=local(2026, 3, 9, 9), end=local(2026, 3, 9, 13)
    ) == Decimal("0.5")
    assert annual_leave_days(
        employee=org.agent, start=local(2026, 3, 9, 9), end=local(2026, 3, 9, 15)
    ) == Decimal(1)


def test_att4_an_evening_shift_to_midnight_is_one_shift(org, week_before):
    shifts(org, 9, start="15:00", end="24:00")
    assert annual_leave_days(
        employee=org.agent, start=local(2026, 3, 9, 15), end=local(2026, 3, 10, 0)
    ) == Decimal(1)


def test_att4_roster_days_and_calendar_days_mixed(org, week_before):
    """Roster week 9–15 March (shifts Thursday 12 and Saturday 14), none for the next week:
    Thursday 12 to Tuesday 17 is two shifts plus Monday 16 and Tuesday 17 of the calendar."""
    shifts(org, 12, 14)
    assert annual_leave_days(
        employee=org.agent, start=local(2026, 3, 12, 9), end=local(2026, 3, 17, 18)
    ) == Decimal(4)


def test_att4_the_shift_counts_for_whoever_works_it_after_a_swap(org, week_before):
    shifts(org, 9)
    Shift.objects.filter(rostered=org.agent).update(employee=org.colleague)
    span = {"start": local(2026, 3, 9, 9), "end": local(2026, 3, 9, 18)}
    assert annual_leave_days(employee=org.colleague, **span) == 1
    assert annual_leave_days(employee=org.agent, **span) == 0


def _roster_behind_the_service(org, *days):
    """Shifts stored without the import (as before ATT-4 was counted), to recompute."""
    batch = RosterImport.objects.create(
        content_hash="x" * 64,
        period_start=local(2026, 3, 9).date(),
        period_end=local(2026, 3, 15).date(),
        imported_at=local(2026, 3, 2, 10),
    )
    for d in days:
        Shift.objects.create(
            employee=org.agent,
            rostered=org.agent,
            department=org.cs,
            date=local(2026, 3, d).date(),
            start=local(2026, 3, d, 9),
            end=local(2026, 3, d, 18),
            roster_import=batch,
        )


def test_att4_recompute_moves_the_difference_and_reports_it_once(org, week_before):
    balance(org.agent, entitled=15)
    approved = ask(org.agent, kind="annual", start=local(2026, 3, 9, 9), end=local(2026, 3, 13, 18))
    act(org.lead, approved["id"], "approve")
    pending = ask(org.agent, kind="annual", start=local(2026, 3, 14, 9), end=local(2026, 3, 14, 18))
    sick = ask(org.agent, kind="sick", start=local(2026, 3, 16, 9), end=local(2026, 3, 16, 18))
    assert (balance(org.agent).taken, balance(org.agent).pending) == (5, 0)
    _roster_behind_the_service(org, 9, 11, 14)
    changes = leave_days_recompute()
    got = {(c.leave, c.before, c.after) for c in changes}
    assert got == {(approved["id"], 5, 2), (pending["id"], 0, 1)}
    assert (balance(org.agent).taken, balance(org.agent).pending) == (2, 1)
    assert Leave.objects.get(pk=approved["id"]).days == 2
    assert Leave.objects.get(pk=sick["id"]).days == 1  # other kinds are not charged: untouched
    assert leave_days_recompute() == []  # idempotent


def test_att4_recompute_command_prints_the_report(org, week_before):
    balance(org.agent, entitled=15)
    case = ask(org.agent, kind="annual", start=local(2026, 3, 9, 9), end=local(2026, 3, 13, 18))
    _roster_behind_the_service(org, 9)
    out = io.StringIO()
    call_command("recompute_leave_days", stdout=out)
    text = out.getvalue()
    assert f"agent\t#{case['id']}" in text and "\t5.0\t1.0\t" in text
    again = io.StringIO()
    call_command("recompute_leave_days", stdout=again)
    assert "ATT-4" in again.getvalue() and "#" not in again.getvalue()


def test_att4_a_roster_imported_after_the_leave_recharges_it(org, week_before):
    balance(org.agent, entitled=15)
    case = ask(org.agent, kind="annual", start=local(2026, 3, 9, 9), end=local(2026, 3, 13, 18))
    act(org.lead, case["id"], "approve")
    rows = [
        {"username": who, "date": f"2026-03-{d:02d}", "start": "09:00", "end": "18:00"}
        for who, d in (("agent", 9), ("agent", 10), ("colleague", 9), ("colleague", 13))
    ]
    report = roster_import(actor=org.lead.user, rows=rows)  # the period: 9–13 March
    assert [(c["leave"], c["before"], c["after"]) for c in report.leave_changes] == [
        (case["id"], "5.0", "2.0")
    ]
    assert balance(org.agent).taken == 2


def test_att4_swap1_an_approved_swap_recharges_the_leave_of_the_two(org, week_before):
    """The agent's annual leave on Thursday costs the Thursday shift; once the swap gives that
    shift to the colleague, the agent's Thursday is a rostered day without a shift: 0."""
    from approvals.attendance import swap as swaps

    balance(org.agent, entitled=15)
    rows = [
        {"username": "agent", "date": "2026-03-05", "start": "09:00", "end": "18:00"},
        {"username": "colleague", "date": "2026-03-06", "start": "15:00", "end": "24:00"},
    ]
    assert roster_import(actor=org.lead.user, rows=rows).ok
    case = ask(org.agent, kind="annual", start=local(2026, 3, 5, 9), end=local(2026, 3, 5, 18))
    assert case["days"] == "1.0"
    act(org.lead, case["id"], "approve")
    swap = swaps.swap_request(
        actor=org.agent.user,
        colleague=org.colleague.pk,
        shift_start=local(2026, 3, 5, 9),
        shift_end=local(2026, 3, 5, 18),
        colleague_shift_start=local(2026, 3, 6, 15),
        colleague_shift_end=local(2026, 3, 7, 0),
    )
    swaps.swap_consent(shiftswap=swap, actor=org.colleague.user)
    swaps.swap_approve(shiftswap=swap, actor=org.lead.user)
    assert Leave.objects.get(pk=case["id"]).days == 0
    assert balance(org.agent).taken == 0
