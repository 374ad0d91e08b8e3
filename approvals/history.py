"""One call that every transition makes after saving: the audit event and the post-commit signal.

The case timeline of the API is read back from these audit events (selectors.timeline).
"""

from django.db import transaction

import audit

from .signals import case_changed


def case_type_of(case) -> str:
    return case._meta.model_name


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
    audit.record(
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
    )
    if notify:
        actor_id = getattr(actor, "pk", None)
        transaction.on_commit(
            lambda: case_changed.send(
                sender=type(case),
                case_type=case_type,
                case_id=case.pk,
                action=action,
                actor_id=actor_id,
                from_state=from_state,
                to_state=to_state,
            ),
            # The change is committed: a receiver that fails (mail template, lookup) is logged
            # and must not turn the committed action into an error for the person who acted.
            robust=True,
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
