"""Punch records 打卡记录 (ATT-2): importing the attendance machine's export.

Administration imports a file (CSV or Excel) with the columns username, time
(YYYY-MM-DD HH:MM or YYYY-MM-DD HH:MM:SS, Asia/Shanghai local), daily or for a month. All or
nothing: every bad row is reported by number and column (unknown user, a time that is missing or
not in that form); a file with any error writes nothing.

The same punch (one employee, one instant) is one row however often it is imported: repeated in
a file, or in a file imported before. A file whose punches are all stored changes nothing (no
import row, no audit event) and the report says so. Writes are bulk inserts in batches of
1,000 (a month of 1,000 employees, ~44,000 punches: ~50 statements).

Reading: a seconds-less time is the minute's start (08:59 is 08:59:00); the machine's clock is
trusted as it is (no rounding, no time zone other than the company's).
"""

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import audit.services as audit
from approvals import permissions as perms
from approvals.errors import InvalidInput, NotAllowed
from org.levels import Role
from org.models import Employee
from performance.uploads import cell_text, read_table
from policy.deadlines import company_tz

from .models import Punch, PunchImport
from .roster_rows import RowError

RULE = "ATT-2"
COLUMNS = ("username", "time")
MAX_ROWS = 200_000
BATCH = 1000


def require_punch_admin(actor) -> None:
    """ATT-2: administration imports the punches."""
    if not perms.has_role(actor, Role.ADMINISTRATION):
        raise NotAllowed(
            gettext_lazy("Only administration imports punch records."),
            code="wrong_role",
            rule=RULE,
        )


def parse_time(value) -> dt.datetime:
    """An aware instant from YYYY-MM-DD HH:MM[:SS] (local), or an Excel date-time cell."""
    tz = company_tz()
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0, tzinfo=tz) if value.tzinfo is None else value
    text = cell_text(value)
    for form in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return dt.datetime.strptime(text, form).replace(tzinfo=tz)  # noqa: DTZ007
        except ValueError:
            continue
    raise InvalidInput(
        gettext_lazy("time %(value)s is not YYYY-MM-DD HH:MM[:SS]"),
        code="bad_time",
        params={"value": repr(text)},
        field="time",
    )


def punch_file_read(*, name: str, content: bytes) -> list[dict]:
    return read_table(name=name, content=content, columns=COLUMNS)


@dataclass
class PunchReport:
    created: int = 0
    already_stored: int = 0
    repeated_in_file: int = 0
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    import_id: int | None = None
    errors: list[RowError] = field(default_factory=list)
    check: object = None  # findings.CheckReport of the days the new punches span (ATT-2)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def nothing_changed(self) -> bool:
        return self.ok and not self.created

    @property
    def message(self) -> str:
        if not self.ok:
            return _("%(count)s problem(s) in the file; nothing was imported (ATT-2).") % {
                "count": len(self.errors)
            }
        if self.nothing_changed:
            return _("These punches are already imported: nothing changed (ATT-2).")
        return _(
            "Punches imported: %(created)s new, %(stored)s already stored, %(repeated)s "
            "repeated in the file (ATT-2)."
        ) % {
            "created": self.created,
            "stored": self.already_stored,
            "repeated": self.repeated_in_file,
        }

    def as_data(self) -> dict:
        return {
            "ok": self.ok,
            "nothing_changed": self.nothing_changed,
            "message": self.message,
            "created": self.created,
            "already_stored": self.already_stored,
            "repeated_in_file": self.repeated_in_file,
            "from": self.first_at.isoformat() if self.first_at else None,
            "to": self.last_at.isoformat() if self.last_at else None,
            "import": self.import_id,
            "errors": [error.as_data() for error in self.errors],
            "findings": self.check.as_dict() if self.check is not None else None,
        }


def punches_import(*, actor, rows: Iterable[Mapping]) -> PunchReport:
    """ATT-2: import punch rows (username, time; optionally `row`). All or nothing; a bounded
    number of statements: one read of the employees, one of the stored punches in the file's
    span, inserts in batches of 1,000, one import row and one audit event."""
    require_punch_admin(actor)
    rows = list(rows)
    if len(rows) > MAX_ROWS:
        raise InvalidInput(
            gettext_lazy("An import holds at most %(max)s rows; this one has %(count)s."),
            code="too_many_rows",
            params={"max": MAX_ROWS, "count": len(rows)},
        )
    report = PunchReport()
    usernames = {cell_text(row.get("username")) for row in rows}
    employees = dict(
        Employee.objects.filter(user__username__in=usernames).values_list("user__username", "pk")
    )
    punches: dict[tuple[int, dt.datetime], int] = {}
    for position, row in enumerate(rows, start=2):
        number = row.get("row", position)
        username = cell_text(row.get("username"))
        problems = []
        pk = employees.get(username)
        if not username:
            problems.append(("username", _("username is missing")))
        elif pk is None:
            problems.append(("username", _("unknown user %(value)s") % {"value": repr(username)}))
        try:
            at = parse_time(row.get("time"))
        except InvalidInput as exc:
            problems.append(("time", exc.detail))
            at = None
        if problems:
            report.errors.extend(
                RowError(row=number, field=f, detail=str(d), username=username) for f, d in problems
            )
            continue
        if (pk, at) in punches:
            report.repeated_in_file += 1
        else:
            punches[(pk, at)] = number
    if report.errors:
        return report
    if not punches:
        report.errors.append(RowError(row=None, field=None, detail=_("The file has no rows.")))
        return report
    moments = [at for _pk, at in punches]
    report.first_at, report.last_at = min(moments), max(moments)
    people = sorted({pk for pk, _at in punches})
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        stored = set(
            Punch.objects.filter(
                employee_id__in=people, at__gte=report.first_at, at__lte=report.last_at
            ).values_list("employee_id", "at")
        )
        stored = {(pk, at.astimezone(company_tz())) for pk, at in stored}
        new = [key for key in punches if key not in stored]
        report.already_stored = len(punches) - len(new)
        if not new:
            return report
        lines = sorted(f"{pk}|{at.isoformat()}" for pk, at in punches)
        digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
        batch, _created = PunchImport.objects.update_or_create(
            content_hash=digest,
            defaults={
                "rows": len(punches),
                "first_at": report.first_at,
                "last_at": report.last_at,
                "imported_at": timezone.now(),
                "imported_by": perms.employee_of(user) if user else None,
            },
        )
        report.import_id = batch.pk
        # ignore_conflicts: a punch stored by an import running at the same time is the same
        # punch (ATT-2), not an error.
        Punch.objects.bulk_create(
            [Punch(employee_id=pk, at=at, punch_import=batch) for pk, at in new],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        report.created = len(new)
        audit.record(
            case_type="punch_import",
            case_id=batch.pk,
            action="import",
            actor=user,
            rules=[RULE],
            data={
                "from": report.first_at.isoformat(),
                "to": report.last_at.isoformat(),
                "people": len(people),
                "created": report.created,
                "already_stored": report.already_stored,
                "content_hash": digest,
            },
        )
        # ATT-2: the shifts of the days these punches span are checked at once, in the
        # import's transaction (a shift that ended before midnight may be punched out after it).
        from .findings import findings_check

        report.check = findings_check(
            start=timezone.localtime(report.first_at, company_tz()).date() - dt.timedelta(days=1),
            end=timezone.localtime(report.last_at, company_tz()).date(),
            actor=user,
        )
    return report


def punches_between(*, start: dt.date, end: dt.date, employee=None, departments=None):
    """Punches on the local dates start..end (of one employee, of some departments)."""
    tz = company_tz()
    lo = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    qs = Punch.objects.select_related("employee__user").filter(at__gte=lo, at__lt=hi)
    if employee is not None:
        qs = qs.filter(employee=employee)
    if departments is not None:
        qs = qs.filter(employee__department_id__in=departments)
    return qs.order_by("at", "employee_id")
