"""The roster page (ATT-1, ATT-2): `/roster/?department=<id>&week=YYYY-Www`.

The week grid of one department: rows are people, columns the seven days; each cell shows the
shifts worked that day (a swapped shift marked with its swap, SWAP-1) and approved leave
(LEAVE-1). The grid scrolls sideways on a phone. A department lead sees the departments they
lead (and their delegate the lead's, while the lead is on approved leave: LEAVE-6),
administration and the GM office every department; anyone else gets 404. The lead and
administration import a roster file here, administration a punch file; every bad row of a
refused file is shown with its number and column, and nothing is written.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from approvals import permissions as perms
from approvals.attendance.punches import punch_file_read, punches_import
from approvals.attendance.roster import roster_import
from approvals.attendance.roster_grid import (
    parse_week,
    visible_departments,
    week_grid,
    week_label,
)
from approvals.attendance.roster_rows import roster_file_read
from approvals.errors import DomainError
from org.levels import Role
from org.models import Department


def _import(request, context, *, field, read, run, key):
    upload = request.FILES.get(field)
    try:
        if upload is None:
            context[f"{key}_error"] = _("Choose a .csv or .xlsx file.")
            return 400
        rows = read(name=upload.name or "", content=upload.read())
        report = run(actor=request.user, rows=rows)
    except DomainError as exc:
        context[f"{key}_error"] = exc.detail
        return 400
    context[f"{key}_report"] = report
    return 200 if report.ok else 400


@login_required
def roster_page(request):
    visible = visible_departments(request.user)
    if visible is not None and not visible:
        raise Http404
    departments = Department.objects.order_by("code")
    if visible is not None:
        departments = departments.filter(pk__in=visible)
    departments = list(departments)
    chosen = request.GET.get("department", "")
    if chosen:
        department = next((d for d in departments if str(d.pk) == chosen), None)
        if department is None:
            raise Http404
    else:
        department = departments[0] if departments else None
    admin = perms.has_role(request.user, Role.ADMINISTRATION)
    may_import_roster = admin or visible is not None
    context = {
        "departments": departments,
        "department": department,
        "admin": admin,
        "may_import_roster": may_import_roster,
    }
    try:
        monday = parse_week(request.GET.get("week"))
    except DomainError as exc:
        context["week_error"] = exc.detail
        monday = parse_week(None)
    context["week_value"] = week_label(monday)
    status = 200
    if request.method == "POST":
        if "punch_file" in request.FILES or request.POST.get("what") == "punches":
            if not admin:
                raise PermissionDenied
            status = _import(
                request,
                context,
                field="punch_file",
                read=punch_file_read,
                run=punches_import,
                key="punch",
            )
        else:
            if not may_import_roster:
                raise PermissionDenied
            status = _import(
                request,
                context,
                field="roster_file",
                read=roster_file_read,
                run=roster_import,
                key="roster",
            )
    if department is not None:
        context["grid"] = week_grid(department=department, monday=monday)
    return render(request, "workflows/roster.html", context, status=status)
