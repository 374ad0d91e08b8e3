"""Role groups (ORG-2).

Each role code of `org.levels.Role` is an auth Group of the same name holding the permission
`org.<code>` (declared on Employee.Meta.permissions), so a role check, `user.has_perm("org.<code>")`
and viewflow's `.Permission("org.<code>")` queues always agree.

The groups of the roles that keep records also carry Django model permissions
(ROLE_MODEL_PERMISSIONS): the admin pages each role keeps. Holding one of STAFF_ROLES makes a
user staff (`is_staff`, the admin's door), so administration and the GM office reach an admin
limited to those pages; nobody else does, and the engine's own tables (viewflow processes and
tasks) are for superusers only, read-only (workflows/admin.py).

`has_role` and `roles_of` read the user's groups. They cost at most one query per user object and
none when the caller has prefetched the groups: for a list of users, use
`User.objects.prefetch_related("groups")` (or `Employee.objects.prefetch_related("user__groups")`).
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from .levels import ROLE_CODES, Role

# The cases: read-only for both record-keeping roles (they change only through their services;
# the case admins refuse add, change and delete to everyone).
_CASES = dict.fromkeys(
    (
        "approvals.promotion",
        "approvals.penalty",
        "approvals.witness",
        "approvals.objection",
        "approvals.leave",
        "approvals.shiftswap",
        "approvals.punchcorrection",
        "approvals.probation",
    ),
    ("view",),
)

# What each role keeps in the admin: model label -> permitted actions. Models of apps that are
# not installed are skipped. The admin classes may allow less (e.g. level history stays
# read-only for everyone: a level changes through a promotion or load_org).
ROLE_MODEL_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.ADMINISTRATION: {
        "org.department": ("view", "add", "change"),
        "org.employee": ("view", "add", "change"),
        "org.levelhistory": ("view", "add", "change"),
        # Picking the account of a new employee (the employee form's user field); the accounts
        # themselves (passwords, staff and superuser flags) stay with superusers and load_org.
        "auth.user": ("view",),
        "policy.calendaroverride": ("view", "add", "change", "delete"),
        "approvals.leavebalance": ("view", "change"),
        "notifications.outboxmessage": ("view", "change"),  # change: the "Retry now" action
        "notifications.reminder": ("view",),
        "performance.assessment": ("view",),
        "audit.auditevent": ("view",),
        **_CASES,
    },
    Role.GM_OFFICE: {
        "policy.policyversion": ("view", "add", "change"),
        "org.department": ("view",),
        "org.employee": ("view",),
        "org.levelhistory": ("view",),
        "notifications.outboxmessage": ("view",),
        "audit.auditevent": ("view",),
        **_CASES,
    },
}

# Holding one of these roles makes a user staff (the admin login); losing both takes it away.
STAFF_ROLES = frozenset({Role.ADMINISTRATION.value, Role.GM_OFFICE.value})

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
        group.permissions.add(permission, *_model_permissions(role.value))
        groups[role.value] = group
    return groups


def _model_permissions(role: str) -> list[Permission]:
    """The model permissions of ROLE_MODEL_PERMISSIONS[role], created when missing (like the
    role permission above: auth may not have created a later app's permissions yet)."""
    permissions = []
    for label, actions in ROLE_MODEL_PERMISSIONS.get(role, {}).items():
        app_label, model_name = label.split(".")
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        content_type = ContentType.objects.get_for_model(model)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                codename=f"{action}_{model._meta.model_name}",
                content_type=content_type,
                defaults={"name": f"Can {action} {model._meta.verbose_name_raw}"[:255]},
            )
            permissions.append(permission)
    return permissions


def set_roles(user, roles: list[str] | tuple[str, ...]) -> None:
    """Make the user's role groups exactly `roles`; groups that are not roles are left alone."""
    unknown = set(roles) - set(ROLE_CODES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_CODES)}
    if len(groups) < len(ROLE_CODES):  # a database without them yet (post_migrate makes them)
        groups = ensure_role_groups()
    wanted = {groups[code] for code in roles}
    current = set(user.groups.filter(name__in=ROLE_CODES))
    user.groups.remove(*(current - wanted))
    user.groups.add(*(wanted - current))
    staff_sync(user, roles)
    forget_roles(user)


def staff_sync(user, roles: list[str] | tuple[str, ...] | None = None) -> None:
    """Make the user staff exactly when they hold a role of STAFF_ROLES (superusers stay staff).
    `roles`: the user's role codes, when the caller knows them (else they are read)."""
    roles = roles_of(user) if roles is None else roles
    staff = user.is_superuser or bool(STAFF_ROLES.intersection(roles))
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])


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
