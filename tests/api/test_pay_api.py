"""`/api/v1/sales/` and `/api/v1/pay-sheets/<YYYY-MM>/` (PAY-1, PAY-2): the import by file and by
JSON rows, its refusals (every bad row, nothing written), the list, the sheet as JSON with its
traces and as CSV/XLSX downloads, who may do what (administration; the GM office reads), an
unclosed month refused (SCORE-10), messages in zh-hans and en."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from performance.models import SalesFigure
from tests.factories import DepartmentFactory
from tests.orgdata import employee
from tests.performance.test_paysheet import OCT, close, person

pytestmark = pytest.mark.django_db

NOV_5 = timezone.make_aware(dt.datetime(2026, 11, 5, 10, 0))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _in_november():
    with time_machine.travel(NOV_5, tick=False):
        yield


def api(user, language="en"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


@pytest.fixture
def org():
    cs = DepartmentFactory(code="cs", name="客服部")
    adm = DepartmentFactory(code="adm", name="行政部")
    a = person("a", department=cs, level="intermediate", name="张三")
    close(a, 85)
    b = person("b", department=cs, level="junior")
    close(b, 91)
    return {
        "cs": cs,
        "a": a,
        "b": b,
        "admin": employee("admin", department=adm, level=None, roles=["administration"]),
        "gm": employee("gm", department=adm, level=None, roles=["gm_office"]),
        "lead": employee("lead", department=cs, level=None, roles=["department_lead"]),
        "agent": employee("agent", department=cs, level=None),
    }


def _csv(text: str, name="sales.csv"):
    return SimpleUploadedFile(name, ("\ufeff" + text).encode(), content_type="text/csv")


# --- POST sales/ ---------------------------------------------------------------------------------


def test_pay1_post_sales_file_csv(org):
    response = api(org["admin"].user).post(
        "/api/v1/sales/",
        {"file": _csv("username,month,amount\na,2026-10,60000\nb,2026-10,20000\n")},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2
    assert SalesFigure.objects.get(employee=org["a"]).amount == Decimal("60000.00")


def test_pay1_post_sales_file_xlsx(org):
    book = Workbook()
    book.active.append(["username", "month", "amount"])
    book.active.append(["a", "2026-10", 30000])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("s.xlsx", out.getvalue(), content_type=XLSX)
    response = api(org["admin"].user).post("/api/v1/sales/", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.json()
    assert SalesFigure.objects.get().amount == Decimal("30000.00")


def test_pay1_post_sales_json_rows_and_replacement_reported(org):
    client = api(org["admin"].user)
    client.post(
        "/api/v1/sales/",
        {"rows": [{"username": "a", "month": "2026-10", "amount": "100"}]},
        format="json",
    )
    response = client.post(
        "/api/v1/sales/",
        {"rows": [{"username": "a", "month": "2026-10", "amount": 200}]},
        format="json",
    )
    body = response.json()
    assert (body["created"], body["replaced"]) == (0, 1)
    assert body["replacements"][0]["before"] == "100.00"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pay1_post_sales_bad_rows_400_nothing_written(org, language):
    response = api(org["admin"].user, language).post(
        "/api/v1/sales/",
        {"file": _csv("username,month,amount\na,2026-10,1\nghost,2026-10,1\nb,2026-10,-5\n")},
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["rule"]) == ("invalid_rows", "PAY-1")
    assert [e["row"] for e in body["errors"]] == [3, 4]
    assert "ghost" in body["messages"][0]
    if language == "en":
        assert "Rows not valid: 2" in body["detail"]
    else:
        assert "无效的行" in body["detail"]
    assert SalesFigure.objects.count() == 0


@pytest.mark.parametrize(
    "payload",
    [{"rows": "x"}, {"rows": [1, 2]}, {"nothing": True}, [{"username": "a"}, 3]],
)
def test_pay1_post_sales_malformed_json_400(org, payload):
    response = api(org["admin"].user).post("/api/v1/sales/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] in ("bad_rows", "invalid_rows")


def test_pay1_post_sales_bad_file_400(org):
    upload = SimpleUploadedFile("s.xlsx", b"not a zip")
    response = api(org["admin"].user).post("/api/v1/sales/", {"file": upload}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "bad_file"


@pytest.mark.parametrize("who", ["gm", "lead", "agent", "a"])
def test_pay1_post_sales_refused_outside_administration(org, who):
    response = api(org[who].user).post(
        "/api/v1/sales/",
        {"rows": [{"username": "a", "month": "2026-10", "amount": "1"}]},
        format="json",
    )
    assert response.status_code == 403
    assert (response.json()["code"], response.json()["rule"]) == ("wrong_role", "PAY-1")
    assert SalesFigure.objects.count() == 0


def test_pay1_sales_unauthenticated_401():
    assert APIClient().get("/api/v1/sales/").status_code == 401
    assert APIClient().get("/api/v1/pay-sheets/2026-10/").status_code == 401


# --- GET sales/ ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "gm"])
def test_pay1_get_sales_list_of_a_month(org, who):
    api(org["admin"].user).post(
        "/api/v1/sales/",
        {"rows": [{"username": "a", "month": "2026-10", "amount": "5"},
                  {"username": "b", "month": "2026-09", "amount": "6"}]},
        format="json",
    )  # fmt: skip
    response = api(org[who].user).get("/api/v1/sales/?month=2026-10")
    assert response.status_code == 200
    assert [(r["username"], r["amount"], r["month"]) for r in response.json()] == [
        ("a", "5.00", "2026-10")
    ]
    assert len(api(org[who].user).get("/api/v1/sales/").json()) == 2


@pytest.mark.parametrize("query", ["month=13", "month=2026-1x", "department=x", "department=999"])
def test_pay1_get_sales_bad_filters_400(org, query):
    response = api(org["admin"].user).get(f"/api/v1/sales/?{query}")
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["lead", "agent"])
def test_pay1_get_sales_refused(org, who):
    assert api(org[who].user).get("/api/v1/sales/").status_code == 403


# --- GET pay-sheets/<YYYY-MM>/ ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "gm"])
def test_pay1_pay_sheet_json_with_traces(org, who):
    SalesFigure.objects.create(
        employee=org["a"], month=OCT, amount=Decimal("40000"), imported_at=timezone.now()
    )
    response = api(org[who].user).get("/api/v1/pay-sheets/2026-10/")
    assert response.status_code == 200, response.json()
    body = response.json()
    rows = {r["username"]: r for r in body["rows"]}
    assert set(rows) == {"a", "b"}
    lines = {line["code"]: line for line in rows["a"]["lines"]}
    assert lines["performance_pay"]["amount"] == "204.00"  # PAY-2: 2400 × 10 % × 0.85
    assert lines["commission"]["amount"] == "400.00"  # PAY-2: 40,000 → 400
    assert lines["salary_float"]["amount"] == "50.00"
    assert "SCORE-8" in lines["commission"]["rules"]
    assert lines["commission"]["refs"][0].startswith("sales:")
    assert lines["commission"]["trace"][0]["data"]["band"] == "40000"
    b_lines = {line["code"]: line["amount"] for line in rows["b"]["lines"]}
    assert b_lines["salary_float"] == "110.00"  # PAY-2: 91 → +110
    assert rows["a"]["total"] == str(Decimal("2400") + 50 + 204 + 400) + ".00"


def test_pay1_pay_sheet_department_filter(org):
    ops = DepartmentFactory(code="ops")
    close(person("c", department=ops), 80)
    body = api(org["admin"].user).get(f"/api/v1/pay-sheets/2026-10/?department={ops.pk}").json()
    assert [r["username"] for r in body["rows"]] == ["c"] and body["department"] == "ops"


def test_pay1_pay_sheet_xlsx_download(org):
    response = api(org["admin"].user).get("/api/v1/pay-sheets/2026-10/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="pay-2026-10.xlsx"'
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    a = next(r for r in rows if r[0] == "a")
    assert Decimal(str(a[7])) == Decimal("204")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pay1_pay_sheet_csv_download_header_in_the_requests_language(org, language):
    response = api(org["gm"].user, language).get("/api/v1/pay-sheets/2026-10/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="pay-2026-10.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert (rows[0][0] == "Username") == (language == "en")
    b = next(r for r in rows if r[0] == "b")
    assert b[6] == "110.00"


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_score_10_pay1_pay_sheet_of_a_month_not_closed_409(org, fmt, language):
    person("open", department=org["cs"])
    response = api(org["admin"].user, language).get(f"/api/v1/pay-sheets/2026-10/?format={fmt}")
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["rule"]) == ("month_not_closed", "SCORE-10")
    assert "2026-10" in body["detail"]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("2026-13/", "bad_month"),
        ("october/", "bad_month"),
        ("2027-01/", "future_month"),
        ("2026-10/?format=pdf", "bad_format"),
        ("2026-10/?department=abc", "invalid_department"),
    ],
)
def test_pay1_pay_sheet_bad_input_400(org, path, code):
    response = api(org["admin"].user).get(f"/api/v1/pay-sheets/{path}")
    assert response.status_code == 400
    assert response.json()["code"] == code


@pytest.mark.parametrize("who", ["lead", "agent", "a"])
@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_pay1_pay_sheet_refused_outside_administration_and_gm(org, who, fmt):
    response = api(org[who].user).get(f"/api/v1/pay-sheets/2026-10/?format={fmt}")
    assert response.status_code == 403
    assert response.json()["code"] == "wrong_role"


def test_pay1_schema_documents_the_endpoints(org):
    schema = api(org["admin"].user).get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/sales/" in paths
    sheet = paths["/api/v1/pay-sheets/{month}/"]["get"]["responses"]["200"]["content"]
    assert set(sheet) == {"application/json", "text/csv", XLSX}


def test_pay1_pay_sheet_json_rows_a_page_at_a_time(org):
    for name in ("c", "d", "e"):
        close(person(name, department=org["cs"]), 80)
    client = api(org["admin"].user)
    whole = client.get("/api/v1/pay-sheets/2026-10/").json()
    response = client.get("/api/v1/pay-sheets/2026-10/?page=2&page_size=2")
    body = response.json()
    assert body["count"] == 5 and body["total"] == whole["total"]
    assert [r["username"] for r in body["rows"]] == ["c", "d"]
    assert 'rel="prev"' in response["Link"] and 'rel="next"' in response["Link"]
    assert client.get("/api/v1/pay-sheets/2026-10/?page_size=5000").status_code == 400
