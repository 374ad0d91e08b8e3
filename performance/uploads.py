"""Reading an uploaded table (.csv or .xlsx) for the imports that take a file: sales (PAY-1),
the roster (ATT-1) and the punches (ATT-2). CSV is read as UTF-8 (with or without BOM), else
GB18030 (Excel on a Chinese Windows saves "CSV" in it); the header row names the columns in any
order; blank rows are skipped. At most MAX_FILE_BYTES."""

import csv
import io

from django.utils.translation import gettext_lazy

from approvals.errors import InvalidInput

MAX_FILE_BYTES = 10 * 1024 * 1024


def csv_table(raw: bytes) -> list[list]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")  # Excel on a Chinese Windows saves CSV in GB18030
    return [list(row) for row in csv.reader(io.StringIO(text))]


def xlsx_table(raw: bytes) -> list[list]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        return [list(row) for row in book.active.iter_rows(values_only=True)]
    finally:
        book.close()


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_table(*, name: str, content: bytes, columns: tuple[str, ...]) -> list[dict]:
    """The data rows as dicts of `columns` plus `row` (the number in the file, the header being
    row 1). InvalidInput when the file cannot be read or its header lacks a column."""
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix not in ("csv", "xlsx"):
        raise InvalidInput(
            gettext_lazy("%(file)s: unsupported file type; use .csv or .xlsx"),
            code="bad_file",
            params={"file": name},
        )
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput(
            gettext_lazy("%(file)s is larger than %(max)s MB"),
            code="bad_file",
            params={"file": name, "max": MAX_FILE_BYTES // (1024 * 1024)},
        )
    try:
        table = xlsx_table(content) if suffix == "xlsx" else csv_table(content)
    except Exception as exc:  # openpyxl, zipfile and csv raise many kinds: all mean unreadable
        raise InvalidInput(
            gettext_lazy("%(file)s cannot be read: %(error)s"),
            code="bad_file",
            params={"file": name, "error": type(exc).__name__},
        ) from exc
    header = [cell_text(cell).lower() for cell in table[0]] if table else []
    missing = [column for column in columns if column not in header]
    if missing:
        raise InvalidInput(
            gettext_lazy(
                "%(file)s: the header row must name the columns %(columns)s (missing: %(missing)s)"
            ),
            code="bad_header",
            params={"file": name, "columns": ", ".join(columns), "missing": ", ".join(missing)},
        )
    index = {column: header.index(column) for column in columns}
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        row = {column: cells[i] if i < len(cells) else None for column, i in index.items()}
        row["row"] = number
        rows.append(row)
    return rows
