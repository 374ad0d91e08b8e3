"""Who may act. One condition per line; each refusal is a NotAllowed naming the rule.

Roles (ORG-2) are permissions `org.<role>` held through role groups, so `user.has_perm` is the
single check (and superusers pass role checks, but never the own-case check).
"""

from django.utils.translation import gettext_lazy as _

from .errors import NotAllowed


def employee_of(user):
    """The Employee behind a user, or None (e.g. a bare superuser)."""
    try:
        return user.employee
    except Exception:  # RelatedObjectDoesNotExist, AnonymousUser
        return None


def has_role(user, role: str) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(f"org.{role}"))


def has_oversight(user) -> bool:
    """The GM office and administration see every case (and superusers, for support)."""
    if not (user and user.is_authenticated):
        return False
    return user.is_superuser or has_role(user, "gm_office") or has_role(user, "administration")


def require_authenticated_employee(actor, queryset=None):
    """The actor's Employee, or NotAllowed. `queryset`: read it with that (a row lock, joins)
    instead of `actor.employee`."""
    if queryset is None:
        employee = employee_of(actor)
    elif getattr(actor, "is_authenticated", False):
        employee = queryset.filter(user=actor).first()
    else:
        employee = None
    if employee is None:
        raise NotAllowed(_("Only employees can do this."), code="not_an_employee")
    return employee


def require_not_own(actor, case, *, rule: str) -> None:
    """Nobody reviews their own request (PROMO-4 and the security rules)."""
    if case.employee.user_id == actor.pk:
        raise NotAllowed(_("You cannot review your own request."), code="own_request", rule=rule)


def require_role(actor, role: str, *, rule: str | None = None) -> None:
    if not has_role(actor, role):
        raise NotAllowed(
            _("This step is for the %(role)s."),
            code="wrong_role",
            rule=rule,
            params={"role": _role_label(role)},
        )


def require_owner(actor, case, *, rule: str | None = None) -> None:
    if case.employee.user_id != actor.pk:
        raise NotAllowed(_("Only the applicant can do this."), code="not_applicant", rule=rule)


def _role_label(role: str):
    from org.levels import Role

    return Role(role).label
