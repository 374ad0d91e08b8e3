"""The pay sheet (PAY-1, PAY-2, SCORE-6, SCORE-8) through the database: every PAY-2 example end
to end, the level held on the month's last day (ORG-3), the month's fines, the rewards hook, the
refusal of a month not closed (SCORE-10), the exports (CSV, XLSX) and the statements the sheet
costs (the same for 20 and for 200 employees)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from approvals.errors import StateConflict
from org.models import LevelHistory
from performance import pay, paysheet
from performance.ledger_close import month_close
from performance.models import Assessment, SalesFigure, ScoreEvent
from performance.paysheet import pay_sheet
from performance.paysheet_export import to_csv, to_xlsx
from performance.services import score_event_book
from tests.factories import DepartmentFactory
from tests.orgdata import employee

pytestmark = pytest.mark.django_db

OCT = dt.date(2026, 10, 1)
NOV_5 = timezone.make_aware(dt.datetime(2026, 11, 5, 10, 0))
BASES = {"probationer": 2200, "junior": 2200, "intermediate": 2400, "senior": 2800}


@pytest.fixture(autouse=True)
def _in_november():
    with time_machine.travel(NOV_5, tick=False):
        yield


def person(username, *, department, level="intermediate", hired_on=dt.date(2024, 1, 1), **kw):
    e = employee(username, department=department, level=level, **kw)
    e.hired_on = hired_on
    e.base_salary = Decimal(BASES.get(level, 3000))
    e.save(update_fields=["hired_on", "base_salary"])
    LevelHistory.objects.create(
        employee=e, to_level=level, base_salary=e.base_salary, effective_on=hired_on
    )
    return e


def close(e, score, *, month=OCT, tier=None):
    score = Decimal(str(score))
    tier = tier or (1 if score >= 91 else 2 if score >= 80 else 3 if score >= 60 else 4)
    return Assessment.objects.update_or_create(
        employee=e,
        month=month,
        defaults={
            "score": score,
            "tier": tier,
            "grade": "B",
            "policy_version": "test",
            "source": "events",
            "closed_at": timezone.now(),
        },
    )[0]


def sales(e, amount, month=OCT):
    return SalesFigure.objects.create(
        employee=e, month=month, amount=Decimal(amount), imported_at=timezone.now()
    )


def sheet_of(**kw):
    return {r.employee.user.username: r for r in pay_sheet(month=OCT, **kw).rows}


@pytest.fixture
def cs():
    return DepartmentFactory(code="cs", name="客服部")


# --- PAY-2's examples through the sheet --------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "line"), [("91", "110.00"), ("68", "-120.00"), ("40", "-300.00")]
)
def test_pay2_salary_float_on_the_sheet(cs, score, line):
    """SCORE-6/PAY-2: 91 → +110; 68 → −120; 40 → −300 (clamped, not −400)."""
    close(person("a", department=cs), score)
    row = sheet_of()["a"]
    assert row.line(pay.FLOAT) == Decimal(line)
    assert "SCORE-6" in row.figure(pay.FLOAT).trace.rules


@pytest.mark.parametrize("hired_on", [dt.date(2026, 10, 31), dt.date(2026, 9, 1)])
def test_pay2_score_6_first_two_months_of_service_float_0(cs, hired_on):
    """SCORE-6: the hire month is month 1; months 1 and 2 float 0 whatever the score."""
    close(person("new", department=cs, hired_on=hired_on), 91)
    row = sheet_of()["new"]
    assert row.service_month in (1, 2)
    assert row.line(pay.FLOAT) == Decimal("0.00")
    assert row.figure(pay.FLOAT).trace.where("not_yet")


def test_pay2_third_month_of_service_floats(cs):
    close(person("third", department=cs, hired_on=dt.date(2026, 8, 31)), 91)
    assert sheet_of()["third"].line(pay.FLOAT) == Decimal("110.00")


def test_pay2_score_8_intermediate_at_85_performance_pay_204(cs):
    """SCORE-8/PAY-2: 2400 × 10 % × 0.85 = 204.00; the base is the intermediate's (ORG-3)."""
    assessment = close(person("a", department=cs, level="intermediate"), 85)
    row = sheet_of()["a"]
    assert row.line(pay.BASE) == Decimal("2400.00")
    assert row.line(pay.PERFORMANCE) == Decimal("204.00")
    assert f"assessment:{assessment.pk}" in row.figure(pay.PERFORMANCE).trace.refs


@pytest.mark.parametrize(
    ("amount", "line"),
    [("20000", "140.00"), ("30000", "270.00"), ("40000", "400.00"), ("60000", "780.00"),
     ("19999.99", "0.00")],
)  # fmt: skip
def test_pay2_score_8_commission_on_the_imported_sales(cs, amount, line):
    """SCORE-8/PAY-2: 20,000 → 140; 30,000 → 270; 40,000 → 400; 60,000 → 780 (1.3 %)."""
    e = person("a", department=cs)
    close(e, 80)
    figure = sales(e, amount)
    row = sheet_of()["a"]
    assert row.line(pay.COMMISSION) == Decimal(line)
    assert row.sales == Decimal(amount)
    if line != "0.00":
        assert row.figure(pay.COMMISSION).trace.refs == (f"sales:{figure.pk}",)


def test_pay1_no_sales_imported_is_no_commission(cs):
    close(person("a", department=cs), 80)
    assert sheet_of()["a"].line(pay.COMMISSION) == Decimal("0.00")


def test_pay1_total_is_the_sum_of_the_rounded_lines(cs):
    """PAY-1: intermediate at 85 with 30,000 of sales: 2400 + 50 + 204 + 270 = 2924.00."""
    e = person("a", department=cs)
    close(e, 85)
    sales(e, "30000")
    row = sheet_of()["a"]
    assert row.total == Decimal("2924.00")
    assert sum(row.line(f.code) for f in row.row.lines) == row.total


# --- ORG-3: the level held on the month's last day ---------------------------------------------


def test_org_3_base_of_the_level_held_on_the_months_last_day(cs):
    e = person("a", department=cs, level="junior")
    LevelHistory.objects.create(
        employee=e, from_level="junior", to_level="intermediate", base_salary=2400,
        effective_on=dt.date(2026, 10, 31),
    )  # fmt: skip
    LevelHistory.objects.create(
        employee=e, from_level="intermediate", to_level="senior", base_salary=2800,
        effective_on=dt.date(2026, 11, 1),
    )  # fmt: skip
    close(e, 85)
    row = sheet_of()["a"]
    assert (row.level, row.line(pay.BASE), row.line(pay.PERFORMANCE)) == (
        "intermediate",
        Decimal("2400.00"),
        Decimal("204.00"),
    )
    assert row.figure(pay.BASE).trace.rules == ("ORG-3",)


def test_org_1_staff_off_the_ladder_have_no_row(cs):
    close(person("a", department=cs), 80)
    staff = employee("staff", department=cs, level=None)
    close(staff, 80)
    assert set(sheet_of()) == {"a"}


def test_pay1_people_hired_after_the_month_have_no_row(cs):
    close(person("a", department=cs), 80)
    person("later", department=cs, hired_on=dt.date(2026, 11, 1))
    assert set(sheet_of()) == {"a"}


def test_pay1_department_filter(cs):
    ops = DepartmentFactory(code="ops", name="运营部")
    close(person("a", department=cs), 80)
    close(person("b", department=ops), 80)
    assert set(sheet_of(department=ops)) == {"b"}


# --- fines and rewards -------------------------------------------------------------------------


def test_pay1_fines_of_the_month_from_penalties_and_findings(cs):
    """PAY-1: every event of the month with a fine (a final penalty APPEAL-3/PEN-1, an attendance
    finding ATT-2) is a negative line, each traced to its event; other months' fines are not."""
    e = person("a", department=cs)
    close(e, 80)
    in_oct = timezone.make_aware(dt.datetime(2026, 10, 20, 12))
    penalty = score_event_book(
        employee=e, at=in_oct, points=Decimal(-10), fine=Decimal("50"), reason="penalty",
        source="penalty:1", code="penalty_written_warning",
    )  # fmt: skip
    finding = ScoreEvent.objects.create(
        employee=e, month=OCT, points=Decimal(-20), fine=Decimal("30.5"), reason="absent",
        source="finding:1", booked_at=timezone.now(), code="absenteeism",
    )  # fmt: skip
    ScoreEvent.objects.create(
        employee=e, month=OCT, points=Decimal(5), reason="bonus", source="b:1",
        booked_at=timezone.now(), code="extra_work",
    )  # fmt: skip
    ScoreEvent.objects.create(
        employee=e, month=dt.date(2026, 9, 1), points=Decimal(-5), fine=Decimal(10),
        reason="september", source="s:1", booked_at=timezone.now(), code="left_post",
    )  # fmt: skip
    row = sheet_of()["a"]
    assert row.line(pay.FINES) == Decimal("-80.50")
    assert row.figure(pay.FINES).trace.refs == (
        f"score_event:{penalty.pk}",
        f"score_event:{finding.pk}",
    )


def test_pay1_rewards_hook(cs, monkeypatch):
    """PAY-1/AWARD-1: no award, no reward; a source in REWARD_SOURCES puts one on the
    sheet (issue 14's award)."""
    e = person("a", department=cs)
    close(e, 80)
    assert sheet_of()["a"].line(pay.REWARDS) == Decimal("0.00")
    monkeypatch.setattr(
        paysheet,
        "REWARD_SOURCES",
        [lambda month, ids: {e.pk: [pay.Reward(Decimal("200"), rule="AWARD-1", ref="award:1")]}],
    )
    row = sheet_of()["a"]
    assert row.line(pay.REWARDS) == Decimal("200.00")
    assert row.figure(pay.REWARDS).trace.refs == ("award:1",)


# --- a month not closed (SCORE-10) ------------------------------------------------------------


def test_score_10_pay1_sheet_refuses_a_month_not_closed(cs):
    close(person("a", department=cs), 80)
    person("open", department=cs, name="王五")
    with pytest.raises(StateConflict) as caught:
        pay_sheet(month=OCT)
    assert caught.value.code == "month_not_closed"
    assert caught.value.rule == "SCORE-10"
    assert "王五" in caught.value.detail and "2026-10" in caught.value.detail


def test_score_10_pay1_an_assessment_not_yet_closed_is_refused(cs):
    e = person("a", department=cs)
    Assessment.objects.create(
        employee=e, month=OCT, score=80, tier=2, grade="B", policy_version="t", source="import"
    )
    with pytest.raises(StateConflict):
        pay_sheet(month=OCT)


def test_score_10_pay1_end_to_end_after_month_close(cs):
    """The ledger's close (SCORE-10) makes the scores the sheet reads: no events → 80."""
    admin = employee("admin", department=DepartmentFactory(code="adm"), level=None,
                     roles=["administration"])  # fmt: skip
    person("a", department=cs)
    with pytest.raises(StateConflict):
        pay_sheet(month=OCT)
    month_close(actor=admin.user, month=OCT)
    row = sheet_of()["a"]
    assert (row.score, row.line(pay.FLOAT), row.line(pay.PERFORMANCE)) == (
        Decimal(80),
        Decimal("0.00"),
        Decimal("192.00"),
    )


# --- export -----------------------------------------------------------------------------------


def _two(cs):
    a = person("a", department=cs, level="intermediate", name="张三")
    close(a, 85)
    sales(a, "60000")
    b = person("b", department=cs, level="senior", name="=cmd")
    close(b, 40)
    return pay_sheet(month=OCT)


def test_pay1_xlsx_export_has_numbers_with_two_decimals(cs):
    book = load_workbook(io.BytesIO(to_xlsx(_two(cs))))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "Username" and rows[0][-1] == "Total"
    a = rows[1]
    assert a[:4] == ("a", "张三", "客服部", "Intermediate agent")
    # score, base, float, performance pay, sales, commission, fines, rewards, total
    assert [Decimal(str(v)) for v in a[4:]] == [Decimal(x) for x in (
        "85", "2400", "50", "204", "60000", "780", "0", "0", "3434")]  # fmt: skip
    assert all(isinstance(v, int | float) for v in a[4:])
    cells = list(book.active.iter_rows(min_row=2, max_row=2))[0]
    assert cells[5].number_format == "0.00"
    b = rows[2]
    assert b[1] == "=cmd"  # text, not a formula
    assert Decimal(str(b[6])) == Decimal(-300)


def test_pay1_xlsx_header_in_the_requests_language(cs):
    from django.utils import translation

    with translation.override("zh-hans"):
        content = to_xlsx(_two(cs))
    header = next(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert header[0] != "Username"


def test_pay1_csv_export_utf8_with_bom(cs):
    content = to_csv(_two(cs))
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][0] == "Username"
    assert rows[1] == ["a", "张三", "客服部", "Intermediate agent", "85.0", "2400.00", "50.00",
                       "204.00", "60000.00", "780.00", "0.00", "0.00", "3434.00"]  # fmt: skip
    assert rows[2][1] == "'=cmd"


# --- statements: 20 and 200 employees cost the same -------------------------------------------


def _company(n, cs):
    for i in range(n):
        e = person(f"e{n}_{i}", department=cs)
        close(e, 70 + i % 30)
        if i % 2:
            sales(e, str(20000 + i * 100))
        if i % 3 == 0:
            ScoreEvent.objects.create(
                employee=e, month=OCT, points=-5, fine=10, reason="late",
                source=f"late:{n}:{i}", booked_at=timezone.now(), code="late",
            )  # fmt: skip


@pytest.mark.parametrize("exporter", [None, to_csv, to_xlsx])
def test_pay1_sheet_costs_the_same_statements_for_20_and_200(cs, exporter):
    ops = DepartmentFactory(code="ops")
    small, large = DepartmentFactory(code="small"), DepartmentFactory(code="large")
    _company(20, small)
    _company(200, large)
    pay_sheet(month=OCT, department=ops)  # the policy caches warm
    counts = []
    for department in (small, large):
        with CaptureQueriesContext(connection) as queries:
            sheet = pay_sheet(month=OCT, department=department)
            if exporter is not None:
                exporter(sheet)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 6
    assert len(sheet.rows) == 200
