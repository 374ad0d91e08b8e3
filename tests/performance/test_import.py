"""import_assessments: CSV and Excel, all or nothing, every bad row named (SCORE-1, SCORE-4/5)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from performance.models import Assessment
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agents():
    return [EmployeeFactory(user=UserFactory(username=name)) for name in ("ann", "bob")]


def csv_file(tmp_path, text):
    path = tmp_path / "scores.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_csv_import_computes_tier_and_grade(tmp_path, agents):
    call_command(
        "import_assessments",
        csv_file(tmp_path, "username,month,score\nann,2026-09,91\nbob,2026-09,80\n"),
    )
    ann = Assessment.objects.get(employee=agents[0])
    assert (ann.month, ann.tier, ann.grade) == (dt.date(2026, 9, 1), 1, "A")
    assert Assessment.objects.get(employee=agents[1]).tier == 2


def test_xlsx_import(tmp_path, agents):
    book = Workbook()
    sheet = book.active
    sheet.append(["username", "month", "score"])
    sheet.append(["ann", "2026-08", 79.5])
    sheet.append(["bob", dt.datetime(2026, 8, 1), 59])
    path = tmp_path / "scores.xlsx"
    book.save(path)
    call_command("import_assessments", str(path))
    assert Assessment.objects.get(employee=agents[0]).tier == 3
    assert Assessment.objects.get(employee=agents[1]).grade == "fail"


def test_any_bad_row_imports_nothing_and_names_every_bad_row(tmp_path, agents, capsys):
    text = (
        "username,month,score\n"
        "ann,2026-09,85\n"
        "zed,2026-09,85\n"
        "bob,2026/09,85\n"
        "bob,2026-10,111\n"
        "ann,2026-09,70\n"
    )
    with pytest.raises(CommandError):
        call_command("import_assessments", csv_file(tmp_path, text))
    err = capsys.readouterr().err
    assert "row 3 (zed): unknown user" in err
    assert "row 4 (bob): month" in err
    assert "row 5 (bob): score 111 is outside 0..110 (SCORE-1)" in err
    assert "row 6 (ann): duplicate of row 2" in err
    assert Assessment.objects.count() == 0


def test_reimporting_a_month_replaces_its_score(tmp_path, agents):
    call_command("import_assessments", csv_file(tmp_path, "username,month,score\nann,2026-09,70\n"))
    call_command("import_assessments", csv_file(tmp_path, "username,month,score\nann,2026-09,95\n"))
    [row] = Assessment.objects.filter(employee=agents[0])
    assert (str(row.score), row.tier) == ("95.0", 1)
