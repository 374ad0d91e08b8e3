"""Who decides when the deciding role's only holder is a party (issue 11, finding 10).

A step queued to a role (the GM office for a lead's own leave, LEAVE-1/LEAVE-5; the GM office for
a swap or a make-up no lead can approve, SWAP-1/PUNCH-1) would sit in the queue forever when the
only person holding that role is the requester (or, for a swap, the colleague): nobody decides
their own request. Such a step goes to the fallback role the case's policy names
(`routing.self_decision_fallback`, default: administration). The flows queue the task to
`deciding_role(...)`; the services accept the same role for that case; the requester is still
refused by `require_not_own`.
"""

from org.selectors import users_with_role
from policy.services import policy_of

from . import permissions as perms


def _party_user_ids(case) -> set[int]:
    people = [case.employee, getattr(case, "colleague", None)]
    return {p.user_id for p in people if p is not None and p.user_id is not None}


def deciding_role(role: str, *, case) -> str:
    """`role`, or the policy's fallback role when every active holder of `role` is a party to
    the case (a role nobody holds stays as it is: the linter reports it)."""
    holders = set(users_with_role(role).values_list("pk", flat=True))
    if holders and holders <= _party_user_ids(case):
        return policy_of(case).self_decision_fallback
    return role


def require_deciding_role(actor, role: str, *, case, rule: str) -> None:
    perms.require_role(actor, deciding_role(role, case=case), rule=rule)
