"""Reads of penalties: who may see which slip (an employee only their own, a lead their
department's), and the actions the caller may take now."""

from django.db.models import Q, QuerySet

from approvals.selectors import allowed as _allowed
from approvals.selectors import scoped

from . import appeal, services
from .models import Penalty, PenaltyState, Receipt

S = PenaltyState


def penalties_visible_to(user) -> QuerySet[Penalty]:
    """Own slips; a lead their department's; the issuer, the named witnesses and the named
    responder the slips they act on; the GM office and administration everything."""
    return scoped(
        Penalty.objects.select_related(
            "employee__user", "department", "issuer", "objection__responder"
        ),
        user,
        lambda employee: (
            Q(employee=employee)
            | Q(department__lead=employee)
            | Q(issuer=employee)
            | Q(witnesses__witness=employee)
            | Q(objection__responder=employee)
        ),
    )


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
