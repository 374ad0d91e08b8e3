"""The pay page `/pay/` (PAY-1, PAY-2): administration imports sales (every bad row shown, nothing
written) and reads the sheet, each row with its trace in <details>, export links by data-testid;
the GM office reads without the import form; anyone else 403; a month not closed says why
(SCORE-10); the page speaks Chinese by default."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from performance.models import SalesFigure
from tests.factories import DepartmentFactory
from tests.orgdata import employee
from tests.performance.test_paysheet import close, person

pytestmark = pytest.mark.django_db

NOV_5 = timezone.make_aware(dt.datetime(2026, 11, 5, 10, 0))


@pytest.fixture(autouse=True)
def _in_november():
    with time_machine.travel(NOV_5, tick=False):
        yield


def client_of(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def org():
    cs = DepartmentFactory(code="cs", name="客服部")
    adm = DepartmentFactory(code="adm", name="行政部")
    a = person("a", department=cs, level="intermediate", name="张三")
    close(a, 85)
    return {
        "cs": cs,
        "a": a,
        "admin": employee("admin", department=adm, level=None, roles=["administration"]),
        "gm": employee("gm", department=adm, level=None, roles=["gm_office"]),
        "lead": employee("lead", department=cs, level=None, roles=["department_lead"]),
    }


def _upload(text):
    return SimpleUploadedFile("sales.csv", text.encode(), content_type="text/csv")


def test_pay1_page_shows_the_sheet_with_traces_and_exports(org):
    html = client_of(org["admin"].user).get("/pay/?month=2026-10").content.decode()
    assert 'data-testid="pay-table"' in html and 'data-testid="pay-scroll"' in html
    assert 'data-testid="export-xlsx"' in html and 'data-testid="export-csv"' in html
    assert "/api/v1/pay-sheets/2026-10/?format=xlsx" in html
    assert "/api/v1/pay-sheets/2026-10/?format=csv" in html
    row = re.search(r'<tr data-testid="pay-row" data-username="a">(.*?)</tr>', html, re.S).group(1)
    assert 'data-line="performance_pay">204.00<' in row  # PAY-2: 2400 × 10 % × 0.85
    assert 'data-line="salary_float">50.00<' in row
    assert '<details data-testid="pay-trace">' in html
    assert "SCORE-8" in html
    # The trace in words, its references named by what they are (PAY-1).
    assert "× score ÷ 100 = 204" in html
    assert "(score − 80) × 10 = 50" in html
    assert "monthly assessment #" in html
    assert 'data-testid="sales-file"' in html and 'data-testid="sales-submit"' in html
    assert 'data-testid="nav-pay"' in html
    assert "<script" not in html.split("</head>")[1]


def test_pay1_page_defaults_to_the_previous_month(org):
    html = client_of(org["admin"].user).get("/pay/").content.decode()
    assert 'value="2026-10"' in html and 'data-testid="pay-row"' in html


def test_pay1_page_import_shows_the_report_and_the_new_commission(org):
    client = client_of(org["admin"].user)
    response = client.post(
        "/pay/?month=2026-10", {"sales_file": _upload("username,month,amount\na,2026-10,60000\n")}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="sales-report"' in html
    assert 'data-line="commission">780.00<' in html  # PAY-2: 60,000 → 780
    assert SalesFigure.objects.get().amount == Decimal("60000.00")


def test_pay1_page_import_shows_every_bad_row_and_writes_nothing(org):
    response = client_of(org["admin"].user).post(
        "/pay/?month=2026-10",
        {"sales_file": _upload("username,month,amount\na,2026-10,1\nghost,2026-10,1\na,x,-1\n")},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="sales-errors"' in html
    assert 'data-row="3"' in html and 'data-row="4"' in html
    assert "ghost" in html
    assert SalesFigure.objects.count() == 0


def test_pay1_page_import_without_a_file_or_with_a_bad_one(org):
    client = client_of(org["admin"].user)
    assert client.post("/pay/?month=2026-10", {}).status_code == 400
    response = client.post(
        "/pay/?month=2026-10",
        {"sales_file": SimpleUploadedFile("x.pdf", b"%PDF")},
    )
    assert response.status_code == 400
    assert 'data-testid="sales-error"' in response.content.decode()


def test_pay1_gm_office_reads_without_the_import_form(org):
    client = client_of(org["gm"].user)
    html = client.get("/pay/?month=2026-10").content.decode()
    assert 'data-testid="pay-table"' in html and 'data-testid="sales-file"' not in html
    response = client.post("/pay/", {"sales_file": _upload("username,month,amount\n")})
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["lead", "a"])
def test_pay1_page_refused_outside_administration_and_gm(org, who):
    client = client_of(org[who].user)
    assert client.get("/pay/").status_code == 403
    assert client.post("/pay/", {}).status_code == 403
    assert 'data-testid="nav-pay"' not in client.get("/").content.decode()


def test_pay1_page_requires_login():
    response = Client().get("/pay/")
    assert response.status_code == 302


def test_score_10_pay1_page_month_not_closed_says_why(org):
    person("open", department=org["cs"], name="王五")
    html = client_of(org["admin"].user).get("/pay/?month=2026-10").content.decode()
    assert 'data-testid="pay-error"' in html and "王五" in html and "SCORE-10" in html
    assert 'data-testid="export-xlsx"' not in html
    assert 'data-testid="sales-file"' in html  # sales may still be imported


@pytest.mark.parametrize("month", ["2026-13", "xyz", "2027-05"])
def test_pay1_page_bad_month_is_shown_not_500(org, month):
    response = client_of(org["admin"].user).get(f"/pay/?month={month}")
    assert response.status_code == 200
    assert 'data-testid="pay-error"' in response.content.decode()


def test_pay1_page_speaks_chinese_by_default(org):
    html = client_of(org["admin"].user, "zh-hans").get("/pay/?month=2026-10").content.decode()
    assert "工资表" in html and "绩效工资" in html and "导出 Excel" in html


def test_pay1_page_shows_100_rows_a_page_the_exports_hold_all(org, monkeypatch):
    from workflows import pay_views

    monkeypatch.setattr(pay_views, "PAGE_ROWS", 2)
    for name in ("b", "c", "d"):
        close(person(name, department=org["cs"]), 80)
    client = client_of(org["admin"].user)
    first = client.get("/pay/?month=2026-10").content.decode()
    assert first.count('data-testid="pay-row"') == 2
    assert 'data-testid="pay-range">Rows 1–2 of 4<' in first
    assert "page=2" in first and 'data-testid="pay-prev"' not in first
    last = client.get("/pay/?month=2026-10&page=2").content.decode()
    assert last.count('data-testid="pay-row"') == 2 and 'data-testid="pay-next"' not in last
    assert client.get("/pay/?month=2026-10&page=99").status_code == 200
    assert client.get("/pay/?month=2026-10&page=x").status_code == 200
