"""Reads of penalties: who may see which slip (an employee only their own, a lead their
department's), and the actions the caller may take now."""

from django.db.models import Q, QuerySet

from approvals import permissions as perms
from approvals.selectors import allowed as _allowed
from approvals.selectors import scoped

from . import appeal, services
from .models import Penalty, PenaltyState, Receipt

S = PenaltyState


def _involved(employee) -> Q:
    """The employee, the department's lead, the issuer and the named responder."""
    return (
        Q(employee=employee)
        | Q(department__lead=employee)
        | Q(issuer=employee)
        | Q(objection__responder=employee)
    )


def penalties_visible_to(user) -> QuerySet[Penalty]:
    """Own slips; a lead their department's; the issuer, the named witnesses and the named
    responder the slips they act on; the GM office and administration everything."""
    return scoped(
        Penalty.objects.select_related(
            "employee__user", "department", "issuer", "objection__responder"
        ).prefetch_related("witnesses"),
        user,
        lambda employee: _involved(employee) | Q(witnesses__witness=employee),
    )


# What a witness does not read: the objection and its answer (APPEAL-1, APPEAL-2).
OBJECTION_ACTIONS = frozenset({"object", "respond", "response-overdue"})


def is_witness_view(user, penalty: Penalty) -> bool:
    """PEN-3: the viewer reads the slip only as a named witness. They see what they are asked
    to sign (facts, rule, evidence, sanction), before and after signing (it is what their
    signature attests), but not the later objection and its answer: those are between the
    employee, the issuer and the responder."""
    if perms.has_oversight(user):
        return False
    employee = perms.employee_of(user)
    if employee is None or not any(w.witness_id == employee.pk for w in penalty.witnesses.all()):
        return False
    return not scoped(Penalty.objects.filter(pk=penalty.pk), user, _involved).exists()


def witness_timeline(events: list[dict]) -> list[dict]:
    """The history a witness reads: without the objection's and the answer's events."""
    return [e for e in events if e["action"] not in OBJECTION_ACTIONS]


def available_actions(user, penalty: Penalty) -> list[str]:
    """Action names (API.md) the caller may perform now: each passes its service's role and
    state checks (input such as a reason is judged only when the action is taken)."""
    actions = []
    if penalty.receipt == Receipt.PENDING:
        if _allowed(services.check_signer, user, penalty):
            actions.append("sign")
        if _allowed(services.check_refusal, user, penalty):
            actions.append("refuse-to-sign")
    if penalty.receipt == Receipt.REFUSED:
        if _allowed(services.check_witness_naming, user, penalty):
            actions.append("name-witnesses")
        if _allowed(services.check_witness, user, penalty):
            actions.append("witness")
        if _allowed(services.check_witness_replacement, user, penalty):
            actions.append("replace-witness")
    if penalty.state == S.SERVED and _allowed(appeal.check_objector, user, penalty):
        actions.append("object")
    if penalty.state in (S.OBJECTED, S.ESCALATED) and _allowed(
        appeal.check_responder, user, penalty
    ):
        actions.append("respond")
    if penalty.receipt in (Receipt.REFUSED, Receipt.WITNESSED) and _allowed(
        services.check_raiser, user, penalty
    ):
        actions.append("escalate")
    if penalty.state == S.AWAITING_APPROVAL and _allowed(appeal.check_approver, user, penalty):
        actions += ["approve", "reject"]
    return actions
