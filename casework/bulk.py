"""CASE-7 bulk decisions: approve or reject many leaves, punch make-ups or shift swaps at once.

Each case runs the ordinary action (`workflows.engine.run_action`) in its own transaction, so
one refusal never stops the others and every case is judged exactly as one decided alone.
"""

from django.utils.translation import gettext_lazy as _

from approvals.errors import DomainError, InvalidInput

from .common import id_list
from .rules import BULK_MAX_IDS

BULK_ACTIONS = ("approve", "reject")


def bulk_flows():
    from workflows.attendance import PunchCorrectionFlow, ShiftSwapFlow
    from workflows.leave import LeaveFlow

    return (LeaveFlow, PunchCorrectionFlow, ShiftSwapFlow)


def bulk_decide(*, flow_class, ids, name, actor, payload) -> list[dict]:
    """One result per id, in the order given: {"id", "ok": true, "state"}, or {"id", "ok":
    false, "code", "detail", "rule"} for a refusal, or {"id", "ok": false, "code":
    "not_found"} for a case the actor may not see."""
    from workflows.engine import run_action

    if flow_class not in bulk_flows() or name not in BULK_ACTIONS:
        raise InvalidInput(
            _("“%(action)s” cannot be done in bulk here; use approve or reject."),
            code="bulk_action",
            rule="CASE-7",
            params={"action": name},
        )
    ids = id_list(ids, field="ids", limit=BULK_MAX_IDS, rule="CASE-7")
    payload = payload if isinstance(payload, dict) else {}
    fields = {f: payload.get(f) for f in flow_class.actions[name].fields}
    cases = flow_class.instance.visible_cases(actor).in_bulk(ids)
    results = []
    for pk in ids:
        case = cases.get(pk)
        if case is None:
            results.append({"id": pk, "ok": False, "code": "not_found"})
            continue
        try:
            case = run_action(
                flow_class=flow_class,
                actions=flow_class.actions,
                case=case,
                name=name,
                actor=actor,
                **fields,
            )
        except DomainError as exc:
            results.append(
                {"id": pk, "ok": False, "code": exc.code, "detail": exc.detail, "rule": exc.rule}
            )
            continue
        results.append({"id": pk, "ok": True, "state": case.state})
    return results
