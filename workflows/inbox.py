"""The caller's tasks across every flow: the API's `GET /inbox/` and the inbox pages (待办 assigned
to me, 待领取 queued for a role I hold, 已办 done by me).

A constant number of queries whatever the number of tasks: the caller's permissions, the tasks
with their process, then per kind of case present one query for the cases and one for their open
deadlines (by subquery: no id list, which SQLite would split when long).

Long inboxes and queues (a big department's lead, the GM office) are ordered and cut into pages
in SQL (`by_urgency_qs`, `filter_tasks`): rows are built only for the page shown, whose due times
come with the tasks (`task_rows` then reads no deadlines).
"""

import datetime as dt
import functools

from django.db.models import Count, F, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals import permissions as perms
from approvals.attendance.models import Finding
from approvals.attendance.selectors import findings_to_decide
from org.levels import ROLE_CODES, Role
from org.models import Employee

from .site import FLOWS

OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
# CASE-7: the kinds of request a reviewer may decide many at once, from the inbox.
BULK_RESOURCES = frozenset({"leaves", "shift-swaps", "punch-corrections"})


def _human():
    return Task.objects.filter(flow_task_type="HUMAN").select_related("process")


def assigned_tasks(user):
    """Open tasks in the user's own name (待办)."""
    return _human().filter(status__in=OPEN, owner=user)


# Every queue is a role's (`.Permission("org.<role>")`, approvals.routing): the caller's other
# permissions (model permissions, dozens for the GM office) queue nothing.
QUEUE_PERMISSIONS = frozenset(f"org.{role}" for role in ROLE_CODES)


def queue_permissions(user) -> list[str]:
    return sorted(QUEUE_PERMISSIONS & user.get_all_permissions())


def queued_tasks(user):
    """Unclaimed open tasks queued for a role the user holds (待领取)."""
    return _human().filter(
        status__in=OPEN, owner__isnull=True, owner_permission__in=queue_permissions(user)
    )


def done_tasks(user):
    """Tasks the user completed (已办), newest first."""
    return _human().filter(status=STATUS.DONE, owner=user)


def open_tasks_for(user):
    """Tasks assigned to the user, and unclaimed tasks queued for a role the user holds. The two
    arms are a UNION of ids, each served by its own index (workflows migration 0002): an OR
    across them made SQLite without statistics walk every open task."""
    own = Task.objects.filter(status__in=OPEN, owner=user).order_by().values("pk")
    queued = Task.objects.filter(
        status__in=OPEN, owner__isnull=True, owner_permission__in=queue_permissions(user)
    ).order_by()
    ids = own.union(queued.values("pk"), all=True)
    return _human().filter(pk__in=ids).order_by("created", "pk")


def by_urgency_qs(task_qs):
    """`task_qs` most urgent first, in SQL: by_urgency's order (due soonest, undated last, then
    oldest assigned), ties in creation order. The due time is the task row's own (`scheduled`:
    workflows.nodes keeps the step's deadline there)."""
    return task_qs.annotate(since=Coalesce("assigned", "created")).order_by(
        F("scheduled").asc(nulls_last=True), "since", "created", "pk"
    )


def _cases_where(flow_classes, **lookups) -> Q:
    """Tasks whose case (of one of `flow_classes`) matches `lookups`: one id subquery per kind."""
    condition = Q(pk__in=[])
    for flow_class in flow_classes:
        ids = flow_class.case_model._default_manager.filter(**lookups).order_by().values("pk")
        condition |= Q(process__flow_class=flow_class, process__artifact_object_id__in=ids)
    return condition


def filter_tasks(task_qs, *, kind=None, department=None, overdue=None, q=None, nodes=True):
    """filter_rows's filters in SQL: kind of case (API resource), department id, overdue only
    (the task's due time), applicant name contains `q` (case-insensitive). `nodes` False: no
    kind, no restriction to the human nodes of FLOWS (a count the index answers alone)."""
    flows = [f for f in FLOWS if not kind or f.resource == kind]
    # By the task's own node, not its process's flow class: no join to count or order by.
    if nodes or kind:
        task_qs = task_qs.filter(flow_task__in=_human_nodes(tuple(flows)))
    if department:
        task_qs = task_qs.filter(_cases_where(flows, department_id=department))
    if overdue:
        task_qs = task_qs.filter(scheduled__lt=timezone.now())
    if q and q.strip():
        task_qs = task_qs.filter(_cases_where(flows, employee__name__icontains=q.strip()))
    return task_qs


def case_path(resource: str, case_id) -> str:
    """Where every link to a case lands (inbox, mail, notices): its one page."""
    return f"/{resource}/{case_id}/"


def task_url(task) -> str:
    """A task's link is its case's page: the actions of the step are there."""
    return case_path(task.flow_task.flow_class.resource, task.process.artifact_object_id)


def task_rows(task_qs, user, *, with_deadlines: bool = True) -> list[dict]:
    """One row per task of `task_qs` whose case still exists (kind, applicant, step, due time).
    `task_qs` is a queryset, or a page of one (a list: its cases are read by id). An open
    task's due time is its row's (`scheduled`, the step's open deadline); `with_deadlines`
    False shows none (done tasks)."""
    flows = set(FLOWS)
    tasks = list(task_qs)
    flows_present = {task.process.flow_class for task in tasks} & flows
    paged = not hasattr(task_qs, "filter")

    def case_ids(flow_class):
        if paged:
            return {
                t.process.artifact_object_id for t in tasks if t.process.flow_class is flow_class
            }
        return task_qs.filter(process__flow_class=flow_class).values("process__artifact_object_id")

    cases = {
        flow_class: {
            case.pk: case
            for case in flow_class.case_model._default_manager.select_related(
                "employee", "department"
            ).filter(pk__in=case_ids(flow_class))
        }
        for flow_class in flows_present
    }
    standing_in = _principals(tasks)
    me = getattr(user, "employee", None)
    now = timezone.now()
    labels = {}  # translated level names, looked up once per call
    rows = []
    for task in tasks:
        flow_class = task.process.flow_class
        if flow_class not in flows:
            continue
        case = cases[flow_class].get(task.process.artifact_object_id)
        if case is None:
            continue
        node = task.flow_task
        due_at = task.scheduled if with_deadlines and task.status in OPEN else None
        node_actions = flow_class.node_actions.get(node.name, [])
        own = me is not None and me.pk in flow_class.instance.parties(case)
        rows.append(
            {
                "task_id": task.pk,
                "resource": flow_class.resource,
                "kind": flow_class.kind_label,
                "case_id": case.pk,
                "action": node.name,
                "step": str(node.task_title),
                "actions": node_actions,
                "title": _title(node, case, labels),
                "applicant": case.employee.name,
                "department_id": case.department_id,
                "department": case.department.name,
                "skip_level": getattr(case, "skip_level", False),
                "assigned_at": (task.assigned or task.created).isoformat(),
                "finished_at": task.finished,
                "due_at": due_at.isoformat() if due_at else None,
                "due": due_at,
                "overdue": bool(due_at and due_at < now),
                "url": case_path(flow_class.resource, case.pk),
                # LEAVE-6: whose task this is while its owner is on leave (None: the caller's).
                "acting_for": standing_in.get((task.data or {}).get("acting_for")),
                # Nobody reviews their own request: a queued task of one's own case is shown
                # (the GM office sees its whole queue) but cannot be claimed.
                "own": own,
                "claimable": task.owner_id is None and task.status == STATUS.NEW and not own,
                "bulk": flow_class.resource in BULK_RESOURCES and "approve" in node_actions,
            }
        )
    return rows


def by_urgency(rows: list[dict]) -> list[dict]:
    """Most urgent first: due soonest (undated last), then oldest."""
    return sorted(rows, key=lambda r: (r["due_at"] is None, r["due_at"] or "", r["assigned_at"]))


INBOX_KEYS = (
    "task_id",
    "resource",
    "case_id",
    "action",
    "actions",
    "title",
    "skip_level",
    "assigned_at",
    "due_at",
    "overdue",
    "url",
    "acting_for",
)


def inbox_for(user) -> list[dict]:
    """The caller's open tasks (own and queued), most urgent first: all of them."""
    rows = by_urgency(task_rows(open_tasks_for(user), user))
    return [{k: row[k] for k in INBOX_KEYS} for row in rows]


def inbox_page(user, *, page: int, page_size: int, **filters) -> tuple[list[dict], int]:
    """API `GET /inbox/?page=&page_size=`: one page of the caller's open tasks and of the
    attendance findings waiting for their decision (ATT-3), most urgent first, and how many
    there are; `filters` are filter_tasks's (`kind=findings`: the findings only)."""
    own, _queued, pieces = _open_arms(user)
    tasks = Merged(list(_counted_arms(user)), [own, *pieces], **filters)
    start, stop = (page - 1) * page_size, page * page_size
    findings = findings_waiting(user, **filters)
    # The findings' first `stop` keys; counted only when there may be more than that.
    finding_keys = (
        list(
            findings.order_by("due_at", "found_at", "pk").values_list("due_at", "found_at", "pk")[
                :stop
            ]
        )
        if findings is not None
        else []
    )
    found = len(finding_keys)
    if found == stop:
        found = findings.count()
    total = tasks.count() + found
    if start >= total:
        return [], total
    keys = [(*k, "task") for k in tasks.keys(stop)]
    keys += [(due, since, since, pk, "finding") for due, since, pk in finding_keys]
    keys.sort(key=_urgency)
    window = keys[start:stop]
    task_ids = [k[3] for k in window if k[4] == "task"]
    by_task = {r["task_id"]: r for r in task_rows(tasks.by_id(task_ids), user)} if task_ids else {}
    finding_ids = [k[3] for k in window if k[4] == "finding"]
    by_finding = {r["case_id"]: r for r in finding_rows(finding_ids, user)} if finding_ids else {}
    rows = []
    for key in window:
        row = (by_task if key[4] == "task" else by_finding).get(key[3])
        if row is not None:
            rows.append({k: row[k] for k in INBOX_KEYS})
    return rows, total


# --- attendance findings in the inbox (ATT-3) ---------------------------------------------------

FINDINGS = "findings"  # their resource in the inbox (the API's /findings/<id>/confirm|dismiss/)


def findings_waiting(user, *, kind=None, department=None, overdue=None, q=None):
    """The proposed findings the caller decides (approvals.attendance.selectors), filtered as
    filter_tasks filters tasks; None when `kind` names a kind of case."""
    if kind and kind != FINDINGS:
        return None
    qs = findings_to_decide(user)
    if department:
        qs = qs.filter(department_id=department)
    if overdue:
        qs = qs.filter(due_at__lt=timezone.now())
    if q and q.strip():
        qs = qs.filter(employee__name__icontains=q.strip())
    return qs


def finding_rows(ids, user) -> list[dict]:
    """Inbox rows of the findings `ids`: what was found, whose shift, due when; the row links to
    the findings page of its department and month, where it is confirmed or dismissed. A
    delegate's row names the lead on leave they decide for (LEAVE-6)."""
    now = timezone.now()
    rows = []
    findings = Finding.objects.filter(pk__in=list(ids)).select_related(
        "employee", "department__lead", "shift"
    )
    me = getattr(user, "employee", None)
    # The GM office decides as itself; anyone else who is not the lead decides for the lead.
    for_lead = me is not None and not perms.has_role(user, Role.GM_OFFICE)
    for f in findings:
        start = timezone.localtime(f.shift.start)
        params = {
            "finding": f.get_kind_display(),
            "name": f.employee.name,
            "shift": f"{start:%m-%d %H:%M}",
        }
        if f.minutes:
            title = _("%(finding)s, %(minutes)s min: %(name)s, shift of %(shift)s") % {
                **params,
                "minutes": f.minutes,
            }
        else:
            title = _("%(finding)s: %(name)s, shift of %(shift)s") % params
        lead = f.department.lead
        stand_in = for_lead and lead is not None and lead.pk not in (me.pk, f.employee_id)
        rows.append(
            {
                "task_id": None,
                "resource": FINDINGS,
                "case_id": f.pk,
                "action": "confirm",
                "actions": ["confirm", "dismiss"],
                "title": title,
                "skip_level": False,
                "assigned_at": f.found_at.isoformat(),
                "due_at": f.due_at.isoformat(),
                "overdue": f.due_at < now,
                "url": f"/findings/?department={f.department_id}&month={start:%Y-%m}&state=proposed#finding-{f.pk}",
                "acting_for": lead.name if stand_in else None,
            }
        )
    return rows


def findings_by_department(user) -> list[dict]:
    """The 待办 page's block of findings to decide: per department, how many and the soonest
    due time (one query)."""
    rows = (
        findings_waiting(user)
        .order_by()
        .values("department_id", "department__name")
        .annotate(count=Count("pk"), due=Min("due_at"), first_shift=Min("shift__start"))
        .order_by("due", "department__name")
    )
    now = timezone.now()
    return [
        {
            "department": r["department__name"],
            "count": r["count"],
            "due": r["due"],
            "overdue": r["due"] < now,
            "url": f"/findings/?department={r['department_id']}&month={timezone.localtime(r['first_shift']):%Y-%m}&state=proposed",
        }
        for r in rows
    ]


def own_tasks(user, **filters) -> "Merged":
    """The 待办 page's tasks (assigned_tasks, most urgent first), for its Paginator: read in the
    order of the caller's own-task index, where one ORDER BY over the join to the processes
    walked the due-time index through every open task (a big department's lead at 100,000)."""
    own_count, _queued_count = _counted_arms(user)
    return Merged([own_count], [assigned_tasks(user)], **filters)


def queue_tasks(user, **filters) -> "Merged":
    """The 待领取 page's tasks (queued_tasks, most urgent first), for its Paginator."""
    _own, _queued, pieces = _open_arms(user)
    return Merged([_counted_arms(user)[1]], pieces, **filters)


class Merged:
    """Open tasks most urgent first (by_urgency_qs's order) as a sequence a Paginator can page:
    counted by `counted` (querysets), ordered in `pieces` that an index holds in that order
    (workflows migration 0005: the caller's own tasks; each role queue one status at a time).
    A slice reads each piece's first `stop` keys only and cuts the slice from their merge: the
    GM office's queue holds a tenth of all tasks, and ordered as one query it was sorted whole
    for every page (benchmarks/inbox.py, 100,000 tasks)."""

    def __init__(self, counted, pieces, **filters):
        self.counted = [filter_tasks(qs, nodes=False, **filters) for qs in counted]
        self.pieces = [filter_tasks(qs, **filters) for qs in pieces]
        self._count = None

    def count(self, cap: int | None = None) -> int:
        """How many; with `cap`, counted no further than cap + 1 per arm (a page's total)."""
        if self._count is None:
            if cap is None:
                self._count = sum(qs.count() for qs in self.counted)
            else:
                self._count = min(
                    sum(qs.order_by()[: cap + 1].count() for qs in self.counted), cap + 1
                )
        return self._count

    def __len__(self) -> int:
        return self.count()

    def keys(self, stop: int) -> list[tuple]:
        """The first `stop` tasks' order keys (due, since, created, id), most urgent first."""
        keys = []
        for piece in self.pieces:
            keys += by_urgency_qs(piece)[:stop].values_list("scheduled", "since", "created", "pk")
        keys.sort(key=_urgency)
        return keys[:stop]

    @staticmethod
    def by_id(ids: list) -> list:
        """The tasks `ids`, in that order (those that still exist)."""
        found = {task.pk: task for task in _human().filter(pk__in=ids)} if ids else {}
        return [found[pk] for pk in ids if pk in found]

    def __getitem__(self, window: slice) -> list:
        start, stop = window.start or 0, window.stop
        return self.by_id([k[3] for k in self.keys(stop)[start:stop]])


_UNDATED = dt.datetime.min.replace(tzinfo=dt.UTC)  # sorts the undated (last) among themselves


def _urgency(key: tuple) -> tuple:
    """by_urgency_qs's order over keys (due, since, created, id[, kind]): undated last."""
    return (key[0] is None, key[0] or _UNDATED, *key[1:])


def _open_arms(user) -> tuple:
    """The caller's own open tasks, their role queues, and those queues in the pieces the queue
    index holds in order: one (role permission, status) each."""
    pieces = [
        _human().filter(owner__isnull=True, status=status, owner_permission=role)
        for role in queue_permissions(user)
        for status in OPEN
    ]
    return assigned_tasks(user), queued_tasks(user), pieces


def _counted_arms(user) -> tuple:
    """The caller's own open tasks and their role queues, to count: only human tasks have an
    owner or a queue, so without the task type and node conditions, which no index holds, the
    owner index and the queue index (a partial one, owner_id IS NULL) answer a count alone: the
    GM office's queue, a tenth of all tasks, was counted row by row (benchmarks/inbox.py,
    SQLite at 100,000 tasks: 17 ms)."""
    own = Task.objects.filter(status__in=OPEN, owner=user)
    queued = Task.objects.filter(
        status__in=OPEN, owner__isnull=True, owner_permission__in=queue_permissions(user)
    )
    return own, queued


@functools.cache
def _human_nodes(flows: tuple) -> tuple:
    return tuple(n for f in flows for n in f.instance.nodes() if n.task_type == "HUMAN")


def filter_rows(rows, *, kind=None, department=None, overdue=None, q=None) -> list[dict]:
    """The inbox pages' filters: kind of case (API resource), department id, overdue only,
    applicant name contains `q` (case-insensitive)."""
    if kind:
        rows = [r for r in rows if r["resource"] == kind]
    if department:
        rows = [r for r in rows if str(r["department_id"]) == str(department)]
    if overdue:
        rows = [r for r in rows if r["overdue"]]
    if q:
        needle = q.strip().casefold()
        rows = [r for r in rows if needle in r["applicant"].casefold()]
    return rows


def _principals(tasks) -> dict:
    """User id -> name of the people whose tasks the caller holds as their delegate (one query,
    none when there are none)."""
    user_ids = {(task.data or {}).get("acting_for") for task in tasks} - {None}
    if not user_ids:
        return {}
    return dict(Employee.objects.filter(user_id__in=user_ids).values_list("user_id", "name"))


def _title(node, case, labels: dict) -> str:
    target = getattr(case, "target_level", None)
    if target is None:
        return f"{node.task_title}: {case.employee.name}"
    if target not in labels:
        labels[target] = str(case.get_target_level_display())
    skip = _("skip-level")
    marker = f" [{skip}]" if case.skip_level else ""
    return f"{node.task_title}: {case.employee.name} → {labels[target]}{marker}"


def task_row(user, task_id) -> dict | None:
    """The caller's inbox row of one open task (as inbox_for shows it), or None."""
    tasks = list(by_urgency_qs(open_tasks_for(user).filter(pk=task_id)))
    rows = task_rows(tasks, user)
    return {k: rows[0][k] for k in INBOX_KEYS} if rows else None
