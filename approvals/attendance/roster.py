"""The roster import 值班表 (ATT-1): `roster_import` replaces, for the people a file names, their
shifts of the file's period, all or nothing.

Actors: the department lead imports the roster of their own department's employees, and while
the lead is on approved leave their delegate does, recorded as done for the lead (LEAVE-6);
administration imports any (who may: `approvals.attendance.roster_access`). The file and its
rows are read and validated by `approvals.attendance.roster_rows`; a file with any error writes
nothing.

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
- Approved swaps (SWAP-1) whose shifts an import creates are applied to them at once
  (`approvals.attendance.shifts`), so a roster imported after the swap was approved still shows
  who works the shift; annual leave of the people and dates it touches is counted again (ATT-4).

Rules: ATT-1, ATT-3, SWAP-1, ATT-4, LEAVE-6.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import audit.services as audit
from approvals import permissions as perms
from approvals.errors import InvalidInput, NotAllowed, StateConflict
from org.models import Department

from .models import FindingState, RosterImport, Shift
from .roster_access import roster_scope_of
from .roster_rows import RowError, content_hash, local_text, period_of, validated_rows
from .shifts import approved_swaps_apply, swap_partners

RULE = "ATT-1"
MAX_ROWS = 50_000
BATCH = 1000


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


# --- importing ---------------------------------------------------------------------------------


def roster_import(*, actor, rows: Iterable[Mapping], department=None) -> RosterReport:
    """ATT-1: import roster rows (username, date, start, end; optionally `row`, the number to
    report). `department`: the import is for this department only (rows of others are bad).
    All or nothing; a bounded number of statements whatever the number of rows (bulk reads,
    writes in batches of 1,000, one audit event). A lead's delegate imports the lead's
    departments while the lead is on approved leave: recorded as done for the lead (LEAVE-6)."""
    access = roster_scope_of(actor)
    scope = access.departments
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
    good, report.errors = validated_rows(rows, scope)
    if report.errors:
        return report
    if not good:
        report.errors.append(RowError(row=None, field=None, detail=_("The file has no rows.")))
        return report
    report.period_start, report.period_end = period_of(good)
    people = {r.employee.pk for r in good}
    # LEAVE-6: rows of a department the actor has as a lead's delegate are imported for the lead.
    leads = access.acting_for({r.employee.department_id for r in good})
    try:
        with transaction.atomic():
            _apply(actor, good, people, report, department, leads)
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


def _apply(actor, good, people, report: RosterReport, department, leads) -> None:
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
                    % {"start": local_text(s.start), "end": local_text(s.end)},
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
                    % {"start": local_text(s.start), "end": local_text(s.end), "swap": s.swap_id},
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
                            "start": local_text(r.start),
                            "end": local_text(r.end),
                            "other_start": local_text(s.start),
                            "other_end": local_text(s.end),
                        },
                    )
                )
    if report.errors:
        report.errors.sort(key=lambda e: e.row or 0)
        raise _Refused
    now = timezone.now()
    digest = content_hash(good)
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
    report.swaps_applied = approved_swaps_apply(people, start, end)
    # ATT-4: annual leave of these people on these days is charged by the new roster.
    from approvals.leave.days import leave_days_recompute

    moved = people | swap_partners(people, start, end)
    report.leave_changes = [
        change.as_data()
        for change in leave_days_recompute(actor=actor, employees=moved, start=start, end=end)
    ]
    audit.record(
        case_type="roster_import",
        case_id=batch.pk,
        action="import",
        actor=user,
        # "X for Y": the lead whose roster their delegate imported (the first, if several).
        on_behalf_of=leads[0].user if leads else None,
        rules=[RULE, "LEAVE-6"] if leads else [RULE],
        data={
            "from": start.isoformat(),
            "to": end.isoformat(),
            "people": len(people),
            "created": report.created,
            "removed": report.removed,
            "unchanged": report.unchanged,
            "content_hash": digest,
            **({"on_behalf_of": [lead.pk for lead in leads]} if leads else {}),
        },
    )
