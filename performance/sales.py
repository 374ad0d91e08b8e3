"""Importing a month's actual sales (PAY-1, SCORE-8: the commission base).

Administration imports the sales system's export (CSV or Excel, columns username, month
(YYYY-MM), amount in yuan). The import is all or nothing, like the assessment import
(performance/services.py): every row is validated first and every bad row reported with its row
number (unknown user, bad or future month, an amount that is missing, not a number, negative or
with more than two decimals, a row repeating an earlier one's employee and month); a file with
any error writes nothing. Importing the same file again changes nothing (idempotent); a figure
that replaces a different one is reported with both amounts.

Reading: sales of a month may be imported at any time, also after the month closed: the
ledger's close freezes scores, not sales, and the pay sheet always reads the latest figure
(PAY-1 computes the sheet on read; it is not stored). Every change is audited, one event per
month of the import naming each figure written and what it replaced.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import audit.services as audit
from approvals import permissions as perms
from approvals.errors import DomainError, InvalidInput, NotAllowed, StateConflict
from org.models import Employee

from .models import SalesFigure
from .services import _cell_text, _parse_month
from .uploads import read_table

ADMINISTRATION = "administration"
RULES = ["PAY-1", "SCORE-8"]
COLUMNS = ("username", "month", "amount")
MAX_AMOUNT = Decimal("9999999999.99")  # SalesFigure.amount: 12 digits, 2 decimals
MAX_ROWS = 50_000


def _label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def require_sales_admin(actor) -> None:
    """PAY-1: only administration imports sales."""
    if not perms.has_role(actor, ADMINISTRATION):
        raise NotAllowed(
            gettext_lazy("Only administration imports sales."), code="wrong_role", rule="PAY-1"
        )


# --- one amount ---------------------------------------------------------------------------------


def checked_amount(value) -> Decimal:
    """The sales amount in yuan as a Decimal with two decimals, or InvalidInput naming it."""
    if isinstance(value, bool):
        value = None
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput(gettext_lazy("amount is missing"), code="bad_amount", field="amount")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise InvalidInput(
            gettext_lazy("amount %(value)s is not a number"),
            code="bad_amount",
            params={"value": repr(value)},
            field="amount",
        )
    if amount < 0:
        raise InvalidInput(
            gettext_lazy("amount %(value)s is negative"),
            code="negative_amount",
            params={"value": value},
            field="amount",
        )
    if amount.normalize().as_tuple().exponent < -2:
        raise InvalidInput(
            gettext_lazy("amount %(value)s has more than two decimal places"),
            code="bad_amount",
            params={"value": value},
            field="amount",
        )
    if amount > MAX_AMOUNT:
        raise InvalidInput(
            gettext_lazy("amount %(value)s is larger than %(max)s"),
            code="bad_amount",
            params={"value": value, "max": MAX_AMOUNT},
            field="amount",
        )
    return amount.quantize(Decimal("0.01"))


# --- reading a file ----------------------------------------------------------------------------


def sales_file_read(*, name: str, content: bytes) -> list[dict]:
    """The data rows of an uploaded .csv or .xlsx file as dicts with the keys username, month,
    amount and `row` (its row number in the file, the header being row 1); blank rows skipped
    (performance.uploads.read_table). Raises InvalidInput when the file cannot be read or its
    header lacks a column."""
    return read_table(name=name, content=content, columns=COLUMNS)


# --- importing ----------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    username: str
    problems: list[str]

    def __str__(self) -> str:
        return _("row %(row)s (%(username)s): %(problems)s") % {
            "row": self.row,
            "username": self.username or "?",
            "problems": "; ".join(self.problems),
        }

    def as_data(self) -> dict:
        return {"row": self.row, "username": self.username, "problems": self.problems}


@dataclass
class SalesReport:
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    # what each replaced figure was: {"row", "username", "month", "before", "after"}
    replacements: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.replaced + self.unchanged

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_data(self) -> dict:
        return {
            "ok": self.ok,
            "created": self.created,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "replacements": self.replacements,
            "errors": [error.as_data() for error in self.errors],
        }


def _validated(rows: list[Mapping]) -> tuple[list[tuple], list[RowError]]:
    """(employee, month, amount, row number) of each good row, and every bad row's problems.
    One query whatever the number of rows."""
    usernames = {_cell_text(row.get("username")) for row in rows}
    employees = {
        e.user.username: e
        for e in Employee.objects.select_related("user").filter(user__username__in=usernames)
    }
    valid, errors, first_seen = [], [], {}
    for position, row in enumerate(rows, start=2):
        number = row.get("row", position)
        username = _cell_text(row.get("username"))
        problems: list[str] = []
        employee = employees.get(username)
        if not username:
            problems.append(_("username is missing"))
        elif employee is None:
            problems.append(_("unknown user %(value)s") % {"value": repr(username)})
        month = amount = None
        try:
            month = _parse_month(row.get("month"))
        except DomainError as exc:
            problems.append(exc.detail)
        try:
            amount = checked_amount(row.get("amount"))
        except DomainError as exc:
            problems.append(exc.detail)
        if username and month is not None:
            key = (username, month)
            if key in first_seen:
                problems.append(_("duplicate of row %(row)s") % {"row": first_seen[key]})
            else:
                first_seen[key] = number
        if problems:
            errors.append(RowError(row=number, username=username, problems=problems))
        else:
            valid.append((employee, month, amount, number))
    return valid, errors


def sales_import(*, actor, rows: Iterable[Mapping]) -> SalesReport:
    """PAY-1: import rows of username, month, amount (and optionally `row`, the number to report;
    by default the position + 1, as after a header row), by administration. All or nothing: any
    bad row and the report lists every bad row, nothing written. A constant number of statements
    whatever the number of rows (bulk reads and writes, one audit event per month)."""
    require_sales_admin(actor)
    rows = list(rows)
    if len(rows) > MAX_ROWS:
        raise InvalidInput(
            gettext_lazy("An import holds at most %(max)s rows; this one has %(count)s."),
            code="too_many_rows",
            params={"max": MAX_ROWS, "count": len(rows)},
        )
    report = SalesReport()
    valid, report.errors = _validated(rows)
    if report.errors or not valid:
        return report
    user = actor if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    months = {month for _e, month, _a, _n in valid}
    try:
        with transaction.atomic():
            existing = {
                (s.employee_id, s.month): s
                for s in SalesFigure.objects.select_for_update().filter(
                    employee_id__in={e.pk for e, _m, _a, _n in valid}, month__in=months
                )
            }
            create, update, by_month = [], [], {}
            for employee, month, amount, number in valid:
                figure = existing.get((employee.pk, month))
                written = by_month.setdefault(month, [])
                if figure is not None and figure.amount == amount:
                    report.unchanged += 1
                    continue
                entry = {
                    "row": number,
                    "username": employee.user.username,
                    "employee": employee.pk,
                    "month": _label(month),
                    "before": None if figure is None else str(figure.amount),
                    "after": str(amount),
                }
                written.append(entry)
                if figure is None:
                    create.append(
                        SalesFigure(
                            employee=employee,
                            month=month,
                            amount=amount,
                            imported_at=now,
                            imported_by=user,
                        )
                    )
                    report.created += 1
                else:
                    figure.amount, figure.imported_at, figure.imported_by = amount, now, user
                    update.append(figure)
                    report.replaced += 1
                    report.replacements.append(
                        {k: entry[k] for k in ("row", "username", "month", "before", "after")}
                    )
            SalesFigure.objects.bulk_create(create, batch_size=1000)
            SalesFigure.objects.bulk_update(
                update, ["amount", "imported_at", "imported_by"], batch_size=1000
            )
            for month, written in sorted(by_month.items()):
                if not written:
                    continue
                audit.record(
                    case_type="sales_month",
                    case_id=month.year * 100 + month.month,
                    action="import",
                    actor=user,
                    rules=RULES,
                    data={
                        "month": _label(month),
                        "figures": [
                            {k: e[k] for k in ("employee", "before", "after")} for e in written
                        ],
                    },
                )
    except IntegrityError:  # another import created the same figure meanwhile
        raise StateConflict(
            gettext_lazy("Another sales import ran at the same time; import the file again."),
            code="import_busy",
            rule="PAY-1",
        ) from None
    return report


def sales_of(*, month: dt.date | None = None, department=None):
    """The imported sales (of `month`, of one department), by month and username."""
    qs = SalesFigure.objects.select_related("employee__user", "employee__department")
    if month is not None:
        qs = qs.filter(month=month)
    if department is not None:
        qs = qs.filter(employee__department=department)
    return qs.order_by("-month", "employee__user__username", "pk")
