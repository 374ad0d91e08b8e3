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
from org.selectors import role_holder_ids
from policy.services import policy_of

from . import permissions as perms


def _party_user_ids(case) -> set[int]:
    """The requester, a swap's colleague, a slip's issuer: who may never decide the case."""
    people = [case.employee, getattr(case, "colleague", None), getattr(case, "issuer", None)]
    return {p.user_id for p in people if p is not None and p.user_id is not None}


def deciding_role(role: str, *, case) -> str:
    """`role`, or the policy's fallback role when every active holder of `role` is a party to
    the case (a role nobody holds stays as it is: the linter reports it). A fallback that is
    `role` itself falls to the other oversight role. The holders come from the cache
    (org.selectors.role_holder_ids): no query per step or per row of a list."""
    holders = role_holder_ids(role)
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
    passes here (whether they are a party is `require_not_own`'s to say)."""
    if perms.has_role(actor, role):
        return
    perms.require_role(actor, deciding_role(role, case=case), rule=rule)
