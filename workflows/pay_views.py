"""The pay page (PAY-1, PAY-2, SCORE-6, SCORE-8): `/pay/?month=YYYY-MM[&department=<id>]`.

Administration imports the month's sales (a .csv or .xlsx file; every bad row is shown with its
number and nothing is written) and reads the month's pay sheet, each row expandable (<details>,
no script) to the trace of each figure: the rules and what made it (the level-history row, the
closed assessment, the sales figure, the fined events). Export links give the CSV and the Excel
file (the API's pay-sheets endpoint). The GM office reads the page without the import form;
anyone else gets 403. A month not closed shows why instead of a sheet (SCORE-10).
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import permissions as perms
from approvals.errors import DomainError
from org.models import Department
from performance import pay
from performance.paysheet import pay_sheet
from performance.paysheet_export import level_label
from performance.sales import sales_file_read, sales_import
from policy.services import policy_by_code

from .pay_trace import trace_lines

PAGE_ROWS = 100  # rows of the sheet a page shows (the exports hold them all)
LINES = (
    (pay.BASE, _("Base salary")),
    (pay.FLOAT, _("Salary float")),
    (pay.PERFORMANCE, _("Performance pay")),
    (pay.COMMISSION, _("Commission")),
    (pay.FINES, _("Fines")),
    (pay.REWARDS, _("Rewards")),
)


def _previous_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _month_of(value: str | None):
    """(first day, None) or (None, the error) for `?month=`; default the previous month."""
    if not value:
        return _previous_month(), None
    from performance.services import _parse_month

    try:
        return _parse_month(value[:20]), None
    except DomainError as exc:
        return None, exc.detail


@login_required
def pay_page(request):
    admin = perms.has_role(request.user, "administration")
    if not (admin or perms.has_role(request.user, "gm_office")):
        raise PermissionDenied
    month, month_error = _month_of(request.GET.get("month"))
    departments = list(Department.objects.order_by("code"))
    department = None
    chosen = request.GET.get("department", "")
    if chosen.isdigit():
        department = next((d for d in departments if d.pk == int(chosen)), None)
    context = {
        "admin": admin,
        "month": month,
        "month_value": month.strftime("%Y-%m") if month else request.GET.get("month", "")[:20],
        "departments": departments,
        "department": department,
        "lines": LINES,
        "error": month_error,
    }
    status = 200
    if request.method == "POST":
        if not admin:
            raise PermissionDenied
        upload = request.FILES.get("sales_file")
        try:
            if upload is None:
                context["import_error"] = _("Choose a .csv or .xlsx file.")
                status = 400
            else:
                rows = sales_file_read(name=upload.name or "", content=upload.read())
                report = sales_import(actor=request.user, rows=rows)
                context["report"] = report
                status = 200 if report.ok else 400
        except DomainError as exc:
            context["import_error"] = exc.detail
            status = 400
    if month is not None:
        try:
            sheet = pay_sheet(month=month, department=department)
        except DomainError as exc:
            context["error"] = exc.detail
        else:
            context["sheet"] = sheet
            count = len(sheet.rows)
            last = max(1, -(-count // PAGE_ROWS))
            page = request.GET.get("page", "1")
            page = min(int(page), last) if page.isdigit() and int(page) >= 1 else 1
            start = (page - 1) * PAGE_ROWS
            query = request.GET.copy()
            pager = {"page": page, "last": last, "first_row": start + 1, "count": count}
            for name, number in (("prev", page - 1), ("next", page + 1)):
                if 1 <= number <= last:
                    query["page"] = str(number)
                    pager[name] = f"?{query.urlencode()}"
            pager["last_row"] = min(count, start + PAGE_ROWS)
            context["pager"] = pager
            policy = policy_by_code(sheet.policy_version)
            context["rows"] = [
                {
                    "row": row,
                    "level": level_label(row.level),
                    "lines": [(label, row.figure(code)) for code, label in LINES],
                    "traced": [
                        (label, row.figure(code), trace_lines(row.figure(code), policy))
                        for code, label in LINES
                    ],
                }
                for row in sheet.rows[start : start + PAGE_ROWS]
            ]
            base = reverse("api-pay-sheet", args=[month.strftime("%Y-%m")])
            extra = f"&department={department.pk}" if department else ""
            context["export_csv"] = f"{base}?format=csv{extra}"
            context["export_xlsx"] = f"{base}?format=xlsx{extra}"
    return render(request, "workflows/pay.html", context, status=status)
