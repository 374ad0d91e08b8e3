"""Reads of the alerts (SCORE-11): who may read which department's, the month's alerts a user
may read, and the `?month=YYYY-MM` parameter of the API and the pages."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import Department

from .alerts import _shift
from .models import MonthAlert


def alert_departments_of(user):
    """The departments whose alerts `user` may read: None for all (administration, the GM office,
    superusers), the ids of the departments they lead, or an empty list (everyone else)."""
    from approvals import permissions as perms

    if perms.has_oversight(user):
        return None
    employee = perms.employee_of(user)
    if employee is None:
        return []
    return list(Department.objects.filter(lead=employee).values_list("pk", flat=True))


def may_read_department(user, department_id: int) -> bool:
    departments = alert_departments_of(user)
    return departments is None or department_id in departments


def alerts_visible_to(user, *, month: dt.date, department: int | None = None):
    """The month's alerts `user` may read (withdrawn ones included, marked), in list order."""
    departments = alert_departments_of(user)
    qs = MonthAlert.objects.filter(month=month)
    if departments is not None:
        qs = qs.filter(department_id__in=departments)
    if department is not None:
        qs = qs.filter(department_id=department)
    return qs.order_by("department_id", "employee__name", "employee_id", "code")


def parse_month(value, *, default: dt.date | None = None) -> dt.date:
    """`YYYY-MM` → the month's first day; absent: `default` (else the previous month); anything
    else InvalidInput naming the parameter."""
    from approvals.errors import InvalidInput

    if value is None or value == "":
        return default or _shift(timezone.localdate().replace(day=1), -1)
    try:
        parsed = dt.datetime.strptime(str(value), "%Y-%m").date()  # noqa: DTZ007 (a date)
    except ValueError:
        raise InvalidInput(
            _("month “%(value)s” is not a month (YYYY-MM)."),
            code="invalid_month",
            params={"value": str(value)[:20]},
            field="month",
        ) from None
    if not 2000 <= parsed.year <= 2100:
        raise InvalidInput(
            _("month “%(value)s” is not a month (YYYY-MM)."),
            code="invalid_month",
            params={"value": str(value)[:20]},
            field="month",
        )
    return parsed
