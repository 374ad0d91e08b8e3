"""import_assessments: CSV and Excel, all or nothing with every bad row named, re-importing a
month replaces it (SCORE-1, SCORE-4, SCORE-5)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from performance.models import Assessment
from performance.services import assessments_import
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agents():
    return [EmployeeFactory(user=UserFactory(username=name)) for name in ("ann", "bob")]


def csv_file(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "scores.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


def xlsx_file(tmp_path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / "scores.xlsx"
    book.save(path)
    return str(path)


def scores():
    return {
        (a.employee.user.username, a.month.strftime("%Y-%m")): (str(a.score), a.tier, a.grade)
        for a in Assessment.objects.select_related("employee__user")
    }


def test_csv_import_computes_tier_and_grade(tmp_path, agents, capsys):
    """SCORE-4/5 on imported final figures."""
    call_command(
        "import_assessments",
        csv_file(tmp_path, "username,month,score\nann,2026-09,91\nbob,2026-09,80\n"),
    )
    assert scores() == {("ann", "2026-09"): ("91.0", 1, "A"), ("bob", "2026-09"): ("80.0", 2, "B")}
    assert "imported 导入: 2" in capsys.readouterr().out
    assert Assessment.objects.filter(source="import").count() == 2


def test_xlsx_import_with_text_months_and_date_cells(tmp_path, agents):
    path = xlsx_file(
        tmp_path,
        [
            ["username", "month", "score", "note"],
            ["ann", "2026-08", 79.5, "extra columns are ignored"],
            ["bob", dt.datetime(2026, 8, 1), 59],
            [None, None, None],
            ["bob", dt.date(2026, 7, 15), 100],
        ],
    )
    call_command("import_assessments", path)
    assert scores() == {
        ("ann", "2026-08"): ("79.5", 3, "C"),
        ("bob", "2026-08"): ("59.0", 4, "fail"),
        ("bob", "2026-07"): ("100.0", 1, "A"),
    }


def test_xlsx_bad_rows_are_named_with_their_row_numbers(tmp_path, agents, capsys):
    path = xlsx_file(
        tmp_path, [["username", "month", "score"], ["ann", "2026-08", 80], ["ann", "2026-08", 120]]
    )
    with pytest.raises(CommandError):
        call_command("import_assessments", path)
    err = capsys.readouterr().err
    assert "row 3 (ann): score 120 is outside 0..110 (SCORE-1); duplicate of row 2" in err
    assert not Assessment.objects.exists()


def test_any_bad_row_imports_nothing_and_names_every_bad_row(tmp_path, agents, capsys):
    text = (
        "username,month,score\n"
        "ann,2026-09,85\n"
        "zed,2026-09,85\n"
        "bob,2026/09,85\n"
        "bob,2026-10,111\n"
        "ann,2026-09,70\n"
        "bob,2026-08,\n"
        "bob,2026-07,abc\n"
    )
    with pytest.raises(CommandError, match="6 bad rows; nothing was imported"):
        call_command("import_assessments", csv_file(tmp_path, text))
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "row 3 (zed): unknown user 'zed'",
        "row 4 (bob): month '2026/09' is not YYYY-MM",
        "row 5 (bob): score 111 is outside 0..110 (SCORE-1)",
        "row 6 (ann): duplicate of row 2",
        "row 7 (bob): score is missing",
        "row 8 (bob): score 'abc' is not a number",
    ]
    assert not Assessment.objects.exists()


def test_a_bad_file_does_not_replace_existing_scores(tmp_path, agents):
    call_command("import_assessments", csv_file(tmp_path, "username,month,score\nann,2026-09,70\n"))
    with pytest.raises(CommandError):
        call_command(
            "import_assessments",
            csv_file(tmp_path, "username,month,score\nann,2026-09,95\nann,2026-10,111\n"),
        )
    assert scores() == {("ann", "2026-09"): ("70.0", 3, "C")}


def test_score_1_reimporting_a_month_replaces_its_score(tmp_path, agents, capsys):
    call_command("import_assessments", csv_file(tmp_path, "username,month,score\nann,2026-09,70\n"))
    call_command("import_assessments", csv_file(tmp_path, "username,month,score\nann,2026-09,95\n"))
    assert scores() == {("ann", "2026-09"): ("95.0", 1, "A")}
    assert "replaced 替换 1" in capsys.readouterr().out


def test_score_1_cap_110_accepted_and_above_refused(agents):
    ok = assessments_import(rows=[{"username": "ann", "month": "2026-09", "score": "110"}])
    refused = assessments_import(rows=[{"username": "bob", "month": "2026-09", "score": "110.5"}])
    assert ok.ok and ok.created == 1
    assert refused.errors == ["row 2 (bob): score 110.5 is outside 0..110 (SCORE-1)"]
    assert Assessment.objects.count() == 1


def test_missing_header_column_is_refused(tmp_path, agents):
    with pytest.raises(CommandError, match=r"missing: score"):
        call_command("import_assessments", csv_file(tmp_path, "username,month\nann,2026-09\n"))


def test_file_without_header_row_is_refused(tmp_path, agents):
    with pytest.raises(CommandError, match="header row"):
        call_command("import_assessments", csv_file(tmp_path, "ann,2026-09,85\n"))


def test_unsupported_file_type_is_refused(tmp_path):
    path = tmp_path / "scores.xls"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="unsupported file type"):
        call_command("import_assessments", str(path))


def test_csv_saved_by_chinese_excel_in_gb18030(tmp_path):
    EmployeeFactory(user=UserFactory(username="张伟"))
    call_command(
        "import_assessments",
        csv_file(tmp_path, "username,month,score\n张伟,2026-09,88\n", encoding="gb18030"),
    )
    assert Assessment.objects.get().score == Decimal("88.0")


def test_month_that_has_not_begun_is_a_bad_row(agents):
    report = assessments_import(rows=[{"username": "ann", "month": "2999-01", "score": 80}])
    assert report.errors == ["row 2 (ann): month 2999-01 has not begun yet"]
