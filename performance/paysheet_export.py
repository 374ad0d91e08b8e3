"""The pay sheet for payroll (PAY-1): CSV and Excel, one row per employee.

Columns: username, name, department, level, score, base, float, performance pay, sales,
commission, fines, rewards, total; the header row in the active language (the request's).
CSV is UTF-8 with a BOM, so Excel on a Chinese Windows opens it as UTF-8, not GBK; figures are
written with two decimals. XLSX cells of figures are numbers (not text) formatted 0.00; the
workbook is written in openpyxl's write-only mode (10,000 rows in well under a second's
memory). Formulas are never written: a name that starts with = + - @ is prefixed with ' in CSV
(what Excel does with a typed one) and is a text cell in XLSX, so no cell runs as a formula.
"""

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _

from . import pay
from .paysheet import PaySheet

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FIGURES = (pay.BASE, pay.FLOAT, pay.PERFORMANCE, None, pay.COMMISSION, pay.FINES, pay.REWARDS)


def header() -> list[str]:
    return [
        _("Username"),
        _("Name"),
        _("Department"),
        _("Level"),
        _("Score"),
        _("Base salary"),
        _("Salary float"),
        _("Performance pay"),
        _("Sales"),
        _("Commission"),
        _("Fines"),
        _("Rewards"),
        _("Total"),
    ]


def level_label(code: str) -> str:
    from org.levels import Level

    try:
        return str(Level(code).label)
    except ValueError:
        return code


def rows(sheet: PaySheet):
    """Each employee's row: 4 texts, the score, then 8 Decimals (sales at its place)."""
    for row in sheet.rows:
        e = row.employee
        figures = [row.sales if code is None else row.line(code) for code in FIGURES]
        yield (
            [e.user.username, e.name, e.department.name, level_label(row.level)],
            [row.score, *figures, row.total],
        )


def filename(sheet: PaySheet, ext: str) -> str:
    suffix = f"-{sheet.department.code}" if sheet.department is not None else ""
    return f"pay-{sheet.month:%Y-%m}{suffix}.{ext}"


def _safe(text: str) -> str:
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def to_csv(sheet: PaySheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header())
    for texts, numbers in rows(sheet):
        writer.writerow(
            [*(_safe(t) for t in texts), str(numbers[0])]
            + [f"{n.quantize(Decimal('0.01'))}" for n in numbers[1:]]
        )
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def to_xlsx(sheet: PaySheet) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    ws = book.create_sheet(title=f"{sheet.month:%Y-%m}")
    bold = Font(bold=True)
    head = []
    for text in header():
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        head.append(cell)
    ws.append(head)
    for texts, numbers in rows(sheet):
        cells = []
        for text in texts:  # openpyxl reads a text starting with = as a formula: never here
            cell = WriteOnlyCell(ws, value=text)
            cell.data_type = "s"
            cells.append(cell)
        score = WriteOnlyCell(ws, value=numbers[0])
        score.number_format = "0.0"
        cells.append(score)
        for number in numbers[1:]:
            cell = WriteOnlyCell(ws, value=number)
            cell.number_format = "0.00"
            cells.append(cell)
        ws.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
