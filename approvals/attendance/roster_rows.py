"""The roster file 值班表 and its rows (ATT-1): reading the upload, reading one row, and
validating them all before anything is written (the import: `approvals.attendance.roster`).

The file (CSV or Excel) has the columns username, date (YYYY-MM-DD), start (HH:MM), end (HH:MM;
an end at or before the start is on the next day, so 15:00–24:00 and 15:00–00:00 are the same
evening shift). Times are Asia/Shanghai local.

Every row is validated first and every bad row is reported by its row number and column
(unknown user, an employee outside the departments whose roster the actor imports, a bad date or
time, two shifts of one person that overlap, a row repeating an earlier one), so the import can
be all or nothing. Actors: whoever imports (`approvals.attendance.roster_access` says who); the
punch import reports its bad rows with the same `RowError`. Rule: ATT-1.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.errors import InvalidInput
from org.models import Employee
from performance.uploads import cell_text, read_table
from policy.deadlines import company_tz

COLUMNS = ("username", "date", "start", "end")


# --- reading one row ---------------------------------------------------------------------------


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else _bad()
    except ValueError:
        raise InvalidInput(
            gettext_lazy("date %(value)s is not a date YYYY-MM-DD"),
            code="bad_date",
            params={"value": repr(text)},
            field="date",
        ) from None


def _bad():
    raise ValueError


def parse_clock(value, field_name: str, *, end: bool = False) -> dt.time | None:
    """HH:MM (also H:MM and HH:MM:SS). `end` accepts 24:00 (returned as None: midnight after)."""
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    text = cell_text(value)
    if end and text in ("24:00", "24:00:00"):
        return None
    try:
        parts = text.split(":")
        if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts) or len(parts[1]) != 2:
            raise ValueError
        return dt.time(int(parts[0]), int(parts[1]), int(parts[2]) if len(parts) == 3 else 0)
    except ValueError:
        raise InvalidInput(
            gettext_lazy("%(field)s %(value)s is not a time HH:MM"),
            code="bad_time",
            params={"field": field_name, "value": repr(text)},
            field=field_name,
        ) from None


def shift_bounds(
    day: dt.date, start: dt.time, end: dt.time | None
) -> tuple[dt.datetime, dt.datetime]:
    """The aware start and end of a shift on `day` (local); an end at or before the start, or
    24:00, is on the next day."""
    tz = company_tz()
    begins = dt.datetime.combine(day, start, tzinfo=tz)
    if end is None:
        ends = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    else:
        ends = dt.datetime.combine(day, end, tzinfo=tz)
        if ends <= begins:
            ends = dt.datetime.combine(day + dt.timedelta(days=1), end, tzinfo=tz)
    return begins, ends


def local_text(moment: dt.datetime) -> str:
    """A shift's time as the reports show it: company local time, to the minute."""
    return timezone.localtime(moment, company_tz()).strftime("%Y-%m-%d %H:%M")


# --- the report of one row ---------------------------------------------------------------------


@dataclass
class RowError:
    """One problem of one row: `row` is its number in the file (the header is row 1), or None
    for a refusal about a shift already stored; `field` the column."""

    row: int | None
    field: str | None
    detail: str
    username: str = ""

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row} if self.row is not None else _("roster")
        return f"{where} ({self.username or '?'}, {self.field or '-'}): {self.detail}"

    def as_data(self) -> dict:
        return {"row": self.row, "field": self.field, "detail": self.detail}


# --- the file ----------------------------------------------------------------------------------


def roster_file_read(*, name: str, content: bytes) -> list[dict]:
    """The rows of an uploaded roster (.csv or .xlsx) with `row`, their number in the file."""
    return read_table(name=name, content=content, columns=COLUMNS)


# --- validating --------------------------------------------------------------------------------


@dataclass
class Row:
    """A valid row: who, the local date it starts on, and the aware start and end."""

    number: int
    employee: Employee
    date: dt.date
    start: dt.datetime
    end: dt.datetime


def validated_rows(rows: list[Mapping], scope: set[int] | None) -> tuple[list[Row], list[RowError]]:
    """The good rows and every problem, sorted by row. `scope`: the departments whose employees
    the rows may name (None: any)."""
    usernames = {cell_text(row.get("username")) for row in rows}
    employees = {
        e.user.username: e
        for e in Employee.objects.select_related("user", "department").filter(
            user__username__in=usernames
        )
    }
    good: list[Row] = []
    errors: list[RowError] = []
    seen: dict[tuple, int] = {}
    for position, row in enumerate(rows, start=2):
        number = row.get("row", position)
        username = cell_text(row.get("username"))
        problems: list[RowError] = []

        def problem(field_name, detail, _n=number, _u=username, _p=problems):
            _p.append(RowError(row=_n, field=field_name, detail=str(detail), username=_u))

        employee = employees.get(username)
        if not username:
            problem("username", _("username is missing"))
        elif employee is None:
            problem("username", _("unknown user %(value)s") % {"value": repr(username)})
        elif scope is not None and employee.department_id not in scope:
            problem(
                "username",
                _("%(name)s is not in a department you lead; their lead imports their shifts")
                % {"name": username},
            )
        values = {}
        for key, reader in (
            ("date", lambda v: parse_date(v)),
            ("start", lambda v: parse_clock(v, "start")),
            ("end", lambda v: parse_clock(v, "end", end=True)),
        ):
            try:
                values[key] = reader(row.get(key))
            except InvalidInput as exc:
                problem(key, exc.detail)
        if len(values) == 3 and values["start"] is None:
            problem("start", _("start 24:00 is not a time of the day"))
        if len(values) == 3 and values["start"] is not None:
            start, end = shift_bounds(values["date"], values["start"], values["end"])
            if username:
                key = (username, start, end)
                if key in seen:
                    problem("date", _("duplicate of row %(row)s") % {"row": seen[key]})
                else:
                    seen[key] = number
            if not problems:
                good.append(Row(number, employee, values["date"], start, end))
        errors.extend(problems)
    # ATT-1: one person works one shift at a time.
    by_person: dict[int, list[Row]] = {}
    for item in good:
        by_person.setdefault(item.employee.pk, []).append(item)
    overlapping = set()
    for items in by_person.values():
        items.sort(key=lambda r: (r.start, r.number))
        latest = None
        for item in items:
            if latest is not None and item.start < latest.end:
                overlapping.add(item.number)
                errors.append(
                    RowError(
                        row=item.number,
                        field="start",
                        detail=_(
                            "%(start)s – %(end)s overlaps the shift of row %(row)s "
                            "(%(other_start)s – %(other_end)s)"
                        )
                        % {
                            "start": local_text(item.start),
                            "end": local_text(item.end),
                            "row": latest.number,
                            "other_start": local_text(latest.start),
                            "other_end": local_text(latest.end),
                        },
                        username=item.employee.user.username,
                    )
                )
            if latest is None or item.end > latest.end:
                latest = item
    errors.sort(key=lambda e: e.row or 0)
    return [r for r in good if r.number not in overlapping], errors


def content_hash(good: list[Row]) -> str:
    """sha256 of the normalised rows: names an import, whatever the rows' order."""
    lines = sorted(f"{r.employee.pk}|{r.start.isoformat()}|{r.end.isoformat()}" for r in good)
    return hashlib.sha256(json.dumps(lines).encode()).hexdigest()


def period_of(good: list[Row]) -> tuple[dt.date, dt.date]:
    """The first and the last date of the rows: the period the import replaces."""
    return min(r.date for r in good), max(r.date for r in good)
