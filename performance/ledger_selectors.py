"""Reads of the monthly ledger (SCORE-9, SCORE-10) for its pages and its API: who the caller may
see in it, each person's month (events, running or closed score, grade, tier), the catalogue of
the month's policy, and the months with their state.

Bulk and constant: a month of any number of people costs the same queries (the people with their
users' groups, their events, their assessments, the policy); the scores are computed in Python by
the same `month_score` the close uses. Who may record about whom is not decided here: the pages
ask `performance.ledger.check_recorder`, the service's own rule.

The parsing of what a request names (a month "YYYY-MM", an employee or department id, a text)
lives here too, so the pages and the API refuse the same input with the same code.
"""

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import permissions as perms
from approvals.errors import DomainError, InvalidInput, NotAllowed, NotFound
from approvals.inputs import _shown, check_text, label_of, record_id
from org.levels import Role
from org.models import Department, Employee

from .ledger import _label, _month_policy, check_recorder
from .models import Assessment, ScoreEvent
from .scoring import month_score
from .services import _checked_month

MONTH_RE = re.compile(r"^([0-9]{4})-([0-9]{2})$")
TEXT_MAX = 4000
RECENT_MONTHS = 12
RECENT_MONTHS_MAX = 36


# --- what a request names -----------------------------------------------------------------------


def month_of(value, *, default_current: bool = True) -> dt.date:
    """The first day of the month a "YYYY-MM" text names (the current month when absent and
    `default_current`), or InvalidInput `bad_month` / `future_month` naming the value."""
    if default_current and (value is None or (isinstance(value, str) and not value.strip())):
        return timezone.localdate().replace(day=1)
    match = MONTH_RE.match(value.strip()) if isinstance(value, str) else None
    month = None
    if match and 1 <= int(match[2]) <= 12 and int(match[1]) >= 1:
        month = dt.date(int(match[1]), int(match[2]), 1)
    if month is None:
        raise InvalidInput(
            _("The month “%(value)s” is not a month: write it as YYYY-MM, e.g. %(example)s."),
            code="bad_month",
            params={"value": _shown(value), "example": _label(timezone.localdate())},
            field="month",
        )
    return _checked_month(month)


def id_of(value, *, field: str) -> int:
    """A record id from a body or a query, or InvalidInput `invalid_<field>`."""
    pk = record_id(value)
    if pk is None:
        raise InvalidInput(
            _("The %(field)s “%(value)s” is not an id."),
            code=f"invalid_{field}",
            params={"field": label_of(field), "value": _shown(value)},
            field=field,
        )
    return pk


def text_of(value, *, field: str, required: bool = False) -> str:
    """A text of a body or a form ('' when absent), checked for what cannot be stored; a text
    that is not a string is InvalidInput naming the field."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(
            _("The %(field)s must be a text."),
            code=f"invalid_{field}",
            params={"field": field},
            field=field,
        )
    return check_text(value, field=field, max_length=TEXT_MAX)


def points_of(value):
    """The points as entered: None when absent or blank (a fixed entry's figure), else a text or
    an int for the service to hold against the catalogue (a JSON float is refused there)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and math.isfinite(value):
        return Decimal(repr(value))  # JSON 2.5 is the figure 2.5, not its binary neighbour
    return value.strip() if isinstance(value, str) else value


def with_labels(exc, month: dt.date):
    """`exc` (a DomainError of the ledger's services) naming its catalogue entry by its label
    in the request's language rather than by its code ("outside the range of 迟到早退, 2..5",
    not "of late_or_early"): what the person chose in the form. Changed in place, returned."""
    code = exc.params.get("code") if isinstance(exc.params, dict) else None
    if isinstance(code, str):
        try:
            entry = _month_policy(month).score_event(code)
        except (LookupError, DomainError):
            return exc
        exc.params = {**exc.params, "code": entry.label()}
    return exc


# --- who the caller sees in the ledger ----------------------------------------------------------


def _people():
    return (
        Employee.objects.select_related("user", "department")
        .prefetch_related("user__groups")
        .order_by("department__name", "name", "pk")
    )


def _lead_ids():
    return Department.objects.filter(lead__isnull=False).values("lead_id")


def ledger_people_for(user, *, department: int | None = None):
    """The employees whose month `user` may see in the ledger: administration and the GM office
    everyone; a department lead the departments they lead (and themselves); a trainer their
    department's agents (not its trainers, nor its lead) and themselves; anyone else themselves.
    `department`: only that department's people (within what the caller sees)."""
    qs = _people()
    me = perms.employee_of(user)
    if not perms.has_oversight(user):
        if me is None:
            return qs.none()
        visible = Q(pk=me.pk)
        if perms.has_role(user, Role.DEPARTMENT_LEAD):
            visible |= Q(department_id__in=Department.objects.filter(lead=me).values("pk"))
        if perms.has_role(user, Role.TRAINER):
            agents = (
                Q(department_id=me.department_id)
                & ~Q(user__groups__name=Role.TRAINER)
                & ~Q(pk__in=_lead_ids())
            )
            visible |= agents
        qs = qs.filter(visible)
    if department is not None:
        qs = qs.filter(department_id=department)
    return qs


def nameable_employee(user, value, *, field: str = "employee") -> Employee:
    """The employee a body names, if the caller may name them: anyone for administration and
    the GM office, else the people of the caller's own department and of the departments they
    lead (so a refusal can say why, SCORE-9). Otherwise, or when there is none: NotFound (404)
    `unknown_employee`, the same answer for both (nobody learns who exists elsewhere)."""
    pk = id_of(value, field=field)
    qs = Employee.objects.select_related("user", "department").filter(pk=pk)
    if not perms.has_oversight(user):
        me = perms.employee_of(user)
        if me is None:
            qs = qs.none()
        else:
            qs = qs.filter(
                Q(department_id=me.department_id)
                | Q(department_id__in=Department.objects.filter(lead=me).values("pk"))
            )
    employee = qs.first()
    if employee is None:
        raise NotFound(
            _("There is no employee %(value)s you may name here."),
            code="unknown_employee",
            params={"value": _shown(value)},
            field=field,
        )
    return employee


def department_of(value) -> Department:
    pk = id_of(value, field="department")
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        raise InvalidInput(
            _("There is no department %(value)s."),
            code="unknown_department",
            params={"value": _shown(value)},
            field="department",
        )
    return department


# --- a person's month ---------------------------------------------------------------------------


@dataclass
class EventLine:
    event: ScoreEvent
    label: str
    running: Decimal | None = None  # the month's score after this event (ledger_me)


@dataclass
class PersonMonth:
    employee: Employee
    month: dt.date
    score: Decimal
    grade: str
    tier: int
    running: bool  # the score is computed from the events so far (the month is open)
    closed: bool
    closed_at: dt.datetime | None
    source: str  # events, or an imported/entered final score (SCORE-10)
    events: list = field(default_factory=list)
    may_record: bool = False  # the caller may record an event about this person (SCORE-9)

    @property
    def event_count(self) -> int:
        return len(self.events)


class _AnyEntry:
    """What `check_recorder` asks of a catalogue entry, for "may record anything at all"."""

    code = ""
    recorded_by = None


def may_record(user, employee: Employee) -> bool:
    """SCORE-9 as the service decides it: whether `user` records events about `employee`."""
    try:
        check_recorder(user, employee, _AnyEntry())
    except NotAllowed:
        return False
    return True


def _label_of(policy, event: ScoreEvent) -> str:
    if not event.code:
        return event.reason
    try:
        return policy.score_event(event.code).label()
    except LookupError:
        return event.code


def person_months(
    people, month: dt.date, *, user=None, order: str = "pk", with_running: bool = False
) -> list[PersonMonth]:
    """Each person's month: events (recorders joined), the closed score or the running score
    from the coded events, grade and tier. Two queries whatever the number of people (plus the
    policy's, cached). `user`: fill `may_record` for that caller (needs the people's user groups
    prefetched to stay constant). `with_running`: each event's line carries the score after it."""
    people = list(people)
    month = _checked_month(month)
    policy = _month_policy(month)
    ids = [p.pk for p in people]
    events: dict[int, list] = {pk: [] for pk in ids}
    rows = (
        ScoreEvent.objects.filter(employee_id__in=ids, month=month)
        .select_related("recorded_by__employee")
        .order_by("booked_at", "pk")
    )
    for event in rows:
        events[event.employee_id].append(event)
    assessments = {
        a.employee_id: a for a in Assessment.objects.filter(employee_id__in=ids, month=month)
    }
    result = []
    for person in people:
        own = events[person.pk]
        coded = [e for e in own if e.code]
        row = assessments.get(person.pk)
        lines = [EventLine(event=e, label=_label_of(policy, e)) for e in own]
        if with_running:
            so_far = []
            for line in lines:
                if line.event.code:
                    so_far.append(line.event)
                line.running = month_score(policy, so_far).score
        if row is not None and (row.closed_at is not None or row.source != "events"):
            figures = (row.score, row.grade, row.tier)
            running, source = False, row.source
        else:
            computed = month_score(policy, coded)
            figures = (computed.score, computed.grade, computed.tier)
            running, source = True, Assessment.Source.EVENTS
        result.append(
            PersonMonth(
                employee=person,
                month=month,
                score=figures[0],
                grade=figures[1],
                tier=figures[2],
                running=running,
                closed=row is not None and row.closed_at is not None,
                closed_at=row.closed_at if row is not None else None,
                source=source,
                events=lines,
                may_record=user is not None and may_record(user, person),
            )
        )
    return result


def own_month(user, month: dt.date) -> PersonMonth | None:
    """The caller's own month, event by event with the score after each; None for a user who
    is not an employee."""
    me = perms.employee_of(user)
    if me is None:
        return None
    me = _people().get(pk=me.pk)
    return person_months([me], month, with_running=True)[0]


# --- the catalogue of the month's policy --------------------------------------------------------


def catalogue_of(month: dt.date, *, language: str | None = None) -> list[dict]:
    """The catalogue entries of the month's policy, in the pack's order, as a form needs them:
    code, label (request language), kind, band and its label, points (fixed) or min..max (the
    figure entered: a magnitude, signed for `signed`), fine, who records it, and whether it is
    recorded by hand at all (`recordable`: not an adjustment, not a penalty's booking)."""
    policy = _month_policy(_checked_month(month))
    entries = []
    for entry in policy.score_events.values():
        entries.append(
            {
                "code": entry.code,
                "label": entry.label(language),
                "kind": entry.kind,
                "band": entry.band,
                "band_label": policy.deduction_band_label(entry.band, language)
                if entry.band
                else None,
                "points": entry.points,
                "min": entry.min,
                "max": entry.max,
                "fine": entry.fine,
                "recorded_by": entry.recorded_by,
                "rules": list(entry.rules),
                "recordable": not (entry.after_close or entry.sanction),
                "policy_version": policy.version,
            }
        )
    return entries


# --- the months (SCORE-10) ----------------------------------------------------------------------


def require_month_reader(user) -> None:
    """The months' states name company-wide figures: administration and the GM office read
    them (403 `wrong_role` for anyone else, as for the pay sheet)."""
    if not perms.has_oversight(user):
        raise NotAllowed(
            _("Only administration and the GM office read the months' close."),
            code="wrong_role",
            rule="SCORE-10",
        )


def _month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def recent_months(count: int = RECENT_MONTHS) -> list[dt.date]:
    """The current month and the `count - 1` before it, newest first."""
    month = timezone.localdate().replace(day=1)
    months = []
    for _i in range(count):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return months


def month_states(months: list[dt.date]) -> list[dict]:
    """Each month's state and counts, in four queries whatever the number of months or people:
    `people` (on the ladder and hired by the month's end: whom a close scores), `closed`
    (assessments closed), `events`, `open_with_events` (people with events and no closed
    score). State: `open` (nothing closed), `closed` (everyone scored and nothing with events
    left open), else `partly_closed` (a department's close). `closes_on` is the policy's day."""
    if not months:
        return []
    first, last = min(months), max(months)
    closes = {
        a["month"]: a
        for a in Assessment.objects.filter(
            month__gte=first, month__lte=last, closed_at__isnull=False
        )
        .values("month")
        .annotate(closed=Count("pk"), closed_at=Max("closed_at"))
    }
    # Who closed last: per month and closer their latest close (a handful of rows), the latest
    # kept. None: the scheduler's close on the policy's day.
    latest_by: dict = {}
    for row in (
        Assessment.objects.filter(month__gte=first, month__lte=last, closed_at__isnull=False)
        .values("month", "closed_by__username")
        .annotate(at=Max("closed_at"))
        .order_by("month", "at")
    ):
        latest_by[row["month"]] = row["closed_by__username"]
    closed_here = Assessment.objects.filter(
        employee_id=OuterRef("employee_id"), month=OuterRef("month"), closed_at__isnull=False
    )
    events = {
        e["month"]: e
        for e in ScoreEvent.objects.filter(month__gte=first, month__lte=last)
        .values("month")
        .annotate(
            events=Count("pk"),
            open_with_events=Count("employee_id", distinct=True, filter=~Q(Exists(closed_here))),
        )
    }
    people = Employee.objects.aggregate(
        **{
            f"m{i}": Count("pk", filter=Q(level__isnull=False, hired_on__lte=_month_end(m)))
            for i, m in enumerate(months)
        }
    )
    today = timezone.localdate()
    answer = []
    for i, month in enumerate(months):
        policy = _month_policy(month)
        close = closes.get(month, {})
        ev = events.get(month, {})
        closed = close.get("closed", 0)
        open_with_events = ev.get("open_with_events", 0)
        if not closed:
            state = "open"
        elif closed >= people[f"m{i}"] and not open_with_events:
            state = "closed"
        else:
            state = "partly_closed"
        answer.append(
            {
                "month": month,
                "state": state,
                "ended": today > _month_end(month),
                "closes_on": policy.month_close_on(month),
                "closed_at": close.get("closed_at"),
                "closed_by": latest_by.get(month),
                "people": people[f"m{i}"],
                "closed": closed,
                "events": ev.get("events", 0),
                "open_with_events": open_with_events,
            }
        )
    return answer
