"""Reading an uploaded table (.csv or .xlsx) for the roster and punch imports (ATT-1, ATT-2),
as the sales import reads its file: CSV as UTF-8 (with or without BOM), else GB18030 (Excel on a
Chinese Windows); the header row names the columns in any order; blank rows are skipped."""

from django.utils.translation import gettext_lazy

from approvals.errors import InvalidInput
from performance.sales import MAX_FILE_BYTES, _csv_table, _xlsx_table


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
        table = _xlsx_table(content) if suffix == "xlsx" else _csv_table(content)
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
