"""Reads about the organisation: who an employee's lead is, who holds a role (ORG-2)."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from policy.tables import CachedTable

from .levels import ROLE_CODES
from .models import Employee


def employee_for(user) -> Employee | None:
    """The Employee behind a user; None for anonymous users and bare accounts (e.g. a superuser
    created with createsuperuser)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.employee
    except Employee.DoesNotExist:
        return None


def department_lead_of(employee: Employee) -> Employee | None:
    """The lead of the employee's department, or None when the department has no lead or the
    employee *is* the lead: nobody reviews themselves, and a lead's own requests go to the GM
    office (PROMO-4, LEAVE-1)."""
    lead_id = employee.department.lead_id
    if lead_id is None or lead_id == employee.pk:
        return None
    return employee.department.lead


def users_with_role(code: str) -> QuerySet:
    """Active users holding the role `code` through its group (superusers are not implied)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=code)
        .distinct()
        .order_by("username")
    )


def _load_role_holders() -> dict[str, frozenset[int]]:
    memberships = (
        get_user_model()
        .groups.through.objects.filter(user__is_active=True, group__name__in=ROLE_CODES)
        .values_list("group__name", "user_id")
    )
    table: dict[str, set[int]] = {}
    for role, user_id in memberships:
        table.setdefault(role, set()).add(user_id)
    return {role: frozenset(ids) for role, ids in table.items()}


# Who holds each role (a few dozen people): the routing asks at every step queued to a role.
# Dropped on every change of a membership, a user or a group (org.signals).
ROLE_HOLDERS = CachedTable("org:role-holders", _load_role_holders)


def role_holder_ids(code: str) -> frozenset[int]:
    """Ids of the active users holding role `code`, as `users_with_role(code)` (from the cache)."""
    return ROLE_HOLDERS.get().get(code, frozenset())
