"""The sales import (PAY-1, SCORE-8's commission base): administration only, all or nothing with
every bad row reported by number, idempotent, a replaced figure reported and audited; the file
reader (CSV UTF-8/BOM/GB18030, XLSX)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from approvals.errors import InvalidInput, NotAllowed
from audit.models import AuditEvent
from performance.models import SalesFigure
from performance.sales import sales_file_read, sales_import
from tests.factories import DepartmentFactory
from tests.orgdata import employee

pytestmark = pytest.mark.django_db

OCT = dt.date(2026, 10, 1)
NOV_5 = timezone.make_aware(dt.datetime(2026, 11, 5, 10, 0))


@pytest.fixture(autouse=True)
def _in_november():
    with time_machine.travel(NOV_5, tick=False):
        yield


@pytest.fixture
def org():
    cs = DepartmentFactory(code="cs")
    adm = DepartmentFactory(code="adm")
    return {
        "admin": employee("admin", department=adm, level=None, roles=["administration"]),
        "gm": employee("gm", department=adm, level=None, roles=["gm_office"]),
        "lead": employee("lead", department=cs, roles=["department_lead"]),
        "a": employee("a", department=cs),
        "b": employee("b", department=cs),
    }


def rows(*items):
    return [{"username": u, "month": m, "amount": a} for u, m, a in items]


def test_pay1_import_creates_the_figures_and_audits_per_month(org):
    report = sales_import(
        actor=org["admin"].user,
        rows=rows(("a", "2026-10", "30000"), ("b", "2026-10", 20000.5), ("a", "2026-09", "0")),
    )
    assert report.ok and (report.created, report.replaced, report.unchanged) == (3, 0, 0)
    figures = {(s.employee.user.username, s.month): s.amount for s in SalesFigure.objects.all()}
    assert figures == {
        ("a", OCT): Decimal("30000.00"),
        ("b", OCT): Decimal("20000.50"),
        ("a", dt.date(2026, 9, 1)): Decimal("0.00"),
    }
    assert SalesFigure.objects.get(employee=org["a"], month=OCT).imported_by == org["admin"].user
    events = AuditEvent.objects.filter(case_type="sales_month", action="import")
    assert sorted(e.case_id for e in events) == [202609, 202610]


def test_pay1_import_again_is_idempotent(org):
    data = rows(("a", "2026-10", "30000"))
    sales_import(actor=org["admin"].user, rows=data)
    audits = AuditEvent.objects.count()
    report = sales_import(actor=org["admin"].user, rows=data)
    assert (report.created, report.replaced, report.unchanged) == (0, 0, 1)
    assert SalesFigure.objects.count() == 1
    assert AuditEvent.objects.count() == audits  # nothing changed, nothing audited


def test_pay1_import_reports_a_replaced_figure(org):
    sales_import(actor=org["admin"].user, rows=rows(("a", "2026-10", "30000")))
    report = sales_import(actor=org["admin"].user, rows=rows(("a", "2026-10", "31000.5")))
    assert report.replaced == 1
    assert report.replacements == [
        {"row": 2, "username": "a", "month": "2026-10", "before": "30000.00", "after": "31000.50"}
    ]
    assert SalesFigure.objects.get().amount == Decimal("31000.50")
    last = AuditEvent.objects.filter(case_type="sales_month").order_by("-pk").first()
    assert last.data["figures"] == [
        {"employee": org["a"].pk, "before": "30000.00", "after": "31000.50"}
    ]


def test_pay1_import_after_the_month_closed_is_allowed(org):
    """Reading: the close freezes scores, not sales; the sheet reads the latest figure."""
    from performance.models import Assessment

    Assessment.objects.create(
        employee=org["a"], month=OCT, score=80, tier=2, grade="B", policy_version="t",
        source="events", closed_at=timezone.now(),
    )  # fmt: skip
    assert sales_import(actor=org["admin"].user, rows=rows(("a", "2026-10", "1"))).ok


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("ghost", "2026-10", "100"), "unknown user 'ghost'"),
        (("", "2026-10", "100"), "username is missing"),
        (("a", "2026-13", "100"), "is not YYYY-MM"),
        (("a", "October", "100"), "is not YYYY-MM"),
        (("a", "2027-01", "100"), "has not begun yet"),
        (("a", "2026-10", "-1"), "is negative"),
        (("a", "2026-10", "lots"), "is not a number"),
        (("a", "2026-10", "NaN"), "is not a number"),
        (("a", "2026-10", ""), "amount is missing"),
        (("a", "2026-10", None), "amount is missing"),
        (("a", "2026-10", True), "amount is missing"),
        (("a", "2026-10", "1.005"), "more than two decimal places"),
        (("a", "2026-10", "1e12"), "larger than"),
    ],
)
def test_pay1_each_bad_row_is_reported_and_nothing_written(org, row, message):
    report = sales_import(actor=org["admin"].user, rows=rows(("b", "2026-10", "500"), row))
    assert not report.ok
    assert [e.row for e in report.errors] == [3]
    assert message in str(report.errors[0])
    assert str(report.errors[0]).startswith("row 3 (")
    assert SalesFigure.objects.count() == 0
    assert not AuditEvent.objects.filter(case_type="sales_month").exists()


def test_pay1_a_duplicate_row_in_the_file_is_reported(org):
    report = sales_import(
        actor=org["admin"].user,
        rows=rows(("a", "2026-10", "1"), ("b", "2026-10", "2"), ("a", "2026-10", "3")),
    )
    assert [(e.row, e.problems) for e in report.errors] == [(4, ["duplicate of row 2"])]
    assert SalesFigure.objects.count() == 0


def test_pay1_every_bad_row_is_reported_at_once(org):
    report = sales_import(
        actor=org["admin"].user,
        rows=rows(("ghost", "2026-10", "1"), ("a", "2026-10", "ok"), ("b", "bad", "-3")),
    )
    assert [e.row for e in report.errors] == [2, 3, 4]
    assert len(report.errors[2].problems) == 2  # month and amount of the same row


def test_pay1_a_bad_row_leaves_an_existing_figure_as_it_was(org):
    sales_import(actor=org["admin"].user, rows=rows(("a", "2026-10", "100")))
    sales_import(actor=org["admin"].user, rows=rows(("a", "2026-10", "900"), ("x", "2026-10", "1")))
    assert SalesFigure.objects.get().amount == Decimal("100.00")


@pytest.mark.parametrize("who", ["gm", "lead", "a"])
def test_pay1_only_administration_imports_sales(org, who):
    with pytest.raises(NotAllowed) as caught:
        sales_import(actor=org[who].user, rows=rows(("a", "2026-10", "100")))
    assert (caught.value.code, caught.value.rule) == ("wrong_role", "PAY-1")
    assert SalesFigure.objects.count() == 0


def test_pay1_import_statements_do_not_grow_with_rows(org):
    many = [employee(f"p{i}", department=org["a"].department) for i in range(30)]
    sales_import(actor=org["admin"].user, rows=rows(("a", "2026-09", "1")))  # role cache warm
    counts = []
    for people in (many[:3], many[3:]):
        with CaptureQueriesContext(connection) as queries:
            sales_import(
                actor=org["admin"].user,
                rows=rows(*((p.user.username, "2026-10", "100") for p in people)),
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- reading a file ----------------------------------------------------------------------------


def test_pay1_read_csv_with_bom_and_gb18030():
    utf8 = "\ufeffusername,month,amount\r\na,2026-10,30000\r\n\r\n".encode()
    assert sales_file_read(name="s.csv", content=utf8) == [
        {"username": "a", "month": "2026-10", "amount": "30000", "row": 2}
    ]
    gbk = "用户,username,month,amount\n张,a,2026-10,1\n".encode("gb18030")
    assert sales_file_read(name="s.CSV", content=gbk)[0]["amount"] == "1"


def test_pay1_read_xlsx():
    book = Workbook()
    book.active.append(["Amount", "Username", "Month"])
    book.active.append([30000, "a", "2026-10"])
    out = io.BytesIO()
    book.save(out)
    rows_ = sales_file_read(name="s.xlsx", content=out.getvalue())
    assert rows_ == [{"username": "a", "month": "2026-10", "amount": 30000, "row": 2}]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("s.txt", b"username,month,amount\n", "bad_file"),
        ("s.xlsx", b"not a zip", "bad_file"),
        ("s.csv", b"username,month\na,2026-10\n", "bad_header"),
        ("s.csv", b"", "bad_header"),
    ],
)
def test_pay1_unreadable_files_are_refused(name, content, code):
    with pytest.raises(InvalidInput) as caught:
        sales_file_read(name=name, content=content)
    assert caught.value.code == code
