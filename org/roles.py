"""Role groups (ORG-2).

Each role code of `org.levels.Role` is an auth Group of the same name holding the permission
`org.<code>` (declared on Employee.Meta.permissions), so a role check, `user.has_perm("org.<code>")`
and viewflow's `.Permission("org.<code>")` queues always agree.

`has_role` and `roles_of` read the user's groups. They cost at most one query per user object and
none when the caller has prefetched the groups: for a list of users, use
`User.objects.prefetch_related("groups")` (or `Employee.objects.prefetch_related("user__groups")`).
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from .levels import ROLE_CODES, Role

# Per-instance cache of role codes, so repeated checks on one request's user cost one query.
_CACHE_ATTR = "_org_role_codes"


def ensure_role_groups() -> dict[str, Group]:
    """Create the role groups and give each its permission `org.<code>` (idempotent).

    The permission is created here when missing: a post_migrate receiver may run before auth has
    created the permissions of a freshly migrated app, and a flushed test database has none.
    """
    from .models import Employee

    content_type = ContentType.objects.get_for_model(Employee)
    groups = {}
    for role in Role:
        permission, _ = Permission.objects.get_or_create(
            codename=role.value,
            content_type=content_type,
            defaults={"name": str(role.label)[:255]},
        )
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.add(permission)
        groups[role.value] = group
    return groups


def set_roles(user, roles: list[str] | tuple[str, ...]) -> None:
    """Make the user's role groups exactly `roles`; groups that are not roles are left alone."""
    unknown = set(roles) - set(ROLE_CODES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    groups = ensure_role_groups()
    wanted = {groups[code] for code in roles}
    current = set(user.groups.filter(name__in=ROLE_CODES))
    user.groups.remove(*(current - wanted))
    user.groups.add(*(wanted - current))
    forget_roles(user)


def forget_roles(user) -> None:
    """Drop the cached roles (and Django's permission caches) of this user object."""
    for attr in (_CACHE_ATTR, "_perm_cache", "_group_perm_cache", "_user_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)
    prefetched = getattr(user, "_prefetched_objects_cache", None)
    if prefetched:
        prefetched.pop("groups", None)


def roles_of(user) -> list[str]:
    """The user's role codes, in ladder-of-roles order (Role declaration order)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        prefetched = getattr(user, "_prefetched_objects_cache", {}).get("groups")
        if prefetched is not None:
            names = {group.name for group in prefetched}
        else:
            names = set(user.groups.filter(name__in=ROLE_CODES).values_list("name", flat=True))
        cached = [code for code in ROLE_CODES if code in names]
        setattr(user, _CACHE_ATTR, cached)
    return list(cached)


def has_role(user, code: str) -> bool:
    """Whether the user holds the role through its group. Superusers hold no role by this check
    (permission checks for them live in approvals.permissions)."""
    return code in roles_of(user)
