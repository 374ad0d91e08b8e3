"""Reads shared by every process."""

from django.db.models import Q

from audit.models import BALLOT_ACTIONS, AuditEvent

from .access import CaseAccess
from .deadlines import Deadline
from .delegation import principals_of
from .history import case_type_of


def scoped(qs, user, involved):
    """The cases of `qs` a user may see: everything for the oversight roles (GM office,
    administration), nothing for anyone without an employee record, otherwise the cases
    `involved(employee)` (a Q) selects."""
    from . import permissions as perms

    if not user.is_authenticated:
        return qs.none()
    if perms.has_oversight(user):
        return qs
    employee = perms.employee_of(user)
    if employee is None:
        return qs.none()
    condition = involved(employee)
    # LEAVE-6: a delegate sees what the people they stand in for see, while the leave runs.
    for principal in principals_of(employee):
        condition |= involved(principal)
    # CASE-2/CASE-4: a consultee or a copied-in colleague reads that one case (reading only).
    condition |= Q(
        pk__in=CaseAccess.objects.filter(
            case_type=qs.model._meta.model_name, employee=employee
        ).values("case_id")
    )
    return qs.filter(pk__in=ids_of_any(qs.model, condition))


def _arms(condition: Q) -> list:
    """The alternatives of an OR (flattened), or the condition itself."""
    if condition.connector != Q.OR or condition.negated:
        return [condition]
    arms = []
    for child in condition.children:
        arms.extend(_arms(child) if isinstance(child, Q) else [Q(child)])
    return arms


def ids_of_any(model, condition: Q):
    """The ids of `model` rows matching any arm of `condition`, as a UNION ALL of one id query
    per arm: each arm uses its own index, where one OR across joined tables read every row
    (and needed a DISTINCT for the joins; benchmarks/inbox.py, 100,000 cases)."""
    queries = [
        model._default_manager.filter(arm).order_by().values("pk") for arm in _arms(condition)
    ]
    return queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]


def allowed(check, *args) -> bool:
    """Would `check` (a service's who-may-act check) let this through? For `available_actions`."""
    from .errors import DomainError

    try:
        check(*args)
    except DomainError:
        return False
    return True


def without_comments(events: list[dict]) -> list[dict]:
    """A timeline for a reader who may see that steps happened but not what was written at
    them (a department voter, PROMO-3.2)."""
    return [{**e, "comment": ""} for e in events]


def timeline(case) -> list[dict]:
    """The case's history from the audit log, oldest first (API.md `timeline`)."""
    return timelines_for([case]).get(case.pk, [])


def timelines_for(cases) -> dict[int, list[dict]]:
    """Timelines of many cases of one type in one query (lists stay O(1) in queries)."""
    cases = list(cases)
    if not cases:
        return {}
    events = (
        AuditEvent.objects.filter(
            case_type=case_type_of(cases[0]), case_id__in=[c.pk for c in cases]
        )
        # PROMO-3.2: ballots are not logged any more; a log written before that may still hold
        # per-ballot events naming their voter, and no timeline shows them.
        .exclude(action__in=BALLOT_ACTIONS)
        .select_related("actor__employee", "on_behalf_of__employee")
        .order_by("pk")
    )
    result: dict[int, list[dict]] = {c.pk: [] for c in cases}
    for e in events:
        result[e.case_id].append(_event(e))
    return result


def _event(e) -> dict:
    return {
        "at": e.at,
        "actor": display_name(e.actor),
        "on_behalf_of": display_name(e.on_behalf_of),
        "action": e.action,
        "from_state": e.from_state,
        "to_state": e.to_state,
        "comment": e.comment,
        "rules": e.rules,
    }


def display_name(user) -> str | None:
    """How a person is named to others: their employee name, or the login of a user without an
    employee record (a superuser); None for nobody."""
    if user is None:
        return None
    employee = getattr(user, "employee", None)
    return employee.name if employee is not None else user.get_username()


def deadlines_for(cases) -> dict[int, list[dict]]:
    """Deadlines of many cases of one type in one query (API.md `deadlines`)."""
    cases = list(cases)
    if not cases:
        return {}
    result: dict[int, list[dict]] = {c.pk: [] for c in cases}
    rows = Deadline.objects.filter(
        case_type=case_type_of(cases[0]), case_id__in=[c.pk for c in cases]
    )
    for d in rows.order_by("pk"):
        result[d.case_id].append(
            {"name": d.name, "due_at": d.due_at, "met_at": d.met_at, "provisional": d.provisional}
        )
    return result
