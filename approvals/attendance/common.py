"""Helpers shared by the shift-swap and punch make-up services: reading times, who approves
(the department lead, or the GM office), the approver check with LEAVE-6 delegation, and the
audit record."""

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from approvals import delegation
from approvals import permissions as perms
from approvals.errors import InvalidInput, NotAllowed
from approvals.fsm import state_conflict as conflict  # noqa: F401  (used by the services)
from approvals.history import record_transition
from approvals.inputs import required_text  # noqa: F401  (used by the services)
from org.levels import Role
from org.models import Employee


def moment(value, *, field: str) -> dt.datetime:
    """An aware datetime from an ISO 8601 text (API) or a datetime (pages); a time without an
    offset is read in the company's time zone (settings.TIME_ZONE)."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = parse_datetime(value.strip()) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None:
            raise InvalidInput(
                _("“%(value)s” is not a date and time (ISO 8601)."),
                code="invalid_datetime",
                params={"value": "" if value is None else value},
                field=field,
            )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def local_text(moment_) -> str:
    """A time as people read it: local time of the company."""
    return f"{timezone.localtime(moment_, timezone.get_default_timezone()):%Y-%m-%d %H:%M}"


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
        perms.require_role(actor, Role.GM_OFFICE, rule=rule)
    if case.state != pending_state:
        raise conflict(case, action)
    return lead


def log(case, action, actor, from_state, to_state, rules, comment="", data=None, on_behalf_of=None):
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
    )


def on_behalf_of(actor, lead):
    return delegation.on_behalf_of(actor, lead) if lead is not None else None
