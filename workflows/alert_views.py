"""Pages of the month's alerts and a department's month (SCORE-7, SCORE-11).

- `/alerts/?month=YYYY-MM[&department=<id>]`: the alerts a month's close raised, with the months
  that raised them; administration and the GM office see every department, a department lead
  their own; anyone else gets 404 (they may not know the page holds anything).
- `/departments/<id>/month/?month=YYYY-MM`: the department's closed scores as ranked bars, last
  place(s) marked, and its alerts of the month; for its lead, administration and the GM office;
  404 for anyone else, and for a department that does not exist.

Both read-only: an alert proposes, the people who read it act through their own cases."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from approvals.errors import InvalidInput
from org.models import Department
from performance.alert_selectors import (
    alert_departments_of,
    alerts_visible_to,
    may_read_department,
    parse_month,
)
from performance.alerts import _shift, alert_label

PAGE_ROWS = 500  # a month's alerts of the whole company; past this the page says so


def _month(request):
    """(month, error): the asked month, or the previous month with the refusal to show."""
    try:
        return parse_month(request.GET.get("month")), None
    except InvalidInput as exc:
        return parse_month(None), exc


def _rows(qs) -> tuple[list, bool]:
    rows = list(qs.select_related("employee", "department")[: PAGE_ROWS + 1])
    for row in rows:
        row.label = alert_label(row.code)
    return rows[:PAGE_ROWS], len(rows) > PAGE_ROWS


def _neighbours(month) -> dict:
    return {
        "previous_month": _shift(month, -1).strftime("%Y-%m"),
        "next_month": _shift(month, 1).strftime("%Y-%m"),
        "month_value": month.strftime("%Y-%m"),
    }


@login_required
def alerts_page(request):
    departments = alert_departments_of(request.user)
    if departments == []:
        raise Http404
    month, error = _month(request)
    department = None
    value = request.GET.get("department")
    if value:
        if not value.isdigit() or not may_read_department(request.user, int(value)):
            raise Http404
        department = int(value)
    rows, more = _rows(alerts_visible_to(request.user, month=month, department=department))
    choices = Department.objects.order_by("name")
    if departments is not None:
        choices = choices.filter(pk__in=departments)
    return render(
        request,
        "workflows/alerts.html",
        {
            "here": "alerts",
            "month": month,
            "alerts": rows,
            "more": more,
            "error": error,
            "departments": list(choices),
            "department": department,
            **_neighbours(month),
        },
        status=400 if error else 200,
    )


@login_required
def department_month_page(request, pk: int):
    department = get_object_or_404(Department, pk=pk)
    if not may_read_department(request.user, department.pk):
        raise Http404
    month, error = _month(request)
    rows, more = _rows(alerts_visible_to(request.user, month=month, department=department.pk))
    return render(
        request,
        "workflows/department_month.html",
        {
            "here": "alerts",
            "department": department,
            "month": month,
            "alerts": rows,
            "more": more,
            "error": error,
            **_neighbours(month),
        },
        status=400 if error else 200,
    )
