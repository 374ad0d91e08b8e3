"""The roster 值班表 (ATT-1): importing it, the week grid, and the shifts an approved swap moves.

Actors: the department lead imports the roster of their own department's employees;
administration imports any. The file (CSV or Excel) has the columns username, date
(YYYY-MM-DD), start (HH:MM), end (HH:MM; an end at or before the start is on the next day,
so 15:00–24:00 and 15:00–00:00 are the same evening shift). Times are Asia/Shanghai local.

The import is all or nothing: every row is validated first and every bad row is reported by its
row number and column (unknown user, an employee outside the lead's department, a bad date or
time, two shifts of one person that overlap, a row repeating an earlier one); a file with any
error writes nothing.

Readings (documented in docs/formats.md):
- The period a file replaces is, for each person named in it, the dates from the file's first
  to its last date. Their shifts starting on those dates and not in the file are removed; shifts
  identical to a row (same person, start and end) are kept as they are (with the swap that moved
  them and their findings); the rest are created. People not named keep their shifts.
- A shift that would be removed but has a decided finding (confirmed or dismissed, ATT-3) or was
  moved by an approved swap (SWAP-1) is not removed silently: the import is refused, naming the
  shift. Findings still only proposed (or cleared) were computed from the roster being corrected
  and are removed with their shift; the check (ATT-2) computes them again on the new roster.
- Idempotent by content: a file whose rows are already the roster changes nothing and the report
  says so (`unchanged` only, no audit event). `content_hash` (sha256 of the normalised rows)
  names the import; importing a file again after another one replaced it applies it again.
- Approved swaps (SWAP-1) whose shifts an import creates are applied to them at once, so a
  roster imported after the swap was approved still shows who works the shift.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import audit.services as audit
from approvals import permissions as perms
from approvals.errors import InvalidInput, NotAllowed, StateConflict
from org.levels import Role
from org.models import Department, Employee
from performance.uploads import cell_text, read_table
from policy.deadlines import company_tz

from .models import FindingState, RosterImport, Shift, ShiftSwap, SwapState

RULE = "ATT-1"
COLUMNS = ("username", "date", "start", "end")
MAX_ROWS = 50_000
BATCH = 1000


# --- who may import ----------------------------------------------------------------------------


def led_departments(actor) -> set[int]:
    """The departments the actor leads (Department.lead)."""
    me = perms.employee_of(actor)
    if me is None:
        return set()
    return set(Department.objects.filter(lead=me).values_list("pk", flat=True))


def roster_scope(actor) -> set[int] | None:
    """None: every department (administration); else the departments the actor may import and
    see the roster of (the ones they lead). NotAllowed for anyone else (ATT-1)."""
    if perms.has_role(actor, Role.ADMINISTRATION):
        return None
    led = led_departments(actor)
    if not led:
        raise NotAllowed(
            gettext_lazy("Only a department lead or administration imports the roster."),
            code="wrong_role",
            rule=RULE,
        )
    return led


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


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment, company_tz()).strftime("%Y-%m-%d %H:%M")


# --- the report --------------------------------------------------------------------------------


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


@dataclass
class RosterReport:
    created: int = 0
    removed: int = 0
    unchanged: int = 0
    swaps_applied: int = 0
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    import_id: int | None = None
    errors: list[RowError] = field(default_factory=list)
    # ATT-4: annual leave whose days the new roster changed (leave, before, after, ...)
    leave_changes: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def nothing_changed(self) -> bool:
        return self.ok and not (self.created or self.removed)

    @property
    def message(self) -> str:
        if not self.ok:
            return _("%(count)s problem(s) in the file; nothing was imported (ATT-1).") % {
                "count": len(self.errors)
            }
        if self.nothing_changed:
            return _("This roster is already imported: nothing changed (ATT-1).")
        return _(
            "Roster imported: %(created)s shift(s) added, %(removed)s removed, "
            "%(unchanged)s unchanged (ATT-1)."
        ) % {"created": self.created, "removed": self.removed, "unchanged": self.unchanged}

    def as_data(self) -> dict:
        return {
            "ok": self.ok,
            "nothing_changed": self.nothing_changed,
            "message": self.message,
            "created": self.created,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "swaps_applied": self.swaps_applied,
            "from": self.period_start.isoformat() if self.period_start else None,
            "to": self.period_end.isoformat() if self.period_end else None,
            "import": self.import_id,
            "leave_changes": self.leave_changes,
            "errors": [error.as_data() for error in self.errors],
        }


# --- the file ----------------------------------------------------------------------------------


def roster_file_read(*, name: str, content: bytes) -> list[dict]:
    """The rows of an uploaded roster (.csv or .xlsx) with `row`, their number in the file."""
    return read_table(name=name, content=content, columns=COLUMNS)


# --- validating --------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    employee: Employee
    date: dt.date
    start: dt.datetime
    end: dt.datetime


def _validated(rows: list[Mapping], scope: set[int] | None) -> tuple[list[_Row], list[RowError]]:
    usernames = {cell_text(row.get("username")) for row in rows}
    employees = {
        e.user.username: e
        for e in Employee.objects.select_related("user", "department").filter(
            user__username__in=usernames
        )
    }
    good: list[_Row] = []
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
                good.append(_Row(number, employee, values["date"], start, end))
        errors.extend(problems)
    # ATT-1: one person works one shift at a time.
    by_person: dict[int, list[_Row]] = {}
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
                            "start": _local(item.start),
                            "end": _local(item.end),
                            "row": latest.number,
                            "other_start": _local(latest.start),
                            "other_end": _local(latest.end),
                        },
                        username=item.employee.user.username,
                    )
                )
            if latest is None or item.end > latest.end:
                latest = item
    errors.sort(key=lambda e: e.row or 0)
    return [r for r in good if r.number not in overlapping], errors


def _content_hash(good: list[_Row]) -> str:
    lines = sorted(f"{r.employee.pk}|{r.start.isoformat()}|{r.end.isoformat()}" for r in good)
    return hashlib.sha256(json.dumps(lines).encode()).hexdigest()


def _period(good: list[_Row]) -> tuple[dt.date, dt.date]:
    return min(r.date for r in good), max(r.date for r in good)


# --- importing ---------------------------------------------------------------------------------


def roster_import(*, actor, rows: Iterable[Mapping], department=None) -> RosterReport:
    """ATT-1: import roster rows (username, date, start, end; optionally `row`, the number to
    report). `department`: the import is for this department only (rows of others are bad).
    All or nothing; a bounded number of statements whatever the number of rows (bulk reads,
    writes in batches of 1,000, one audit event)."""
    scope = roster_scope(actor)
    if department is not None:
        dept_pk = getattr(department, "pk", department)
        if scope is not None and dept_pk not in scope:
            raise NotAllowed(
                gettext_lazy("You import the roster of the department you lead only."),
                code="not_department_lead",
                rule=RULE,
            )
        scope = {dept_pk}
    rows = list(rows)
    if len(rows) > MAX_ROWS:
        raise InvalidInput(
            gettext_lazy("An import holds at most %(max)s rows; this one has %(count)s."),
            code="too_many_rows",
            params={"max": MAX_ROWS, "count": len(rows)},
        )
    report = RosterReport()
    good, report.errors = _validated(rows, scope)
    if report.errors:
        return report
    if not good:
        report.errors.append(RowError(row=None, field=None, detail=_("The file has no rows.")))
        return report
    report.period_start, report.period_end = _period(good)
    people = {r.employee.pk for r in good}
    try:
        with transaction.atomic():
            _apply(actor, good, people, report, department)
    except _Refused:
        pass
    except IntegrityError:
        raise StateConflict(
            gettext_lazy("Another roster import ran at the same time; import the file again."),
            code="import_busy",
            rule=RULE,
        ) from None
    return report


class _Refused(Exception):
    pass


def _apply(actor, good, people, report: RosterReport, department) -> None:
    start, end = report.period_start, report.period_end
    user = actor if getattr(actor, "is_authenticated", False) else None
    # Every stored shift of these people that could clash: the period plus a day either side
    # (an evening shift runs past midnight).
    existing = list(
        Shift.objects.select_for_update()
        .filter(
            Q(rostered_id__in=people) | Q(employee_id__in=people),
            date__gte=start - dt.timedelta(days=1),
            date__lte=end + dt.timedelta(days=1),
        )
        .order_by("pk")
    )
    wanted = {(r.employee.pk, r.start, r.end): r for r in good}
    in_period = [s for s in existing if s.rostered_id in people and start <= s.date <= end]
    keep, remove = set(), []
    for s in in_period:
        if (s.rostered_id, s.start, s.end) in wanted:
            keep.add((s.rostered_id, s.start, s.end))
        else:
            remove.append(s)
    create = [r for key, r in wanted.items() if key not in keep]
    report.unchanged = len(keep)
    if not create and not remove:
        return  # the roster already says this: nothing changed, nothing recorded
    remove_ids = {s.pk for s in remove}
    # Decided findings and approved swaps are not lost silently.
    decided = {}
    for s_pk, f_state in (
        (
            Shift.objects.filter(pk__in=remove_ids, findings__isnull=False)
            .values_list("pk", "findings__state")
            .iterator()
        )
        if remove_ids
        else ()
    ):
        if f_state in (FindingState.CONFIRMED, FindingState.DISMISSED):
            decided[s_pk] = f_state
    names = {r.employee.pk: r.employee.user.username for r in good}
    for s in remove:
        if s.pk in decided:
            report.errors.append(
                RowError(
                    row=None,
                    field="date",
                    username=names.get(s.rostered_id, ""),
                    detail=_(
                        "the shift %(start)s – %(end)s has a decided finding (ATT-3) and is not "
                        "in the file; keep its row as it is"
                    )
                    % {"start": _local(s.start), "end": _local(s.end)},
                )
            )
        elif s.swap_id is not None:
            report.errors.append(
                RowError(
                    row=None,
                    field="date",
                    username=names.get(s.rostered_id, ""),
                    detail=_(
                        "the shift %(start)s – %(end)s was moved by approved swap #%(swap)s "
                        "(SWAP-1) and is not in the file; keep its row as it is"
                    )
                    % {"start": _local(s.start), "end": _local(s.end), "swap": s.swap_id},
                )
            )
    # A new shift must not overlap a stored one that stays (outside the period, or moved here).
    staying = [s for s in existing if s.pk not in remove_ids]
    by_worker: dict[int, list[Shift]] = {}
    for s in staying:
        by_worker.setdefault(s.employee_id, []).append(s)
    for r in create:
        for s in by_worker.get(r.employee.pk, ()):
            if r.start < s.end and s.start < r.end:
                report.errors.append(
                    RowError(
                        row=r.number,
                        field="start",
                        username=r.employee.user.username,
                        detail=_(
                            "%(start)s – %(end)s overlaps a stored shift %(other_start)s – "
                            "%(other_end)s"
                        )
                        % {
                            "start": _local(r.start),
                            "end": _local(r.end),
                            "other_start": _local(s.start),
                            "other_end": _local(s.end),
                        },
                    )
                )
    if report.errors:
        report.errors.sort(key=lambda e: e.row or 0)
        raise _Refused
    now = timezone.now()
    digest = _content_hash(good)
    batch, _new = RosterImport.objects.update_or_create(
        content_hash=digest,
        defaults={
            "department": department if isinstance(department, Department) else None,
            "period_start": start,
            "period_end": end,
            "rows": len(good),
            "imported_at": now,
            "imported_by": perms.employee_of(user) if user else None,
        },
    )
    report.import_id = batch.pk
    if remove_ids:
        from .models import Finding

        ids = sorted(remove_ids)
        for i in range(0, len(ids), BATCH):
            chunk = ids[i : i + BATCH]
            Finding.objects.filter(shift_id__in=chunk).delete()
            Shift.objects.filter(pk__in=chunk).delete()
    shifts = [
        Shift(
            employee=r.employee,
            rostered=r.employee,
            department_id=r.employee.department_id,
            date=r.date,
            start=r.start,
            end=r.end,
            roster_import=batch,
        )
        for r in create
    ]
    Shift.objects.bulk_create(shifts, batch_size=BATCH)
    report.created, report.removed = len(create), len(remove)
    report.swaps_applied = _apply_approved_swaps(people, start, end)
    # ATT-4: annual leave of these people on these days is charged by the new roster.
    from approvals.leave.days import leave_days_recompute

    moved = people | _swap_partners(people, start, end)
    report.leave_changes = [
        change.as_data()
        for change in leave_days_recompute(actor=actor, employees=moved, start=start, end=end)
    ]
    audit.record(
        case_type="roster_import",
        case_id=batch.pk,
        action="import",
        actor=user,
        rules=[RULE],
        data={
            "from": start.isoformat(),
            "to": end.isoformat(),
            "people": len(people),
            "created": report.created,
            "removed": report.removed,
            "unchanged": report.unchanged,
            "content_hash": digest,
        },
    )


def _apply_approved_swaps(people: set[int], start: dt.date, end: dt.date) -> int:
    """SWAP-1 on a freshly imported period: approved swaps of these people whose shifts the
    roster now holds move them (two queries when there are none)."""
    tz = company_tz()
    lo = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    swaps = list(
        ShiftSwap.objects.filter(state=SwapState.APPROVED)
        .filter(Q(employee_id__in=people) | Q(colleague_id__in=people))
        .filter(
            Q(shift_start__gte=lo, shift_start__lt=hi)
            | Q(colleague_shift_start__gte=lo, colleague_shift_start__lt=hi)
        )
    )
    return sum(1 for swap in swaps if shifts_swap(swap))


def _swap_partners(people: set[int], start: dt.date, end: dt.date) -> set[int]:
    """Who now works a shift of these people in the period (moved to them by a swap)."""
    return set(
        Shift.objects.filter(rostered_id__in=people, date__gte=start, date__lte=end)
        .exclude(employee_id__in=people)
        .values_list("employee_id", flat=True)
    )


def shifts_swap(swap: ShiftSwap) -> bool:
    """ATT-1, SWAP-1: an approved swap moves the two shifts: the requester's to the colleague,
    the colleague's to the requester, each marked with the swap. Called in the approval's
    transaction. A shift not (yet) in the roster is not moved: the roster import applies the
    swap when it creates it. True when something moved."""
    # One UPDATE for both shifts: each goes to the other person.
    moved = Shift.objects.filter(
        Q(rostered_id=swap.employee_id, start=swap.shift_start)
        | Q(rostered_id=swap.colleague_id, start=swap.colleague_shift_start),
        swap__isnull=True,
    ).update(
        employee_id=Case(
            When(rostered_id=swap.employee_id, then=Value(swap.colleague_id)),
            default=Value(swap.employee_id),
        ),
        swap=swap,
    )
    if moved and swap.state == SwapState.APPROVED:
        # ATT-4: annual leave of the two on those days counts the shifts they now work.
        from approvals.leave.days import leave_days_recompute

        days = [
            timezone.localtime(m, company_tz()).date()
            for m in (swap.shift_start, swap.colleague_shift_start)
        ]
        leave_days_recompute(
            employees={swap.employee_id, swap.colleague_id}, start=min(days), end=max(days)
        )
    return bool(moved)


# --- reading the roster ------------------------------------------------------------------------


def shifts_between(*, start: dt.date, end: dt.date, department=None, employee=None):
    """Shifts starting on the dates start..end (of one department, of one worker)."""
    qs = Shift.objects.select_related("employee__user", "rostered__user", "department").filter(
        date__gte=start, date__lte=end
    )
    if department is not None:
        qs = qs.filter(department=department)
    if employee is not None:
        qs = qs.filter(employee=employee)
    return qs.order_by("date", "start", "employee_id", "pk")
