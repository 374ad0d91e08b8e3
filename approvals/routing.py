"""Who decides when the deciding role's only holder is a party (issue 11, finding 10).

A step queued to a role (the GM office for a lead's own leave, LEAVE-1/LEAVE-5; the GM office for
a swap or a make-up no lead can approve, SWAP-1/PUNCH-1) would sit in the queue forever when the
only person holding that role is the requester (or, for a swap, the colleague): nobody decides
their own request. Such a step goes to the fallback role the case's policy names
(`routing.self_decision_fallback`, default: administration). The flows queue the task to
`deciding_role(...)`; the services accept the same role for that case; the requester is still
refused by `require_not_own`.
"""

from org.levels import Role
from org.selectors import users_with_role
from policy.services import policy_of

from . import permissions as perms


def _party_user_ids(case) -> set[int]:
    """The requester, a swap's colleague, a slip's issuer: who may never decide the case."""
    people = [case.employee, getattr(case, "colleague", None), getattr(case, "issuer", None)]
    return {p.user_id for p in people if p is not None and p.user_id is not None}


def _holder_ids(role: str, cache: dict | None) -> set[int]:
    if cache is not None and role in cache:
        return cache[role]
    holders = set(users_with_role(role).values_list("pk", flat=True))
    if cache is not None:
        cache[role] = holders
    return holders


def deciding_role(role: str, *, case, cache: dict | None = None) -> str:
    """`role`, or the policy's fallback role when every active holder of `role` is a party to
    the case (a role nobody holds stays as it is: the linter reports it). A fallback that is
    `role` itself falls to the other oversight role. `cache` keeps the holders of each role
    for a request (a list asks once, not once per row)."""
    holders = _holder_ids(role, cache)
    if holders and holders <= _party_user_ids(case):
        fallback = policy_of(case).self_decision_fallback
        if fallback == role:  # administration's own sole holder: the other oversight role
            return Role.GM_OFFICE if role == Role.ADMINISTRATION else Role.ADMINISTRATION
        return fallback
    return role


def queue_of(role: str):
    """For a flow node's `.Permission(...)`: the permission of `deciding_role(role)` for the
    activation's case."""

    def permission(activation) -> str:
        return f"org.{deciding_role(role, case=activation.process.artifact)}"

    return permission


def require_deciding_role(actor, role: str, *, case, rule: str) -> None:
    """The actor holds the role that decides this case. A holder of `role` itself always
    passes here (whether they are a party is `require_not_own`'s to say), so only someone
    without it costs the holders' query, once per request (kept on the actor)."""
    if perms.has_role(actor, role):
        return
    cache = actor.__dict__.setdefault("_role_holders", {}) if actor.is_authenticated else None
    perms.require_role(actor, deciding_role(role, case=case, cache=cache), rule=rule)
