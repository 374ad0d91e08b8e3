"""Reading the written texts every process asks for (a reason, a statement, the facts of a
slip): one rule for all, so a blank, a number or a list in a JSON body is refused the same way,
with the field named, never stored as its repr and never a 500."""

import datetime as dt

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
}


def required_text(value, *, field: str, rule: str | None = None) -> str:
    """The stripped text, or InvalidInput `<field>_required` naming the field and the rule."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(
            _("A written %(field)s is required."),
            code=f"{field}_required",
            rule=rule,
            params={"field": FIELD_LABELS.get(field, field)},
            field=field,
        )
    return text


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
            params={"value": "" if value is None else value},
            field=field,
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def date_value(value, *, field: str) -> dt.date:
    """A date from YYYY-MM-DD (API, pages) or a date."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise InvalidInput(
            _("“%(value)s” is not a date (YYYY-MM-DD)."),
            code="invalid_date",
            params={"value": value},
            field=field,
        ) from None


def local_minute(value: dt.datetime) -> str:
    """A time as people read it: the company's local time, to the minute."""
    return f"{timezone.localtime(value, timezone.get_default_timezone()):%Y-%m-%d %H:%M}"


def employee_ref(value, *, field: str):
    """The active employee a body names by id (or an Employee): InvalidInput `invalid_<field>`
    for something that is not an id, NotFound `unknown_<field>` for no such active employee."""
    from org.models import Employee

    from .errors import NotFound

    pk = value.pk if isinstance(value, Employee) else value
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise InvalidInput(
            _("“%(value)s” is not an employee id."),
            code=f"invalid_{field}",
            params={"value": value},
            field=field,
        ) from None
    employee = (
        Employee.objects.select_related("department", "user")
        .filter(pk=pk, user__is_active=True)
        .first()
    )
    if employee is None:
        raise NotFound(_("No such employee."), code=f"unknown_{field}", field=field)
    return employee
