"""The list pages: 待办 inbox, 待领取 queue (claim in place), 已办 done, 我发起的 my requests,
抄送我的 copied to me; bulk decisions from the inbox (CASE-7); the redirect of a task link to
its case page. Thin: selectors for reading, casework services for acting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from viewflow.workflow.models import Task

from approvals import delegation
from approvals import permissions as perms
from approvals.errors import DomainError
from notifications.context_processors import capped_count
from org.levels import Role
from org.models import Department

from . import inbox, mine
from .site import FLOWS

PAGE_SIZE = 25
# A list's total is counted no further than this (then "more than 1,000: filter to narrow"):
# the count is the one part of a page that grows with the box, and nobody pages to the 41st.
TOTAL_CAP = 1000

# The boxes of tasks are querysets, filtered, ordered and cut into pages in SQL (rows are built
# for the page shown only); the others are lists of rows, filtered in Python.
TASK_BOXES = {
    "inbox": (
        gettext_lazy("To do"),
        inbox.own_tasks,
    ),
    "queue": (
        gettext_lazy("To claim"),
        inbox.queue_tasks,
    ),
    "done": (
        gettext_lazy("Done"),
        lambda user: inbox.done_tasks(user).order_by("-finished", "-pk"),
    ),
}
ROW_BOXES = {
    "mine": (gettext_lazy("My requests"), mine.my_requests),
    "copied": (gettext_lazy("Copied to me"), mine.copied_to),
}
BOXES = {**TASK_BOXES, **ROW_BOXES}


class _Capped:
    """A box's tasks for the Paginator, counted no further than TOTAL_CAP + 1."""

    def __init__(self, tasks):
        self.tasks = tasks

    def count(self) -> int:
        if isinstance(self.tasks, inbox.Merged):
            return self.tasks.count(cap=TOTAL_CAP)
        return capped_count(self.tasks, TOTAL_CAP)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window):
        return self.tasks[window]


def nav_counts(request) -> dict:
    """Context processor: the header's counts of 待办 (tasks and findings to decide) and 待领取
    (COUNT queries, each stopping at the badge's cap)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_counts": {
            "inbox": capped_count(inbox.assigned_tasks(user)) + _findings_count(user),
            "queue": capped_count(inbox.queued_tasks(user)),
        }
    }


def _findings_count(user) -> int:
    """The attendance findings waiting for the user's decision (ATT-3), counted with the tasks
    of 待办; no query for whoever decides none (neither a lead, nor the GM office, nor anyone's
    delegate while nobody is away: the permissions and the cached table of delegated leaves)."""
    if not (
        perms.has_role(user, Role.DEPARTMENT_LEAD)
        or perms.has_role(user, Role.GM_OFFICE)
        or delegation.anyone_away()
    ):
        return 0
    return capped_count(inbox.findings_waiting(user))


def _filters(request) -> dict:
    get = request.GET
    return {
        "kind": get.get("kind", ""),
        "department": get.get("department", "") if get.get("department", "").isdigit() else "",
        "overdue": get.get("overdue") == "1",
        "q": get.get("q", "")[:100],
    }


def _page_number(request) -> int:
    value = request.GET.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 100000 else 1


def _box(request, name):
    filters = _filters(request)
    if name in TASK_BOXES:
        title, tasks_for = TASK_BOXES[name]
        if name in ("inbox", "queue"):  # ordered in pieces by an index (inbox.Merged)
            tasks = tasks_for(request.user, **filters)
        elif name == "done" and filters["overdue"]:
            tasks = tasks_for(request.user).none()  # a done task has no open deadline
        else:
            tasks = inbox.filter_tasks(tasks_for(request.user), **filters)
        paginator = Paginator(_Capped(tasks), PAGE_SIZE)
        page = paginator.get_page(_page_number(request))
        rows = inbox.task_rows(list(page.object_list), request.user, with_deadlines=name != "done")
    else:
        title, rows_for = ROW_BOXES[name]
        paginator = Paginator(inbox.filter_rows(rows_for(request.user), **filters), PAGE_SIZE)
        page = paginator.get_page(_page_number(request))
        rows = page.object_list
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "box": name,
        "box_title": title,
        "page": page,
        "rows": rows,
        "total": paginator.count,
        "total_cap": TOTAL_CAP,
        "filters": filters,
        "query": query.urlencode(),
        "kinds": [(f.resource, f.kind_label) for f in FLOWS],
        "departments": Department.objects.order_by("name").values_list("pk", "name"),
        "bulk": name == "inbox" and any(r.get("bulk") for r in rows),
        # ATT-3: the attendance findings waiting for the caller, per department (first page).
        "findings_groups": (
            inbox.findings_by_department(request.user)
            if name == "inbox" and page.number == 1
            else []
        ),
    }
    return render(request, "workflows/box.html", context)


@login_required
def box_page(request, box: str):
    """One of the five lists (BOXES); the URL names the box."""
    return _box(request, box)


def _back(request, default: str) -> str:
    """The list to return to (only a path on this site)."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return default


@login_required
@require_POST
def claim(request, task_id):
    """Claim a queued task in place; the row then links to its case page."""
    from casework.services import task_claim

    task = Task.objects.select_related("process").filter(pk=task_id).first()
    if task is None:
        raise Http404
    try:
        task_claim(task=task, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return HttpResponseRedirect(_back(request, reverse("queue")))
    messages.success(request, _("The task is yours now; it is in your to-do list."))
    case = inbox.task_url(task)
    return HttpResponseRedirect(case if request.POST.get("open") else _back(request, case))


@login_required
@require_POST
def bulk_decide_page(request):
    """CASE-7 from the inbox: the ticked leave, make-up and swap requests, each through its own
    service; the page lists what happened to each."""
    from casework.services import bulk_decide

    name = request.POST.get("decision", "")
    if name not in ("approve", "reject"):
        messages.error(request, _("Choose approve or reject."))
        return HttpResponseRedirect(reverse("inbox"))
    picked = request.POST.getlist("case")  # "<resource>:<id>"
    by_resource: dict[str, list] = {}
    for item in picked:
        resource, _sep, pk = item.partition(":")
        if resource in inbox.BULK_RESOURCES and pk.isdigit():
            by_resource.setdefault(resource, []).append(int(pk))
    if not by_resource:
        messages.error(request, _("Tick at least one request."))
        return HttpResponseRedirect(reverse("inbox"))
    text = request.POST.get("text", "")
    results = []
    for flow_class in FLOWS:
        ids = by_resource.get(flow_class.resource)
        if not ids:
            continue
        payload = {"comment": text} if name == "approve" else {"reason": text}
        states = dict(flow_class.case_model._meta.get_field("state").choices)
        for result in bulk_decide(
            flow_class=flow_class, ids=ids, name=name, actor=request.user, payload=payload
        ):
            results.append(
                {
                    **result,
                    "kind": flow_class.kind_label,
                    "resource": flow_class.resource,
                    "state_display": states.get(result.get("state"), ""),
                }
            )
    done = sum(1 for r in results if r["ok"])
    return render(
        request,
        "workflows/bulk_result.html",
        {"results": results, "done": done, "refused": len(results) - done, "decision": name},
    )


@login_required
@require_GET
def task_page(request, task_id):
    """A task's link (an old mail, a bookmark): its case page, open or finished alike."""
    task = Task.objects.select_related("process").filter(pk=task_id).first()
    if task is None or task.process.flow_class not in FLOWS:
        raise Http404
    return HttpResponseRedirect(inbox.task_url(task))


@login_required
@require_GET
def legacy_task_page(request, task_id, **kwargs):
    """Links of the retired engine console (`/workflow/flows/<flow>/<process>/<node>/<task>/`)
    still lead to the case page, never to an engine page or an error."""
    return task_page(request, task_id)
