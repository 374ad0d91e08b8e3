"""Reading the written texts every process asks for (a reason, a statement, the facts of a
slip): one rule for all, so a blank, a number or a list in a JSON body is refused the same way,
with the field named, never stored as its repr and never a 500.

It is also the edge where every value a person types is range-checked before any service writes
(issue 11): no text with a NUL byte or a lone surrogate (PostgreSQL and the JSON encoder refuse
them later, after a partial write), no text over its field's limit, no date or time outside
`date_window()` (a year-9999 shift overflows the time-zone arithmetic of every list showing it),
no id that is not a plain number a database column holds."""

import datetime as dt
import unicodedata

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput

FIELD_LABELS = {
    "reason": _("reason"),
    "statement": _("statement"),
    "skip_level_reason": _("justification for skip-level promotion"),
    "comment": _("comment"),
    "facts": _("facts"),
    "rule": _("rule broken"),
    "evidence": _("evidence"),
    # casework (CASE-2, CASE-5)
    "question": _("question"),
    "answer": _("answer"),
    "body": _("comment"),
    # paginated lists
    "page": _("page number"),
    "page_size": _("page size"),
    "state": _("state"),
    "department": _("department"),
    "overdue": _("overdue filter"),
    "q": _("search text"),
    "kind": _("kind of case"),
}


# The texts people write are TextFields; this bounds them all the same (a 10 MB "reason" is no
# reason). A CharField's own max_length is passed by its service (a penalty's rule: 200).
TEXT_MAX = 10_000

# Ids are database keys: a bigint at most.
ID_MAX = 2**63 - 1


def label_of(field: str):
    return FIELD_LABELS.get(field, field)


def check_text(text: str, *, field: str, max_length: int | None = TEXT_MAX, rule=None) -> str:
    """`text` unchanged, or InvalidInput naming the field: a NUL byte or a lone surrogate
    (`invalid_characters`), more than `max_length` characters (`<field>_too_long`)."""
    if "\x00" in text or any(unicodedata.category(c) == "Cs" for c in text):
        raise InvalidInput(
            _(
                "The %(field)s contains a character that cannot be stored (a NUL byte or a lone "
                "surrogate)."
            ),
            code="invalid_characters",
            rule=rule,
            params={"field": label_of(field)},
            field=field,
        )
    if max_length is not None and len(text) > max_length:
        raise InvalidInput(
            _("The %(field)s has %(length)s characters; at most %(limit)s are allowed."),
            code=f"{field}_too_long",
            rule=rule,
            params={"field": label_of(field), "length": len(text), "limit": max_length},
            field=field,
        )
    return text


def required_text(
    value, *, field: str, rule: str | None = None, max_length: int | None = TEXT_MAX
) -> str:
    """The stripped text, or InvalidInput `<field>_required` naming the field and the rule
    (and check_text's refusals)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(
            _("A written %(field)s is required."),
            code=f"{field}_required",
            rule=rule,
            params={"field": label_of(field)},
            field=field,
        )
    return check_text(text, field=field, max_length=max_length, rule=rule)


def optional_text(value, *, field: str, max_length: int | None = TEXT_MAX) -> str:
    """The stripped text, "" when absent or not a text; check_text's refusals."""
    text = value.strip() if isinstance(value, str) else ""
    return check_text(text, field=field, max_length=max_length)


# --- dates and times --------------------------------------------------------------------------

# The dates a person could mean, for every process and for the organisation file (hire dates):
# from 1970 (the hire date of anyone still of working age) to ten years ahead (the furthest any
# plan of the product looks: a planned leave, an effective date). Outside it a date is a typo or
# a probe, and far-future instants overflow the calendar and time-zone arithmetic downstream.
DATE_WINDOW_START = dt.date(1970, 1, 1)
DATE_WINDOW_YEARS_AHEAD = 10


def date_window() -> tuple[dt.date, dt.date]:
    """The first and last accepted day (company local dates)."""
    today = timezone.localdate()
    try:
        last = today.replace(year=today.year + DATE_WINDOW_YEARS_AHEAD)
    except ValueError:  # 29 February
        last = today.replace(year=today.year + DATE_WINDOW_YEARS_AHEAD, day=28)
    return DATE_WINDOW_START, last


def check_date_window(day: dt.date, *, field: str, rule: str | None = None) -> dt.date:
    """`day`, or InvalidInput `date_out_of_range` naming the field and the window."""
    first, last = date_window()
    if not first <= day <= last:
        raise InvalidInput(
            _("%(value)s is outside the accepted dates (%(first)s to %(last)s)."),
            code="date_out_of_range",
            rule=rule,
            params={"value": day.isoformat(), "first": first.isoformat(), "last": last.isoformat()},
            field=field,
        )
    return day


def moment(value, *, field: str, rule: str | None = None) -> dt.datetime:
    """An aware datetime from an ISO 8601 text (API) or a datetime (pages); a time without an
    offset is read in the company's time zone (settings.TIME_ZONE)."""
    parsed = value if isinstance(value, dt.datetime) else None
    if parsed is None and isinstance(value, str):
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise InvalidInput(
            _("“%(value)s” is not a date and time (ISO 8601)."),
            code="invalid_datetime",
            rule=rule,
            params={"value": "" if value is None else _shown(value)},
            field=field,
        )
    # The window is checked on the date as written, before any conversion can overflow.
    check_date_window(parsed.date(), field=field, rule=rule)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    check_date_window(timezone.localtime(parsed).date(), field=field, rule=rule)
    return parsed


def _shown(value) -> str:
    """A refused value as the message quotes it: printable, and short."""
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\0")
    return text if len(text) <= 40 else text[:40] + "…"


def date_value(value, *, field: str) -> dt.date:
    """A date from YYYY-MM-DD (API, pages) or a date, within the window."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return check_date_window(value, field=field)
    try:
        day = dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise InvalidInput(
            _("“%(value)s” is not a date (YYYY-MM-DD)."),
            code="invalid_date",
            params={"value": _shown(value)},
            field=field,
        ) from None
    return check_date_window(day, field=field)


# --- ids --------------------------------------------------------------------------------------


def record_id(value) -> int | None:
    """A database id from a URL or a body (an int, or a text of ASCII digits), or None: "abc",
    "²", "1.5", a bool and a number no key column holds are no id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        pk = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        pk = int(value)
    else:
        return None
    return pk if 0 < pk <= ID_MAX else None


def whole_number(value, *, field: str, default: int, limit: int) -> int:
    """A query parameter that counts (a page, a page size): `default` when absent, else a text
    of ASCII digits from 1 to `limit`, or InvalidInput `invalid_<field>` naming it."""
    if value is None:
        return default
    number = record_id(value)
    if number is None or number > limit:
        raise InvalidInput(
            _("The %(field)s must be a whole number from 1 to %(limit)s, not “%(value)s”."),
            code=f"invalid_{field}",
            params={"field": label_of(field), "limit": limit, "value": _shown(value)},
            field=field,
        )
    return number


def local_minute(value: dt.datetime) -> str:
    """A time as people read it: the company's local time, to the minute."""
    return f"{timezone.localtime(value, timezone.get_default_timezone()):%Y-%m-%d %H:%M}"


def employee_ref(value, *, field: str):
    """The active employee a body names by id (or an Employee): InvalidInput `invalid_<field>`
    for something that is not an id, NotFound `unknown_<field>` for no such active employee."""
    from org.models import Employee

    from .errors import NotFound

    pk = value.pk if isinstance(value, Employee) else record_id(value)
    if pk is None:
        raise InvalidInput(
            _("“%(value)s” is not an employee id."),
            code=f"invalid_{field}",
            params={"value": _shown(value)},
            field=field,
        )
    employee = (
        Employee.objects.select_related("department", "user")
        .filter(pk=pk, user__is_active=True)
        .first()
    )
    if employee is None:
        raise NotFound(_("No such employee."), code=f"unknown_{field}", field=field)
    return employee


def ladder_level(value, *, field: str = "target_level") -> str:
    """A level code of the customer-service ladder (ORG-1), or InvalidInput naming it."""
    from org.levels import LADDER

    if value not in LADDER:
        raise InvalidInput(
            _("Unknown level “%(level)s”."),
            code="unknown_level",
            params={"level": value},
            field=field,
        )
    return value
