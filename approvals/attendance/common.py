"""Helpers shared by the shift-swap and punch make-up services: reading times, who approves
(the department lead, or the GM office), the approver check with LEAVE-6 delegation, and the
audit record."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import delegation, routing
from approvals import permissions as perms
from approvals.db import save_changed
from approvals.errors import NotAllowed
from approvals.fsm import state_conflict as conflict  # noqa: F401  (used by the services)
from approvals.fsm import transition
from approvals.history import log_step
from approvals.inputs import (  # noqa: F401  (used by the services)
    local_minute,
    optional_text,
    required_text,
)
from approvals.inputs import moment as moment_value
from org.levels import Role
from org.models import Employee

# The services read times and show them one way for every process (approvals.inputs).
moment = moment_value
local_text = local_minute


def approver_for(case) -> Employee | None:
    """The department lead who approves the case, or None when the GM office does: a lead's
    own request, a department without a lead, and (SWAP-1) a swap naming the lead as the
    colleague, as nobody approves a swap they are part of."""
    lead = case.department.lead
    if lead is None or lead.pk == case.employee_id:
        return None
    if lead.pk == getattr(case, "colleague_id", None):
        return None
    return lead


def check_approver(actor, case, *, rule: str, action: str, pending_state: str) -> Employee | None:
    """Who may approve or reject: never the requester (nor, for a swap, the colleague); the
    department lead or the delegate standing in for them (LEAVE-6), else the GM office.
    Returns the person the actor acts as (None: the GM office). Wrong state: 409."""
    perms.require_authenticated_employee(actor)
    perms.require_not_own(actor, case, rule=rule)
    colleague = getattr(case, "colleague", None)
    if colleague is not None and colleague.user_id == actor.pk:
        raise NotAllowed(
            _("The colleague named in a shift swap cannot approve it."),
            code="colleague_approves",
            rule=rule,
        )
    lead = approver_for(case)
    if lead is not None:
        if delegation.acting_for(actor, lead) is None:
            raise NotAllowed(
                _("This request is approved by the department lead, %(name)s."),
                code="not_department_lead",
                rule=rule,
                params={"name": lead.name},
            )
    else:
        # Finding 10: when the GM office's only member is a party, the policy's fallback role.
        routing.require_deciding_role(actor, Role.GM_OFFICE, case=case, rule=rule)
    if case.state != pending_state:
        raise conflict(case, action)
    return lead


log = log_step  # each step is judged by the policy version stored on the request


def on_behalf_of(actor, lead):
    return delegation.on_behalf_of(actor, lead) if lead is not None else None


def decide(case, actor, lead, action: str, text: str, *, rule: str):
    """The approver's decision (approve or reject) on a locked, checked request: transition,
    who decided when and why, and the history ("X for Y" when a delegate decided, LEAVE-6)."""
    from_state, to_state = transition(case, action)
    case.decided_at = timezone.now()
    case.decided_by = perms.employee_of(actor)
    case.decision_reason = text
    save_changed(case)
    behalf = on_behalf_of(actor, lead)
    log(
        case,
        action,
        actor,
        from_state,
        to_state,
        [rule, "LEAVE-6"] if behalf else [rule],
        text,
        on_behalf_of=behalf,
    )
    return case
