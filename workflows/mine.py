"""The case lists that are not task lists: 我发起的 (the requests I started, every kind, with
their state and who holds them now) and 抄送我的 (cases copied to me, CASE-4).

Constant queries for any number of cases: one per kind of case, one for their processes, one for
the open tasks with their holders.
"""

from django.db.models import Q
from viewflow.workflow.models import Process, Task

from approvals import permissions as perms
from approvals.selectors import display_name
from org.levels import Role

from .inbox import OPEN, case_path
from .site import FLOWS

# The field holding when each kind of case started.
_STARTED = {
    "promotions": "submitted_at",
    "leaves": "submitted_at",
    "shift-swaps": "submitted_at",
    "punch-corrections": "submitted_at",
    "penalties": "served_at",
    "probations": "opened_at",
}


def _started_by(flow_class, employee) -> Q:
    """The cases `employee` started: their own requests; for penalties, the slips they issued
    (a slip is served on the employee, who did not ask for it); their own probation."""
    if flow_class.resource == "penalties":
        return Q(issuer=employee)
    return Q(employee=employee)


def _holders(cases_by_flow: dict) -> dict:
    """(flow, case id) -> names of who holds its open steps now (a person, or a role's queue)."""
    condition = Q(pk__in=[])
    for flow_class, cases in cases_by_flow.items():
        if cases:
            condition |= Q(flow_class=flow_class, artifact_object_id__in=[c.pk for c in cases])
    process_case = {
        pk: (flow_class, case_id)
        for pk, flow_class, case_id in Process.objects.filter(condition).values_list(
            "pk", "flow_class", "artifact_object_id"
        )
    }
    result: dict = {}
    if not process_case:
        return result
    tasks = (
        Task.objects.filter(
            process_id__in=list(process_case), status__in=OPEN, flow_task_type="HUMAN"
        )
        .select_related("owner__employee")
        .order_by("pk")
    )
    for task in tasks:
        result.setdefault(process_case[task.process_id], []).append(holder_label(task))
    return result


def holder_label(task) -> str:
    """Who holds a task: its owner's name, or the role whose queue it waits in."""
    if task.owner_id:
        return display_name(task.owner)
    if task.owner_permission:
        code = task.owner_permission.split(".", 1)[1]
        try:
            return str(Role(code).label)
        except ValueError:
            return code
    return ""


def _rows(cases_by_flow: dict, extra: dict | None = None) -> list[dict]:
    holders = _holders(cases_by_flow)
    rows = []
    for flow_class, cases in cases_by_flow.items():
        for case in cases:
            key = (flow_class, case.pk)
            rows.append(
                {
                    "resource": flow_class.resource,
                    "kind": flow_class.kind_label,
                    "case_id": case.pk,
                    "applicant": case.employee.name,
                    "department_id": case.department_id,
                    "department": case.department.name,
                    "state": case.get_state_display(),
                    "started": getattr(case, _STARTED[flow_class.resource]),
                    "holders": holders.get(key, []),
                    "url": case_path(flow_class.resource, case.pk),
                    **(extra or {}).get(key, {}),
                }
            )
    return rows


def my_requests(user) -> list[dict]:
    """Every case the user started, newest first, with its state and its holders now."""
    employee = perms.employee_of(user)
    if employee is None:
        return []
    cases_by_flow = {
        flow_class: list(
            flow_class.case_model._default_manager.select_related("employee", "department").filter(
                _started_by(flow_class, employee)
            )
        )
        for flow_class in FLOWS
    }
    return sorted(_rows(cases_by_flow), key=lambda r: r["started"], reverse=True)


def copied_to(user) -> list[dict]:
    """CASE-4: the cases copied to the user, most recently copied first, with who copied them."""
    from casework.selectors import cc_cases_for

    wanted: dict[str, dict] = {}
    for grant in cc_cases_for(user):
        wanted.setdefault(grant["case_type"], {}).setdefault(grant["case_id"], grant)
    cases_by_flow, extra = {}, {}
    for flow_class in FLOWS:
        grants = wanted.get(flow_class.case_model._meta.model_name)
        if not grants:
            continue
        cases = list(
            flow_class.case_model._default_manager.select_related("employee", "department").filter(
                pk__in=list(grants)
            )
        )
        cases_by_flow[flow_class] = cases
        for case in cases:
            grant = grants[case.pk]
            extra[(flow_class, case.pk)] = {"copied_at": grant["at"], "copied_by": grant["by"]}
    return sorted(_rows(cases_by_flow, extra), key=lambda r: r["copied_at"], reverse=True)
