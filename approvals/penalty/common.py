"""Helpers shared by the penalty services: locking, the policy of the case, required text, the
audit + deadline bookkeeping, and who may do what (one check per role question, used by the
services to refuse and by the selectors to list the caller's actions)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import permissions as perms
from approvals import routing
from approvals.db import lock_case
from approvals.deadlines import deadline_meet, deadline_open
from approvals.errors import InvalidInput, NotAllowed
from approvals.fsm import state_conflict as conflict  # noqa: F401  (used by the services)
from approvals.history import log_step
from approvals.inputs import required_text  # noqa: F401  (used by the services)
from org.levels import Role
from policy.deadlines import due_at
from policy.services import policy_by_code

from .models import SEVERITY, Penalty, PenaltyState, Receipt, Sanction

S = PenaltyState
CASE_TYPE = "penalty"


def locked(penalty: Penalty) -> Penalty:
    """Re-read the case under a row lock; everything after sees the committed state."""
    return lock_case(
        Penalty,
        penalty.pk,
        related=(
            "employee__user",
            "department",
            "issuer__user",
        ),
    )


def policy_of(penalty: Penalty):
    """A slip is judged by the policy version it stored when it was drafted (issue 11,
    finding 11: never found again by date)."""
    return policy_by_code(penalty.policy_version)


def sanction_value(value, *, field: str = "sanction") -> str:
    if value not in Sanction.values:
        raise InvalidInput(
            _("“%(value)s” is not a sanction; use one of: %(choices)s."),
            code="invalid_sanction",
            rule="PEN-1",
            params={"value": value, "choices": ", ".join(Sanction.values)},
            field=field,
        )
    return value


def local_text(moment) -> str:
    """A due time as people read it: local time of the company, with the zone's name."""
    local = timezone.localtime(moment)
    return f"{local:%Y-%m-%d %H:%M:%S} ({local.tzinfo})"


def open_deadline(penalty: Penalty, name: str, due) -> None:
    deadline_open(case_type=CASE_TYPE, case_id=penalty.pk, name=name, due=due)


def meet_deadline(penalty: Penalty, name: str) -> None:
    deadline_meet(case_type=CASE_TYPE, case_id=penalty.pk, name=name)


def due_in(days: int, mode: str):
    """DEADLINE-1: `days` calendar or working days from now, to the end of the local day."""
    return due_at(timezone.now(), days, mode=mode, end_of_day=True)


log = log_step  # every step of a slip is judged by the policy version it was served under


# --- who may act ------------------------------------------------------------------------------


def drafter_is_gm_office(employee) -> bool:
    """A department lead's own slip (or one in a department without a lead) is drafted by the
    GM office, as nobody disciplines themselves (PEN-2, security rules)."""
    lead_id = employee.department.lead_id
    return lead_id is None or lead_id == employee.pk


def check_drafter(actor, employee) -> None:
    """PEN-2: the employee's department lead drafts the slip (the GM office for a lead)."""
    me = perms.require_authenticated_employee(actor)
    if me.pk == employee.pk:
        raise NotAllowed(
            _("You cannot issue a penalty to yourself."), code="own_request", rule="PEN-2"
        )
    if drafter_is_gm_office(employee):
        perms.require_role(actor, Role.GM_OFFICE, rule="PEN-2")
        return
    if employee.department.lead_id != me.pk:
        raise NotAllowed(
            _("Only the lead of the employee's department (%(department)s) issues a penalty."),
            code="not_department_lead",
            rule="PEN-2",
            params={"department": employee.department.name},
        )


def check_employee(actor, penalty: Penalty, *, rule: str) -> None:
    if penalty.employee.user_id != actor.pk:
        raise NotAllowed(
            _("Only the employee named on the slip can do this."),
            code="not_the_employee",
            rule=rule,
        )


def check_issuer_side(actor, penalty: Penalty, *, rule: str) -> None:
    """The issuer, or the department's lead now (the post may have changed hands)."""
    me = perms.employee_of(actor)
    issuer_side = (penalty.issuer_id, penalty.department.lead_id)
    if me is None or me.pk == penalty.employee_id or me.pk not in issuer_side:
        raise NotAllowed(
            _("Only the issuer of the slip can do this."), code="not_issuer", rule=rule
        )


def check_gm_decider(actor, penalty: Penalty, *, rule: str) -> None:
    """The GM office decides, but never on a slip its member issued or received (its sole
    member's own slip goes to the policy's fallback role)."""
    perms.require_not_own(actor, penalty, rule=rule)
    me = perms.employee_of(actor)
    if me is not None and me.pk == penalty.issuer_id and perms.has_role(actor, Role.GM_OFFICE):
        raise NotAllowed(
            _("The issuer of a penalty cannot decide on it."), code="issuer_decides", rule=rule
        )
    routing.require_deciding_role(actor, Role.GM_OFFICE, case=penalty, rule=rule)


def receipt_complete(penalty: Penalty) -> bool:
    """PEN-3: signed by the employee, or refused and signed by two witnesses."""
    return penalty.receipt in (Receipt.SIGNED, Receipt.WITNESSED)


def more_severe(a: str, b: str) -> bool:
    return SEVERITY.index(a) > SEVERITY.index(b)


def lighter_sanctions(sanction: str) -> list[str]:
    """APPEAL-2: what an answer may reduce `sanction` to (every milder sanction)."""
    return [s for s in SEVERITY if sanction in SEVERITY and more_severe(sanction, s)]
