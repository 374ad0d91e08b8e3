"""The ledger's pages (SCORE-9, SCORE-10): thin over the services the API calls too.

- `/ledger/?month=YYYY-MM` (trainers, department leads; administration and the GM office read
  it): the people of the month with their running score and events, and the form that records
  an event (performance.ledger.ledger_record) about the people the caller records (SCORE-9).
- `/ledger/me/?month=YYYY-MM` (everyone): one's own month, event by event, the score after
  each, the grade and tier it gives, and whether the month is closed.
- `/months/` (administration): the months with their state, the close (with a confirm step,
  performance.ledger_close.month_close) and the adjustment of a closed month
  (performance.ledger.ledger_adjust).

A refusal is shown on the form with its rule and figures, what was typed kept, nothing saved.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from approvals import permissions as perms
from approvals.db import whole_transaction
from approvals.errors import DomainError
from approvals.inputs import whole_number
from org.levels import Role
from org.models import Department, Employee
from performance import ledger_selectors as sel
from performance.ledger import ledger_adjust, ledger_record
from performance.ledger_close import month_close


def _month_param(request) -> tuple[dt.date, str | None]:
    """The month the query names, or the current month and the refusal to show."""
    try:
        return sel.month_of(request.GET.get("month")), None
    except DomainError as exc:
        return timezone.localdate().replace(day=1), exc.detail


def _neighbours(month: dt.date) -> dict:
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    current = timezone.localdate().replace(day=1)
    return {
        "month_label": month.strftime("%Y-%m"),
        "previous_month": previous.strftime("%Y-%m"),
        "next_month": following.strftime("%Y-%m") if following <= current else None,
    }


def _keeps_a_ledger(user) -> bool:
    return (
        perms.has_oversight(user)
        or perms.has_role(user, Role.TRAINER)
        or perms.has_role(user, Role.DEPARTMENT_LEAD)
    )


def home_context(employee) -> dict:
    """The home page's ledger block: this month's running (or closed) score."""
    month = timezone.localdate().replace(day=1)
    person = Employee.objects.select_related("department").get(pk=employee.pk)
    return {"ledger_now": sel.person_months([person], month)[0]}


# --- /ledger/ -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def ledger_page(request):
    """SCORE-9: the month's ledger of the caller's people and the form recording an event."""
    if not _keeps_a_ledger(request.user):
        return HttpResponseRedirect(reverse("ledger_me"))
    if request.method == "POST":
        return _record(request)
    month, error = _month_param(request)
    return _ledger_render(request, month, error=error, status=400 if error else 200)


def _department_param(request):
    value = request.GET.get("department")
    if not value:
        return None
    try:
        return sel.id_of(value, field="department")
    except DomainError:
        return None


PAGE_SIZE = 200  # a department fits in one page; administration pages through the company
PAGE_MAX = 100_000


def _page_param(request) -> int:
    try:
        return whole_number(request.GET.get("page"), field="page", default=1, limit=PAGE_MAX)
    except DomainError:
        return 1


def _ledger_render(request, month, *, error=None, error_field=None, data=None, status=200):
    department = _department_param(request)
    people = sel.ledger_people_for(request.user, department=department)
    page = _page_param(request)
    # The page's ids first, then its people by id (as api.lists.page_of): one more row read
    # says whether there is a next page.
    start = (page - 1) * PAGE_SIZE
    ids = list(people.values_list("pk", flat=True)[start : start + PAGE_SIZE + 1])
    more, ids = len(ids) > PAGE_SIZE, ids[:PAGE_SIZE]
    rows = sel.person_months(people.filter(pk__in=ids), month, user=request.user) if ids else []
    catalogue = [entry for entry in sel.catalogue_of(month) if entry["recordable"]]
    context = {
        "month": month,
        **_neighbours(month),
        "rows": rows,
        "recordable": [row for row in rows if row.may_record],
        "catalogue": catalogue,
        "departments": Department.objects.order_by("name")
        if perms.has_oversight(request.user)
        else None,
        "department": department,
        "page": page,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if more else None,
        "error": error,
        "error_field": error_field,
        "data": data or {},
    }
    return render(request, "workflows/ledger.html", context, status=status)


def _record(request):
    post = request.POST
    try:
        month = sel.month_of(post.get("month"), default_current=False)
    except DomainError as exc:
        month, _error = _month_param(request)
        return _ledger_render(
            request, month, error=exc.detail, error_field="month", data=post, status=400
        )
    try:
        with whole_transaction():
            employee = sel.nameable_employee(request.user, post.get("employee"))
            event, running = ledger_record(
                actor=request.user,
                employee=employee,
                month=month,
                code=sel.text_of(post.get("code"), field="code").strip(),
                points=sel.points_of(post.get("points")),
                note=sel.text_of(post.get("note"), field="note"),
                evidence=sel.text_of(post.get("evidence"), field="evidence"),
            )
    except DomainError as exc:
        sel.with_labels(exc, month)
        return _ledger_render(
            request, month, error=exc.detail, error_field=exc.field, data=post, status=400
        )
    messages.success(
        request,
        _("Recorded for %(name)s: %(points)s. Running score of %(month)s: %(score)s.")
        % {
            "name": employee.name,
            "points": f"{event.points:+}",
            "month": month.strftime("%Y-%m"),
            "score": running.score,
        },
    )
    return HttpResponseRedirect(f"{reverse('ledger')}?month={month:%Y-%m}")


# --- /ledger/me/ --------------------------------------------------------------------------------


@login_required
def ledger_me_page(request):
    """SCORE-9/10: the caller's own month, event by event."""
    month, error = _month_param(request)
    mine = sel.own_month(request.user, month)
    if mine is None:
        raise Http404
    context = {
        "month": month,
        **_neighbours(month),
        "mine": mine,
        "closes_on": sel._month_policy(month).month_close_on(month),
        "error": error,
    }
    return render(request, "workflows/ledger_me.html", context, status=400 if error else 200)


# --- /months/ -----------------------------------------------------------------------------------


def _administration(user) -> bool:
    return user.is_superuser or perms.has_role(user, Role.ADMINISTRATION)


SELECT_MAX = 500


def _months_render(
    request, *, error=None, error_form=None, error_field=None, data=None, status=200
):
    months = sel.month_states(sel.recent_months())
    department = _department_param(request)
    people = Employee.objects.select_related("department").order_by("department__name", "name")
    if department is not None:
        people = people.filter(department_id=department)
    # A list to pick from up to SELECT_MAX people; beyond, the id (or a department first).
    people = list(people[: SELECT_MAX + 1])
    context = {
        "months": months,
        "closed_months": [m for m in months if m["closed"]],
        "employees": people if len(people) <= SELECT_MAX else None,
        "departments": Department.objects.order_by("name"),
        "department": department,
        "error": error,
        "error_form": error_form,
        "error_field": error_field,
        "data": data or {},
    }
    return render(request, "workflows/ledger_months.html", context, status=status)


@login_required
def months_page(request):
    """SCORE-10: the months, their close and their adjustments (administration)."""
    if not _administration(request.user):
        raise Http404
    return _months_render(request)


@login_required
@require_http_methods(["GET", "POST"])
def month_close_page(request, month):
    """SCORE-10: confirm, then close the month (of one department, if named)."""
    if not _administration(request.user):
        raise Http404
    try:
        first = sel.month_of(month, default_current=False)
    except DomainError as exc:
        return _months_render(request, error=exc.detail, error_form="close", status=400)
    context = {
        "month": first,
        "month_label": first.strftime("%Y-%m"),
        "departments": Department.objects.order_by("name"),
        "state": sel.month_states([first])[0],
        "data": request.POST,
    }
    if request.method == "GET":
        return render(request, "workflows/ledger_close.html", context)
    try:
        department = request.POST.get("department")
        department = sel.department_of(department) if department else None
        report = month_close(actor=request.user, month=first, department=department)
    except DomainError as exc:
        context.update({"error": exc.detail, "error_field": exc.field})
        return render(request, "workflows/ledger_close.html", context, status=400)
    messages.success(
        request,
        _(
            "%(month)s closed: %(computed)s scores computed, %(kept)s imported scores kept, "
            "%(already)s closed before."
        )
        % {
            "month": first.strftime("%Y-%m"),
            "computed": report.computed,
            "kept": report.kept,
            "already": report.already,
        },
    )
    return HttpResponseRedirect(reverse("months"))


@login_required
@require_http_methods(["POST"])
def month_adjust_page(request):
    """SCORE-10: correct a closed month (the form's `month`) of one employee, with a reason."""
    if not _administration(request.user):
        raise Http404
    post = request.POST
    first = None
    try:
        first = sel.month_of(post.get("month"), default_current=False)
        with whole_transaction():
            employee = sel.nameable_employee(request.user, post.get("employee"))
            adjustment = ledger_adjust(
                actor=request.user,
                employee=employee,
                month=first,
                points=sel.points_of(post.get("points")),
                reason=sel.text_of(post.get("reason"), field="reason"),
            )
    except DomainError as exc:
        if first is not None:
            sel.with_labels(exc, first)
        return _months_render(
            request,
            error=exc.detail,
            error_form="adjust",
            error_field=exc.field,
            data=post,
            status=400,
        )
    messages.success(
        request,
        _("%(month)s of %(name)s adjusted: %(before)s → %(after)s (grade %(grade)s).")
        % {
            "month": first.strftime("%Y-%m"),
            "name": employee.name,
            "before": adjustment.before["score"],
            "after": adjustment.after["score"],
            "grade": adjustment.after["grade"],
        },
    )
    return HttpResponseRedirect(reverse("months"))
