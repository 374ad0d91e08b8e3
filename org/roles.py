"""Role groups (ORG-2): one auth Group per role, holding the permission `org.<role>`, so role
checks (`user.has_perm`) and viewflow's `.Permission("org.<role>")` queues agree."""

from django.contrib.auth.models import Group, Permission

from .levels import ROLE_CODES


def ensure_role_groups() -> dict[str, Group]:
    """Create the role groups and their permissions if missing (idempotent)."""
    groups = {}
    for code in ROLE_CODES:
        group, _ = Group.objects.get_or_create(name=code)
        permission = Permission.objects.filter(codename=code, content_type__app_label="org").first()
        if permission is not None:
            group.permissions.add(permission)
        groups[code] = group
    return groups


def set_roles(user, roles: list[str]) -> None:
    """Make the user's role groups exactly `roles` (other groups are left alone)."""
    groups = ensure_role_groups()
    wanted = {groups[r] for r in roles}
    current = set(user.groups.filter(name__in=ROLE_CODES))
    user.groups.remove(*(current - wanted))
    user.groups.add(*(wanted - current))


def roles_of(user) -> list[str]:
    return sorted(g.name for g in user.groups.all() if g.name in ROLE_CODES)
