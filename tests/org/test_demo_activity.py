"""seed_demo's activity (workflows/demo_activity.py): the ledger (SCORE-9), the previous month
closed with its sales for the pay sheet (SCORE-10, PAY-1), the week's roster (ATT-1) and the
punches of the days past with two findings left for the lead (ATT-2, ATT-3); idempotent, made
through the services by the people who would, and safe on a database people have used."""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from approvals.attendance.findings_decide import finding_confirm
from approvals.attendance.models import (
    Finding,
    FindingKind,
    FindingState,
    Punch,
    PunchImport,
    RosterImport,
    Shift,
)
from approvals.attendance.roster import roster_import
from approvals.events import OutboxEvent
from audit.models import AuditEvent
from performance.alerts import forget_scheduled_closes, months_close_due
from performance.ledger_close import month_close
from performance.models import Assessment, SalesFigure, ScoreEvent
from performance.paysheet import pay_sheet
from performance.sales import sales_import
from workflows.demo_activity import LATE, LEDGER_EVENTS, MARK, MISSING

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    """A local (Asia/Shanghai) moment to travel to."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


def seed(moment) -> str:
    out = io.StringIO()
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def user(username):
    return get_user_model().objects.get(username=username)


def open_findings():
    return {
        (f.employee.user.username, f.kind): f
        for f in Finding.objects.select_related("employee__user", "shift").filter(
            state=FindingState.PROPOSED
        )
    }


def snapshot():
    return {
        model.__name__: model.objects.count()
        for model in (
            ScoreEvent,
            Assessment,
            SalesFigure,
            Shift,
            RosterImport,
            Punch,
            PunchImport,
            Finding,
            AuditEvent,
            OutboxEvent,
        )
    }


def test_the_demo_ledger_has_the_months_events_recorded_by_the_trainer_and_the_lead():
    """SCORE-9: the trainer about agents, the lead about the trainer, in the current month."""
    seed(at(2026, 11, 18, 10))
    events = ScoreEvent.objects.filter(month=dt.date(2026, 11, 1), note__endswith=MARK)
    recorded = {(e.employee.user.username, e.recorded_by.username) for e in events}
    assert len(recorded) == len(LEDGER_EVENTS)
    assert ("chen.jing", "zhang.wei") in recorded
    assert {by for about, by in recorded if about != "chen.jing"} == {"chen.jing"}
    assert all(e.code and e.source.startswith("ledger:") for e in events)
    # audited as the API's POST ledger/ is
    assert AuditEvent.objects.filter(case_type="score_event", action="record").count() == len(
        LEDGER_EVENTS
    )


def test_the_demo_pay_sheet_month_is_closed_with_its_sales():
    """PAY-1: the previous month closed by administration, sales imported, commission paid."""
    seed(at(2026, 11, 18, 10))
    october = dt.date(2026, 10, 1)
    assert not Assessment.objects.filter(month=october, closed_at__isnull=True).exists()
    assert set(
        Assessment.objects.filter(month=october).values_list("closed_by__username", flat=True)
    ) == {"li.na"}
    sheet = pay_sheet(month=october)
    rows = {r.employee.user.username: r for r in sheet.rows}
    assert rows["gao.yan"].sales == Decimal("62000.00")
    assert rows["gao.yan"].line("commission") == Decimal("806.00")  # 1.3% (SCORE-8)
    assert rows["wu.xia"].line("commission") == Decimal("0.00")  # below 20,000


def test_the_demo_roster_punches_and_two_open_findings():
    """ATT-1..3: the week rostered by the lead, the past days punched by administration, one
    late arrival and one missing punch proposed to the lead, nothing else found."""
    seed(at(2026, 11, 18, 10))  # a Wednesday: Monday and Tuesday are past
    shifts = Shift.objects.filter(date__gte=dt.date(2026, 11, 16), date__lte=dt.date(2026, 11, 22))
    assert shifts.count() > 60
    assert set(RosterImport.objects.values_list("imported_by__user__username", flat=True)) == {
        "zhang.wei"
    }
    assert set(PunchImport.objects.values_list("imported_by__user__username", flat=True)) == {
        "li.na"
    }
    punched_days = {p.at.astimezone(SHANGHAI).date() for p in Punch.objects.all()}
    assert punched_days == {dt.date(2026, 11, 16), dt.date(2026, 11, 17)}
    found = open_findings()
    assert set(found) == {(LATE, FindingKind.LATE), (MISSING, FindingKind.MISSING_PUNCH)}
    assert Finding.objects.count() == 2
    assert found[(LATE, FindingKind.LATE)].minutes == 17
    assert found[(LATE, FindingKind.LATE)].shift.date == dt.date(2026, 11, 16)


def test_the_lead_can_confirm_a_demo_finding_into_the_open_month():
    seed(at(2026, 11, 18, 10))
    finding = open_findings()[(MISSING, FindingKind.MISSING_PUNCH)]
    with time_machine.travel(at(2026, 11, 18, 11), tick=False):
        finding_confirm(actor=user("zhang.wei"), finding=finding)
    event = ScoreEvent.objects.get(source=f"finding:{finding.pk}")
    assert event.month == dt.date(2026, 11, 1) and event.fine == Decimal("10.00")


def test_a_second_seed_demo_adds_nothing():
    first = seed(at(2026, 11, 18, 10))
    before = snapshot()
    second = seed(at(2026, 11, 18, 10, 5))
    assert snapshot() == before
    assert "7 ledger events" in first
    assert (
        "0 ledger events 台账事件, 0 sales figures 销售额, months closed 月结 -, 0 shifts" in second
    )
    assert "0 punches 打卡, 0 findings 考勤异常 (2 open 待处理)" in second


def test_later_the_same_week_only_the_new_past_day_is_punched():
    seed(at(2026, 11, 18, 10))
    seed(at(2026, 11, 19, 10))  # Wednesday is past now
    punched_days = {p.at.astimezone(SHANGHAI).date() for p in Punch.objects.all()}
    assert dt.date(2026, 11, 18) in punched_days
    assert set(open_findings()) == {(LATE, FindingKind.LATE), (MISSING, FindingKind.MISSING_PUNCH)}
    assert RosterImport.objects.count() == 1


def test_on_the_first_of_a_month_the_demo_still_has_findings():
    """2026-12-01 is a Tuesday: only Monday (in November) is past."""
    out = seed(at(2026, 12, 1, 8, 30))
    found = open_findings()
    assert set(found) == {(LATE, FindingKind.LATE), (MISSING, FindingKind.MISSING_PUNCH)}
    assert found[(LATE, FindingKind.LATE)].shift.date == dt.date(2026, 11, 30)
    assert Shift.objects.filter(date=dt.date(2026, 12, 5)).exists()  # the week's grid
    assert ScoreEvent.objects.filter(month=dt.date(2026, 12, 1), note__endswith=MARK).count() == 7
    assert "months closed 月结 2026-11" in out
    pay_sheet(month=dt.date(2026, 11, 1))  # closed: the sheet reads


def test_on_a_monday_the_previous_week_is_rostered_and_punched_too():
    seed(at(2026, 11, 16, 10))
    found = open_findings()
    assert set(found) == {(LATE, FindingKind.LATE), (MISSING, FindingKind.MISSING_PUNCH)}
    assert {f.shift.date for f in found.values()} == {dt.date(2026, 11, 9)}
    assert Shift.objects.filter(date=dt.date(2026, 11, 21)).exists()  # this week's grid
    assert not Punch.objects.filter(at__gte=at(2026, 11, 16)).exists()


def test_a_month_with_demo_events_closes_instead_of_being_imported_next_month():
    """SCORE-10: the month after, the demo's events month is closed by administration before
    org.demo imports it (people with events scored from them, the others' demo scores kept), so
    the scheduled close on the 3rd has no import-and-events conflict."""
    seed(at(2026, 11, 18, 10))
    seed(at(2026, 12, 1, 9))
    november = dt.date(2026, 11, 1)
    rows = {a.employee.user.username: a for a in Assessment.objects.filter(month=november)}
    assert all(a.closed_at is not None for a in rows.values())
    assert rows["huang.lei"].source == Assessment.Source.EVENTS
    assert rows["huang.lei"].score == Decimal("85.0")  # 80 + covered_shift 5
    assert rows["liu.yang"].source == Assessment.Source.IMPORT
    assert rows["liu.yang"].score == Decimal("96.0")  # the demo's score for the last month
    forget_scheduled_closes()
    with time_machine.travel(at(2026, 12, 3, 9), tick=False):
        assert month_close(actor=None, month=november).closed == 0
        assert months_close_due() == 0
    forget_scheduled_closes()
    assert seed(at(2026, 12, 1, 9, 5)).count("0 ledger events") == 1


def test_seed_demo_leaves_what_people_did_alone():
    """A roster the lead imported and sales administration imported are kept as they are."""
    seed(at(2026, 11, 18, 10))
    with time_machine.travel(at(2026, 12, 9, 10), tick=False):
        lead, admin = user("zhang.wei"), user("li.na")
        rows = [
            {"username": LATE, "date": f"2026-12-0{d}", "start": "10:00", "end": "19:00"}
            for d in (7, 8)
        ]
        assert roster_import(actor=lead, rows=rows).ok
        assert sales_import(
            actor=admin, rows=[{"username": "huang.lei", "month": "2026-11", "amount": "50000"}]
        ).ok
    seed(at(2026, 12, 9, 10, 5))
    week = Shift.objects.filter(date__gte=dt.date(2026, 12, 7), date__lte=dt.date(2026, 12, 13))
    assert week.count() == 2
    assert not Punch.objects.filter(at__gte=at(2026, 12, 7)).exists()
    november = SalesFigure.objects.filter(month=dt.date(2026, 11, 1))
    assert november.get(employee__user__username="huang.lei").amount == Decimal("50000.00")
    assert november.count() == 15
    assert ScoreEvent.objects.filter(month=dt.date(2026, 12, 1), note__endswith=MARK).count() == 7


def test_the_demo_pages_show_the_activity_in_chinese():
    """Who sees what after seed_demo: the trainer's and the agent's ledger, administration's
    months and pay sheet, the lead's week grid and findings; in zh-hans with no English left."""
    from django.test import Client

    from tests.i18n_check import english_words, names_of_people

    seed(at(2026, 11, 18, 10))
    names = names_of_people()
    pages = [
        ("chen.jing", "/ledger/", "黄磊"),
        ("huang.lei", "/ledger/me/", "周末大促人手不足"),
        ("li.na", "/months/", "2026-10"),
        ("li.na", "/pay/", "806"),
        ("zhang.wei", "/roster/", "吴霞"),
        ("zhang.wei", "/findings/", "郭鹏"),
    ]
    found = {}
    with time_machine.travel(at(2026, 11, 18, 10, 30), tick=False):
        for username, url, shown in pages:
            c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
            c.force_login(user(username))
            response = c.get(url)
            assert response.status_code == 200, (username, url)
            page = response.content.decode()
            assert shown in page, (username, url, shown)
            words = english_words(page, names)
            if words:
                found[f"{username} {url}"] = words
    assert found == {}, found
