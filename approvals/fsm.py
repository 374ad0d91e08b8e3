"""Running django-fsm transitions with the domain's errors."""

from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed, can_proceed

from .errors import StateConflict
from .history import case_type_of
from .labels import action_label


def transition(case, method_name: str, *, action: str | None = None) -> tuple[str, str]:
    """Run `case.<method_name>()`; a state that does not allow it becomes a 409 StateConflict.

    Returns (from_state, to_state) for the audit record.
    """
    method = getattr(case, method_name)
    from_state = case.state
    if not can_proceed(method):
        raise state_conflict(case, action or method_name)
    try:
        method()
    except TransitionNotAllowed as exc:  # a condition changed between the check and the call
        raise state_conflict(case, action or method_name) from exc
    return from_state, case.state


def state_conflict(case, action: str) -> StateConflict:
    return StateConflict(
        _("This case is now “%(state)s”; “%(action)s” is no longer possible."),
        code="state_conflict",
        params={
            "state": case.get_state_display(),
            "action": action_label(case_type_of(case), action),
        },
    )
