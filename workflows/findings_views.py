"""The findings page (ATT-2, ATT-3, PEN-2): `/findings/?department=<id>&month=YYYY-MM`.

A department lead sees their department's findings, administration and the GM office every
department's; anyone else gets 404. Each row names the shift, the punches, the rule and the
points/fine, and (while proposed) has its own form: a reason, confirm, dismiss. Checkboxes
belong to the bulk form (HTML's `form` attribute: no script) with its reason and its confirm /
dismiss buttons; the bulk outcome lists each finding's result. The open penalty slip drafts of
confirmed absences follow, each with a "serve" link to a small form prefilled from the draft
(`/findings/drafts/<id>/serve/`), which serves it through the penalty service and opens the
penalty's page. Administration also runs the check of the month shown.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import permissions as perms
from approvals.attendance.findings import findings_check
from approvals.attendance.findings_decide import (
    drafts_visible,
    finding_confirm,
    finding_dismiss,
    findings_bulk,
    findings_visible,
    penalty_draft_discard,
    penalty_draft_serve,
)
from approvals.attendance.models import FindingState
from approvals.attendance.roster_access import roster_departments
from approvals.errors import DomainError
from approvals.penalty.models import Sanction
from org.models import Department

PAGE_ROWS = 200


def _departments(user):
    """The departments whose findings the page shows the user: every one for oversight; those
    they lead, and those of a lead they stand in for (LEAVE-6)."""
    if perms.has_oversight(user):
        return list(Department.objects.order_by("code"))
    return list(Department.objects.filter(pk__in=roster_departments(user)).order_by("code"))


def _month(value):
    today = timezone.localdate().replace(day=1)
    if not value:
        return today, None
    from performance.services import _parse_month

    try:
        return _parse_month(str(value)[:20]), None
    except DomainError as exc:
        return today, exc.detail


def _next(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def _back(request):
    query = request.GET.urlencode()
    return reverse("findings") + (f"?{query}" if query else "")


@login_required
def findings_page(request):
    departments = _departments(request.user)
    if not departments:
        raise Http404
    month, error = _month(request.GET.get("month"))
    chosen = request.GET.get("department", "")
    department = None
    if chosen.isdigit():
        department = next((d for d in departments if d.pk == int(chosen)), None)
    if department is None and not perms.has_oversight(request.user):
        department = departments[0]
    admin = perms.has_role(request.user, "administration")
    if request.method == "POST":
        _act(request, admin, month, department)
        return redirect(_back(request))
    qs = (
        findings_visible(request.user)
        .filter(shift__date__gte=month, shift__date__lt=_next(month))
        .select_related("employee", "shift", "department")
    )
    if department is not None:
        qs = qs.filter(department=department)
    state = request.GET.get("state", "")
    if state in FindingState.values:
        qs = qs.filter(state=state)
    rows = list(qs.order_by("shift__start", "pk")[:PAGE_ROWS])
    drafts = drafts_visible(request.user).filter(state="open").select_related("employee")
    if department is not None:
        drafts = drafts.filter(department=department)
    context = {
        "here": "findings",
        "departments": departments,
        "department": department,
        "month": month,
        "month_value": month.strftime("%Y-%m"),
        "error": error,
        "rows": rows,
        "truncated": len(rows) == PAGE_ROWS,
        "drafts": list(drafts[:100]),
        "states": FindingState.choices,
        "state": state,
        "admin": admin,
        "bulk_results": request.session.pop("findings_bulk", None),
    }
    return render(request, "workflows/findings.html", context, status=400 if error else 200)


def _act(request, admin, month, department):
    post = request.POST
    try:
        if "check" in post:
            if not admin:
                raise Http404
            last = _next(month) - dt.timedelta(days=1)
            report = findings_check(
                start=month, end=last, department=department, actor=request.user
            )
            messages.success(
                request,
                _(
                    "Checked %(shifts)s shifts: %(created)s new findings, %(cleared)s cleared "
                    "(ATT-2)."
                )
                % {"shifts": report.shifts, "created": report.created, "cleared": report.cleared},
            )
        elif "bulk" in post:
            ids = [i for i in post.getlist("ids") if i.isdigit()]
            results = findings_bulk(
                actor=request.user,
                action=post.get("bulk"),
                ids=ids,
                reason=post.get("bulk_reason", ""),
            )
            request.session["findings_bulk"] = results
            done = sum(1 for r in results if r["ok"])
            messages.success(
                request,
                _("%(done)s of %(total)s findings decided.")
                % {"done": done, "total": len(results)},
            )
        elif post.get("decision") in ("confirm", "dismiss") and post.get("finding", "").isdigit():
            finding = findings_visible(request.user).filter(pk=int(post["finding"])).first()
            if finding is None:
                raise Http404
            if post["decision"] == "confirm":
                finding_confirm(actor=request.user, finding=finding, reason=post.get("reason", ""))
                messages.success(request, _("Finding confirmed and booked (ATT-3)."))
            else:
                finding_dismiss(actor=request.user, finding=finding, reason=post.get("reason"))
                messages.success(request, _("Finding dismissed (ATT-3)."))
    except DomainError as exc:
        messages.error(request, exc.detail)


@login_required
def draft_serve_page(request, pk: int):
    """PEN-2: serve (or discard) a penalty slip draft, prefilled from the confirmed absence."""
    draft = (
        drafts_visible(request.user)
        .select_related("employee", "finding__shift")
        .filter(pk=pk)
        .first()
    )
    if draft is None:
        raise Http404
    error = None
    values = {"sanction": draft.sanction, "facts": draft.facts, "evidence": draft.evidence}
    if request.method == "POST":
        values = {k: request.POST.get(k, v) for k, v in values.items()}
        try:
            if "discard" in request.POST:
                penalty_draft_discard(
                    actor=request.user, draft=draft, reason=request.POST.get("reason")
                )
                messages.success(request, _("Draft discarded (PEN-2)."))
                return redirect(reverse("findings") + f"?department={draft.department_id}")
            done = penalty_draft_serve(actor=request.user, draft=draft, **values)
            messages.success(request, _("Penalty slip served (PEN-2, APPEAL-1)."))
            return redirect(reverse("penalty_detail", args=[done.penalty_id]))
        except DomainError as exc:
            error = exc.detail
    context = {
        "here": "findings",
        "draft": draft,
        "values": values,
        "sanctions": Sanction.choices,
        "error": error,
    }
    return render(request, "workflows/findings_draft.html", context, status=400 if error else 200)
