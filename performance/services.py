"""Recording and importing monthly assessments (SCORE-1, SCORE-4, SCORE-5).

One assessment per employee and calendar month (SCORE-1), stored on the first day of the month;
its tier (SCORE-5) and grade (SCORE-4) are computed from the score by the policy in force at the
start of that month, and that policy's version is kept on the row, so a later policy change
never silently re-grades a past month. Scores are final figures between 0 and 110 (the SCORE-1
cap) with at most one decimal. Re-recording a month replaces its score; every change is written
to the audit log.

An import (CSV or Excel, columns username, month, score) is all-or-nothing: every row is
validated first, every bad row is reported with its row number, and nothing is written from a
file with any error; the writes then happen in one transaction.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import audit.services as audit
from approvals.errors import DomainError, InvalidInput, PolicyViolation, StateConflict
from org.models import Employee
from policy.services import policy_in_force

from .models import Assessment, ScoreEvent

MIN_SCORE = Decimal("0")
MAX_SCORE = Decimal("110")  # SCORE-1: base 80 plus the month's events, capped at 110
RULES = ["SCORE-1", "SCORE-4", "SCORE-5"]
COLUMNS = ("username", "month", "score")
_MONTH_TEXT = re.compile(r"^(\d{4})-(\d{1,2})$")


# --- one assessment -----------------------------------------------------------------------------


def _checked_month(month) -> dt.date:
    """The first day of the month of `month` (a date or datetime); not after the current month."""
    if not isinstance(month, dt.date):
        raise InvalidInput(
            gettext_lazy("month %(value)s is not a date"),
            code="bad_month",
            params={"value": repr(month)},
            field="month",
        )
    first = dt.date(month.year, month.month, 1)
    if first > timezone.localdate().replace(day=1):
        # A month that has not begun cannot have a final score; usually a typo in the year.
        raise InvalidInput(
            gettext_lazy("month %(month)s has not begun yet"),
            code="future_month",
            params={"month": first.strftime("%Y-%m")},
            field="month",
        )
    return first


def _checked_score(score) -> Decimal:
    """The score as a Decimal with one decimal place, within 0..110 (SCORE-1)."""
    if isinstance(score, bool):
        score = None  # True/False cells are not scores
    try:
        value = score if isinstance(score, Decimal) else Decimal(str(score).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        raise InvalidInput(
            gettext_lazy("score %(value)s is not a number"),
            code="bad_score",
            params={"value": repr(score)},
            field="score",
        )
    if value.normalize().as_tuple().exponent < -1:
        raise InvalidInput(
            gettext_lazy("score %(value)s has more than one decimal place"),
            code="bad_score",
            params={"value": _plain(value)},
            field="score",
        )
    if not (MIN_SCORE <= value <= MAX_SCORE):
        raise PolicyViolation(
            gettext_lazy("score %(value)s is outside %(min)s..%(max)s"),
            code="score_out_of_range",
            rule="SCORE-1",
            params={"value": _plain(value), "min": MIN_SCORE, "max": MAX_SCORE},
            field="score",
        )
    return value.quantize(Decimal("0.1"))


def _plain(value: Decimal) -> str:
    """111 rather than 111.0 or 1.11E+2, as the person typed it."""
    return format(value.normalize(), "f")


def _policy_for(month: dt.date):
    at = timezone.make_aware(dt.datetime.combine(month, dt.time.min))
    try:
        return policy_in_force(at=at)
    except LookupError as exc:
        raise InvalidInput(
            gettext_lazy("no policy is in force for %(month)s"),
            code="no_policy",
            params={"month": month.strftime("%Y-%m")},
        ) from exc


def _record(*, employee, month, score, source: str, actor) -> tuple[Assessment, str]:
    """Record and say what happened: "created", "replaced" or "unchanged"."""
    month = _checked_month(month)
    score = _checked_score(score)
    if source not in Assessment.Source.values:
        raise InvalidInput(
            gettext_lazy("unknown assessment source %(value)s"),
            code="bad_source",
            params={"value": repr(source)},
        )
    policy = _policy_for(month)
    values = {
        "score": score,
        "tier": policy.tier_for(score),
        "grade": policy.grade_for(score),
        "policy_version": policy.version,
        "source": source,
    }
    with transaction.atomic():
        existing = (
            Assessment.objects.select_for_update().filter(employee=employee, month=month).first()
        )
        if existing is not None and existing.closed_at is not None:
            raise StateConflict(
                gettext_lazy(
                    "%(month)s is closed: a correction is an adjustment by administration."
                ),
                code="month_closed",
                rule="SCORE-10",
                params={"month": month.strftime("%Y-%m")},
            )
        if existing is not None and all(getattr(existing, k) == v for k, v in values.items()):
            return existing, "unchanged"
        previous = str(existing.score) if existing is not None else None
        assessment, created = Assessment.objects.update_or_create(
            employee=employee, month=month, defaults=values
        )
        audit.record(
            case_type="assessment",
            case_id=assessment.pk,
            action="record" if created else "replace",
            actor=actor,
            rules=RULES,
            policy_version=policy.version,
            data={
                "employee": employee.pk,
                "month": month.strftime("%Y-%m"),
                "score": str(score),
                "previous_score": previous,
                "tier": values["tier"],
                "grade": values["grade"],
                "source": source,
            },
        )
    return assessment, "created" if created else "replaced"


def assessment_check(*, month: dt.date, score) -> tuple[dt.date, Decimal]:
    """The month (first day) and score as they would be recorded, or the DomainError that
    assessment_record would raise; for forms that show the refusal on the field."""
    return _checked_month(month), _checked_score(score)


def assessment_record(
    *, employee: Employee, month: dt.date, score: Decimal, source: str, actor=None
) -> Assessment:
    """Record (or replace) the employee's score for `month` (normalised to its first day).

    Raises InvalidInput for a bad month, score or source and PolicyViolation (SCORE-1) for a
    score outside 0..110. Recording the same figures again writes nothing."""
    assessment, _outcome = _record(
        employee=employee, month=month, score=score, source=source, actor=actor
    )
    return assessment


# --- score events (bonus, deduction, a penalty's fine) -----------------------------------------


def score_event_book(
    *,
    employee: Employee,
    at: dt.datetime,
    points: Decimal,
    fine: Decimal,
    reason: str,
    source: str,
    code: str = "",
    actor=None,
) -> ScoreEvent:
    """Book points (negative: a deduction) and a fine to the employee's month containing `at`
    (company time zone). `source` identifies the booking ("penalty:12"): booking it again
    returns the first booking instead of a second one. `code`: the catalogue entry (SCORE-9,
    e.g. "penalty_written_warning"); the figures are the booker's (a penalty's own policy)."""
    month = timezone.localtime(at).date().replace(day=1)
    try:
        version = _policy_for(month).version
    except InvalidInput:  # no pack in force at the month's start: the booking still stands
        version = ""
    with transaction.atomic():
        event, created = ScoreEvent.objects.get_or_create(
            source=source,
            defaults={
                "employee": employee,
                "month": month,
                "points": points,
                "fine": fine,
                "reason": reason[:200],
                "booked_at": timezone.now(),
                "code": code,
                "policy_version": version,
                "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
            },
        )
        if created:
            audit.record(
                case_type="score_event",
                case_id=event.pk,
                action="book",
                actor=actor,
                rules=["APPEAL-3"],
                policy_version=version,
                data={
                    "employee": employee.pk,
                    "month": month.strftime("%Y-%m"),
                    "code": code,
                    "points": str(points),
                    "fine": str(fine),
                    "source": source,
                },
            )
    return event


# --- reading an import file ---------------------------------------------------------------------


def assessment_file_read(*, path) -> list[dict]:
    """The data rows of a .csv or .xlsx file as dicts with the keys username, month, score and
    `row` (the row number in the file, the header being row 1). Blank rows are skipped.

    Raises InvalidInput when the file cannot be read or its header row lacks a column."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput(
            gettext_lazy("%(file)s: unsupported file type; use .csv or .xlsx"),
            code="bad_file",
            params={"file": path.name},
        )
    try:
        table = _xlsx_table(path) if suffix == ".xlsx" else _csv_table(path)
    except Exception as exc:  # openpyxl and csv raise many kinds; all mean "unreadable"
        raise InvalidInput(
            gettext_lazy("%(file)s cannot be read: %(error)s"),
            code="bad_file",
            params={"file": path.name, "error": exc},
        ) from exc
    header = (
        [str(cell).strip().lower() if cell is not None else "" for cell in table[0]]
        if table
        else []
    )
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise InvalidInput(
            gettext_lazy(
                "%(file)s: the header row must name the columns username, month, score "
                "(missing: %(missing)s)"
            ),
            code="bad_header",
            params={"file": path.name, "missing": ", ".join(missing)},
        )
    index = {column: header.index(column) for column in COLUMNS}
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        row = {column: cells[i] if i < len(cells) else None for column, i in index.items()}
        row["row"] = number
        rows.append(row)
    return rows


def _csv_table(path: Path) -> list[list]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on a Chinese Windows saves "CSV" in GB18030 (a superset of GBK).
        text = raw.decode("gb18030")
    return [list(row) for row in csv.reader(io.StringIO(text))]


def _xlsx_table(path: Path) -> list[list]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(row) for row in book.active.iter_rows(values_only=True)]
    finally:
        book.close()


# --- importing ----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.replaced + self.unchanged

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_month(value) -> dt.date:
    """YYYY-MM text, or a real date cell (any day of the month)."""
    if isinstance(value, dt.date):
        return _checked_month(value)
    match = _MONTH_TEXT.match(str(value).strip()) if value is not None else None
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput(
            gettext_lazy("month %(value)s is not YYYY-MM"),
            code="bad_month",
            params={"value": repr(value)},
        )
    return _checked_month(dt.date(int(match.group(1)), int(match.group(2)), 1))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def assessments_import(*, rows: Iterable[Mapping], actor=None) -> ImportReport:
    """Import rows of username, month, score (and optionally `row`, the number to report; by
    default the position + 1, as if after a header row). All or nothing: when any row is bad the
    report lists every bad row and nothing is written."""
    rows = list(rows)
    report = ImportReport()
    usernames = {_cell_text(row.get("username")) for row in rows}
    employees = {
        e.user.username: e
        for e in Employee.objects.select_related("user").filter(user__username__in=usernames)
    }
    valid: list[tuple[Employee, dt.date, Decimal]] = []
    first_seen: dict[tuple[str, dt.date], int] = {}
    for position, row in enumerate(rows, start=2):
        number = row.get("row", position)
        username = _cell_text(row.get("username"))
        problems: list[str] = []
        employee = employees.get(username)
        if not username:
            problems.append(_("username is missing"))
        elif employee is None:
            problems.append(_("unknown user %(value)s") % {"value": repr(username)})
        month = score = None
        try:
            month = _parse_month(row.get("month"))
        except DomainError as exc:
            problems.append(exc.detail)
        raw_score = row.get("score")
        if raw_score is None or (isinstance(raw_score, str) and not raw_score.strip()):
            problems.append(_("score is missing"))
        else:
            try:
                score = _checked_score(raw_score)
            except DomainError as exc:
                problems.append(exc.detail)
        if username and month is not None:
            key = (username, month)
            if key in first_seen:
                problems.append(_("duplicate of row %(row)s") % {"row": first_seen[key]})
            else:
                first_seen[key] = number
        if problems:
            report.errors.append(
                _("row %(row)s (%(username)s): %(problems)s")
                % {"row": number, "username": username or "?", "problems": "; ".join(problems)}
            )
        else:
            valid.append((employee, month, score))
    if not report.errors:
        from .ledger import import_conflicts  # the ledger builds on this module

        report.errors = import_conflicts(valid, numbers=first_seen)
    if report.errors:
        return report
    with transaction.atomic():
        for employee, month, score in valid:
            _assessment, outcome = _record(
                employee=employee,
                month=month,
                score=score,
                source=Assessment.Source.IMPORT,
                actor=actor,
            )
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report
