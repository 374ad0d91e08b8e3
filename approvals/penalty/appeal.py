"""Objection, response and the outcome of a penalty (APPEAL-1..4, PEN-1).

The employee may object within the window stored on the slip (APPEAL-1); the window is enforced
here, so it holds even if no timer ever fires. With no objection the window lapses (a viewflow
timer) and the sanction is decided as served. An objection is answered within the response
deadline by the department lead (never the issuer; the GM office when the issuer is the lead,
APPEAL-2); when that deadline passes the case escalates to the GM office and the employee is
told. A decided slip becomes final once its receipt is complete (PEN-3) and, for a dismissal
proposal or a raised refused slip, the GM office has approved (PEN-1, APPEAL-4). Final: the fine
and points are booked to that month (APPEAL-3) and the warning ladder is applied (PEN-1).
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import delegation, routing
from approvals import permissions as perms
from approvals.db import atomic, save_changed
from approvals.errors import InvalidInput, NotAllowed, PolicyViolation
from approvals.fsm import transition
from org.levels import Role
from performance.services import score_event_book

from . import common
from .models import Objection, Penalty, Sanction

S = common.S
DECISIONS = [choice.value for choice in Objection.Decision]


# --- objection (APPEAL-1) ---------------------------------------------------------------------


def check_window(penalty: Penalty, now=None) -> None:
    """APPEAL-1: the last instant of the window is in; the next is out."""
    now = now or timezone.now()
    if now > penalty.objection_due:
        raise PolicyViolation(
            _("The objection window closed at %(deadline)s; an objection can no longer be filed."),
            code="objection_window_closed",
            rule="APPEAL-1",
            params={"deadline": common.local_text(penalty.objection_due)},
        )


def check_objector(actor, penalty: Penalty) -> None:
    common.check_employee(actor, penalty, rule="APPEAL-1")
    check_window(penalty)
    if penalty.state != S.SERVED:
        raise common.conflict(penalty, "object")


def responder_for(penalty: Penalty):
    """APPEAL-2: the department lead answers, unless the lead issued the slip (or is the
    employee): then the GM office. None means the GM office."""
    lead_id = penalty.department.lead_id
    if lead_id is None or lead_id in (penalty.issuer_id, penalty.employee_id):
        return None
    return penalty.department.lead


def penalty_object(*, penalty: Penalty, actor, reason=None) -> Penalty:
    """APPEAL-1: file a written objection. Refused after the window with the deadline named;
    then nothing is recorded."""
    with atomic():
        penalty = common.locked(penalty)
        check_objector(actor, penalty)
        reason = common.required_text(reason, field="reason", rule="APPEAL-1")
        policy = common.policy_of(penalty)
        response_due = common.due_in(policy.response_days, policy.response_mode)
        Objection.objects.create(
            penalty=penalty,
            reason=reason,
            filed_at=timezone.now(),
            response_due=response_due.at,
            responder=responder_for(penalty),
        )
        from_state, to_state = transition(penalty, "file_objection", action="object")
        penalty.save(update_fields=["state"])
        common.meet_deadline(penalty, "objection")
        common.open_deadline(penalty, "response", response_due)
        common.log(penalty, "object", actor, from_state, to_state, ["APPEAL-1", "APPEAL-3"], reason)
    return penalty


def penalty_window_lapse(*, penalty: Penalty) -> Penalty:
    """APPEAL-1/APPEAL-3: the window passed with no objection (the scheduler's timer): the
    sanction is decided as served. Does nothing if an objection was filed."""
    with atomic():
        penalty = common.locked(penalty)
        if penalty.state != S.SERVED:
            return penalty
        if timezone.now() <= penalty.objection_due:
            raise RuntimeError(f"penalty {penalty.pk}: window lapse fired before the deadline")
        from_state, to_state = transition(penalty, "close_window", action="lapse")
        penalty.window_closed_at = timezone.now()
        penalty.save(update_fields=["state", "window_closed_at"])
        common.meet_deadline(penalty, "objection")
        common.log(penalty, "lapse", None, from_state, to_state, ["APPEAL-1", "APPEAL-3"])
    return penalty


# --- response (APPEAL-2) ----------------------------------------------------------------------


def check_responder(actor, penalty: Penalty):
    """The person the actor answers as (the named responder), or None for the GM office."""
    if penalty.state not in (S.OBJECTED, S.ESCALATED):
        raise common.conflict(penalty, "respond")
    perms.require_not_own(actor, penalty, rule="APPEAL-2")
    me = perms.employee_of(actor)
    if me is not None and me.pk == penalty.issuer_id:
        raise NotAllowed(
            _("The issuer of the penalty cannot answer the objection to it."),
            code="issuer_responds",
            rule="APPEAL-2",
        )
    responder = penalty.objection.responder
    if penalty.state == S.OBJECTED and responder is not None:
        # The named responder, or the delegate standing in for them (LEAVE-6).
        if delegation.acting_for(actor, responder) is None:
            raise NotAllowed(
                _("This objection is answered by %(name)s."),
                code="not_responder",
                rule="APPEAL-2",
                params={"name": responder.name},
            )
        return responder
    routing.require_deciding_role(actor, Role.GM_OFFICE, case=penalty, rule="APPEAL-2")
    return None


def penalty_respond(
    *, penalty: Penalty, actor, decision=None, reason=None, reduced_to=None
) -> Penalty:
    """APPEAL-2: uphold, reduce (to a lower sanction) or revoke, with a written reason."""
    with atomic():
        penalty = common.locked(penalty)
        responder = check_responder(actor, penalty)
        if decision not in DECISIONS:
            raise InvalidInput(
                _("The decision must be one of: %(choices)s."),
                code="invalid_decision",
                rule="APPEAL-2",
                params={"choices": ", ".join(DECISIONS)},
                field="decision",
            )
        reason = common.required_text(reason, field="reason", rule="APPEAL-2")
        before = penalty.sanction
        if decision == Objection.Decision.REDUCE:
            common.sanction_value(reduced_to, field="reduced_to")
            if not common.more_severe(before, reduced_to):
                raise PolicyViolation(
                    _("A reduced sanction must be lower than “%(sanction)s”."),
                    code="not_a_reduction",
                    rule="APPEAL-2",
                    params={"sanction": penalty.get_sanction_display()},
                    field="reduced_to",
                )
            penalty.sanction = reduced_to
            if penalty.approval_reason and not _still_needs_approval(penalty):
                # Reduced below what needed the GM office's approval.
                penalty.approval_reason, penalty.fallback_sanction = "", ""
        objection = penalty.objection
        objection.decision = decision
        objection.reduced_to = reduced_to if decision == Objection.Decision.REDUCE else ""
        objection.response = reason
        objection.responded_by = perms.employee_of(actor)
        objection.responded_at = timezone.now()
        objection.save()
        name = "revoke" if decision == Objection.Decision.REVOKE else "answer"
        from_state, to_state = transition(penalty, name, action="respond")
        if decision == Objection.Decision.REVOKE:
            penalty.closed_at = timezone.now()
        save_changed(penalty)
        common.meet_deadline(penalty, "response")
        common.log(
            penalty,
            "respond",
            actor,
            from_state,
            to_state,
            ["APPEAL-2", "APPEAL-3"],
            reason,
            data={"decision": decision, "from": before, "to": penalty.sanction},
            on_behalf_of=delegation.on_behalf_of(actor, responder),
        )
    return penalty


def _still_needs_approval(penalty: Penalty) -> bool:
    """After a reduction: a dismissal still needs approval (PEN-1); a raised refused slip does
    while the sanction is still above the one it was raised from (APPEAL-4)."""
    if penalty.sanction == Sanction.DISMISSAL:
        return True
    return penalty.approval_reason == "raise" and common.more_severe(
        penalty.sanction, penalty.fallback_sanction
    )


def penalty_escalate_overdue(*, penalty: Penalty) -> Penalty:
    """APPEAL-2: the response deadline passed unanswered (the scheduler's timer): the case goes
    to the GM office and the employee is told (the notice follows the audit event)."""
    with atomic():
        penalty = common.locked(penalty)
        if penalty.state != S.OBJECTED:
            return penalty
        objection = penalty.objection
        if timezone.now() <= objection.response_due:
            raise RuntimeError(f"penalty {penalty.pk}: escalation fired before the deadline")
        from_state, to_state = transition(penalty, "escalate", action="response-overdue")
        penalty.save(update_fields=["state"])
        objection.escalated_at = timezone.now()
        objection.save(update_fields=["escalated_at"])
        common.log(
            penalty,
            "response-overdue",
            None,
            from_state,
            to_state,
            ["APPEAL-2", "DEADLINE-2"],
            data={"response_due": objection.response_due.isoformat()},
        )
    return penalty


# --- outcome ----------------------------------------------------------------------------------


def needs_approval(penalty: Penalty) -> bool:
    return bool(penalty.approval_reason) and penalty.approved is None


def penalty_conclude(*, penalty: Penalty) -> Penalty:
    """Decided and receipt complete (the flow joins both): final, or to the GM office first."""
    with atomic():
        penalty = common.locked(penalty)
        if penalty.state != S.DECIDED or not common.receipt_complete(penalty):
            return penalty
        if needs_approval(penalty):
            from_state, to_state = transition(penalty, "ask_approval", action="conclude")
            penalty.save(update_fields=["state"])
            rules = ["APPEAL-4"] if penalty.approval_reason == "raise" else ["PEN-1"]
            common.log(penalty, "ask-approval", None, from_state, to_state, rules)
            return penalty
        _finalise(penalty, None)
    return penalty


def check_approver(actor, penalty: Penalty) -> None:
    rule = "APPEAL-4" if penalty.approval_reason == "raise" else "PEN-1"
    common.check_gm_decider(actor, penalty, rule=rule)
    if penalty.state != S.AWAITING_APPROVAL:
        raise common.conflict(penalty, "approve")


def penalty_approve(*, penalty: Penalty, actor, comment=None) -> Penalty:
    """PEN-1 / APPEAL-4: the GM office approves the dismissal or the raised sanction."""
    with atomic():
        penalty = common.locked(penalty)
        check_approver(actor, penalty)
        penalty.approved = True
        _finalise(penalty, actor, action="approve", comment=(comment or "").strip())
    return penalty


def penalty_reject(*, penalty: Penalty, actor, reason=None) -> Penalty:
    """PEN-1 / APPEAL-4: refused, the sanction falls back to the one below the proposal."""
    with atomic():
        penalty = common.locked(penalty)
        check_approver(actor, penalty)
        reason = common.required_text(reason, field="reason", rule="PEN-1")
        penalty.approved = False
        penalty.sanction = penalty.fallback_sanction
        _finalise(penalty, actor, action="reject", comment=reason)
    return penalty


def _booking_code(policy, sanction: str) -> str:
    """SCORE-9: the catalogue entry a final sanction books under ("penalty_<sanction>"); empty
    for a sanction the catalogue has no entry for (a dismissal carries no points)."""
    code = f"penalty_{sanction}"
    return code if code in policy.score_events else ""


def _finalise(penalty: Penalty, actor, *, action: str = "finalise", comment: str = "") -> None:
    """APPEAL-3: final; the fine and points are booked to the month it becomes final."""
    policy = common.policy_of(penalty)
    from_state, to_state = transition(penalty, "finalise", action=action)
    now = timezone.now()
    penalty.final_at = penalty.closed_at = now
    penalty.fine = policy.fine_for(penalty.sanction)
    penalty.points = policy.points_for(penalty.sanction)
    save_changed(penalty)
    if penalty.fine or penalty.points:
        score_event_book(
            employee=penalty.employee,
            at=now,
            points=-penalty.points,
            fine=penalty.fine,
            reason=f"{penalty.get_sanction_display()} #{penalty.pk}",
            source=f"penalty:{penalty.pk}",
            code=_booking_code(policy, penalty.sanction),
            actor=actor,
        )
    rules = ["APPEAL-3"] + (["APPEAL-4"] if penalty.approval_reason == "raise" else [])
    common.log(
        penalty,
        action,
        actor,
        from_state,
        to_state,
        rules,
        comment,
        data={
            "sanction": penalty.sanction,
            "fine": str(penalty.fine),
            "points": str(penalty.points),
        },
    )
    apply_ladder(penalty.employee, policy=policy)


def apply_ladder(employee, *, policy) -> list[Penalty]:
    """PEN-1: every `n` final warnings of one level not yet counted make one of the next level
    (three verbal → written, three written → final). The derived warning carries no second fine:
    each counted warning was fined when it became final."""
    n = policy.warnings_per_step
    derived = []
    steps = [
        (Sanction.VERBAL_WARNING, Sanction.WRITTEN_WARNING),
        (Sanction.WRITTEN_WARNING, Sanction.FINAL_WARNING),
    ]
    for lower, higher in steps:
        uncounted = list(
            Penalty.objects.select_for_update()
            .filter(employee=employee, state=S.FINAL, sanction=lower, counted_into__isnull=True)
            .order_by("final_at", "pk")
        )
        while len(uncounted) >= n:
            group, uncounted = uncounted[:n], uncounted[n:]
            now = timezone.now()
            made = Penalty.objects.create(
                employee=employee,
                department=employee.department,
                issuer=None,
                facts=", ".join(f"#{p.pk}" for p in group),
                rule="PEN-1",
                evidence=", ".join(f"#{p.pk}" for p in group),
                drafted_sanction=higher,
                sanction=higher,
                policy_version=policy.version,
                state=S.FINAL,
                served_at=now,
                objection_due=now,
                final_at=now,
                closed_at=now,
                fine=Decimal("0"),
                points=Decimal("0"),
                derived=True,
            )
            Penalty.objects.filter(pk__in=[p.pk for p in group]).update(counted_into=made)
            common.log(
                made,
                "ladder",
                None,
                "",
                S.FINAL,
                ["PEN-1"],
                data={"from": [p.pk for p in group], "sanction": higher},
            )
            derived.append(made)  # a derived written warning counts in the next step
    return derived
