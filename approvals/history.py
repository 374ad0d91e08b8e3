"""One call that every transition makes after saving: the audit event and the outbox event.

The case timeline of the API is read back from these audit events (selectors.timeline).
"""

import audit
from audit.signing import GENESIS

from .db import insert_at_end, remember_case, transaction_memo
from .events import emit, is_listened


def case_type_of(case) -> str:
    return case._meta.model_name


def _head_key(case) -> tuple:
    return ("audit-head", case_type_of(case), case.pk)


def know_audit_head(case, seq: int, hash_: str) -> None:
    """Tell this transaction the head of the case's audit chain, read under the case's process
    lock: its next append need not read it."""
    memo = transaction_memo()
    if memo is not None:
        memo[_head_key(case)] = (seq, hash_)


def new_case(case) -> None:
    """Say that `case` was created in this transaction: its audit chain is empty, and the flow
    routes on this instance."""
    know_audit_head(case, 0, GENESIS)
    remember_case(case)


def record_transition(
    *,
    case,
    action: str,
    actor,
    on_behalf_of=None,
    from_state: str = "",
    to_state: str = "",
    rules=(),
    policy_version: str = "",
    comment: str = "",
    data: dict | None = None,
    notify: bool = True,
) -> None:
    case_type = case_type_of(case)
    memo = transaction_memo()
    key = _head_key(case)
    event = audit.record(
        case_type=case_type,
        case_id=case.pk,
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        from_state=from_state,
        to_state=to_state,
        rules=list(rules),
        policy_version=policy_version,
        comment=comment,
        data=data,
        head=memo.get(key) if memo is not None else None,
        # With the action's other events, in one INSERT when its transaction ends.
        insert=insert_at_end,
    )
    if memo is not None:
        memo[key] = (event.seq, event.hash)
    if notify and is_listened(action, case_type):
        # In this transaction (the outbox): dispatched by the sweep, after the commit.
        emit(
            "case_changed",
            model=case._meta.label_lower,
            case_type=case_type,
            case_id=case.pk,
            action=action,
            actor_id=getattr(actor, "pk", None),
            from_state=from_state,
            to_state=to_state,
        )


def log_step(
    case,
    action: str,
    actor,
    from_state: str,
    to_state: str,
    rules,
    comment: str = "",
    data: dict | None = None,
    on_behalf_of=None,
    notify: bool = True,
) -> None:
    """`record_transition` for a case judged by the policy version stored on it."""
    record_transition(
        case=case,
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        from_state=from_state,
        to_state=to_state,
        rules=rules,
        policy_version=case.policy_version,
        comment=comment,
        data=data,
        notify=notify,
    )
