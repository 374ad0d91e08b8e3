"""Shift swap 调班 (SWAP-1): the requester names a colleague of their department and the two
shifts; the colleague consents or refuses; then the department lead (the GM office when the
requester or the colleague is the lead) approves or rejects with a reason. The requester may
cancel until the approval."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import permissions as perms
from approvals.db import atomic, lock_case, save_changed
from approvals.errors import InvalidInput, NotAllowed, NotFound, PolicyViolation
from approvals.fsm import transition
from approvals.history import new_case
from org.models import Employee
from policy.services import policy_in_force

from . import common
from .models import ShiftSwap, SwapState

S = SwapState
RULE = "SWAP-1"


def locked(swap: ShiftSwap) -> ShiftSwap:
    return lock_case(
        ShiftSwap,
        swap.pk,
        related=(
            "employee__user",
            "colleague__user",
            "department__lead__user",
        ),
    )


def _colleague(value, requester: Employee) -> Employee:
    """SWAP-1: an active employee of the requester's department, not the requester."""
    pk = value.pk if isinstance(value, Employee) else value
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise InvalidInput(
            _("Name the colleague you swap with (an employee id)."),
            code="colleague_required",
            rule=RULE,
            field="colleague",
        ) from None
    if pk == requester.pk:
        raise PolicyViolation(
            _("You cannot swap a shift with yourself."),
            code="colleague_is_self",
            rule=RULE,
            field="colleague",
        )
    colleague = Employee.objects.select_related("user", "department").filter(pk=pk).first()
    if colleague is None:
        raise NotFound(_("No such employee."), code="unknown_employee", field="colleague")
    # The department first, and without the person's name: nobody learns who an id belongs
    # to in another department (security rules).
    if colleague.department_id != requester.department_id:
        raise PolicyViolation(
            _("A shift is swapped only with a colleague of your department (%(department)s)."),
            code="colleague_other_department",
            rule=RULE,
            params={"department": requester.department.name},
            field="colleague",
        )
    if not colleague.user.is_active:
        raise PolicyViolation(
            _("%(name)s is no longer active and cannot take a shift."),
            code="colleague_inactive",
            rule=RULE,
            params={"name": colleague.name},
            field="colleague",
        )
    return colleague


def _shift(start, end, *, prefix: str, now):
    """SWAP-1: a shift ends after it starts and has not started yet."""
    start = common.moment(start, field=f"{prefix}_start")
    end = common.moment(end, field=f"{prefix}_end")
    if end <= start:
        raise InvalidInput(
            _("A shift must end after it starts (%(start)s – %(end)s)."),
            code="end_before_start",
            rule=RULE,
            params={"start": common.local_text(start), "end": common.local_text(end)},
            field=f"{prefix}_end",
        )
    if start <= now:
        raise PolicyViolation(
            _("Only shifts still to come can be swapped; this one started at %(start)s."),
            code="shift_in_past",
            rule=RULE,
            params={"start": common.local_text(start)},
            field=f"{prefix}_start",
        )
    return start, end


def swap_request(
    *,
    actor,
    colleague,
    shift_start,
    shift_end,
    colleague_shift_start,
    colleague_shift_end,
    reason=None,
) -> ShiftSwap:
    """SWAP-1: the requester asks to swap their shift with the colleague's."""
    me = perms.require_authenticated_employee(actor)
    me = Employee.objects.select_related("department").get(pk=me.pk)
    other = _colleague(colleague, me)
    now = timezone.now()
    start, end = _shift(shift_start, shift_end, prefix="shift", now=now)
    c_start, c_end = _shift(
        colleague_shift_start, colleague_shift_end, prefix="colleague_shift", now=now
    )
    reason = common.optional_text(reason, field="reason")
    with atomic():
        swap = ShiftSwap.objects.create(
            employee=me,
            department=me.department,
            colleague=other,
            shift_start=start,
            shift_end=end,
            colleague_shift_start=c_start,
            colleague_shift_end=c_end,
            reason=reason,
            policy_version=policy_in_force(at=now).version,
            submitted_at=now,
        )
        new_case(swap)
        common.log(
            swap, "submit", actor, "", S.AWAITING_CONSENT, [RULE], reason, {"colleague": other.pk}
        )
    return swap


# --- who may act ------------------------------------------------------------------------------


def check_colleague(actor, swap: ShiftSwap, action: str) -> None:
    """Only the colleague named in the swap consents or refuses (never the requester)."""
    perms.require_authenticated_employee(actor)
    if swap.employee.user_id == actor.pk:
        raise NotAllowed(
            _("You cannot consent to your own request."), code="own_request", rule=RULE
        )
    if swap.colleague.user_id != actor.pk:
        raise NotAllowed(
            _("Only %(name)s, the colleague named in the swap, can do this."),
            code="not_the_colleague",
            rule=RULE,
            params={"name": swap.colleague.name},
        )
    if swap.state != S.AWAITING_CONSENT:
        raise common.conflict(swap, action)


def check_approver(actor, swap: ShiftSwap, action: str = "approve"):
    return common.check_approver(
        actor, swap, rule=RULE, action=action, pending_state=S.AWAITING_APPROVAL
    )


def check_canceller(actor, swap: ShiftSwap) -> None:
    perms.require_owner(actor, swap, rule=RULE)
    if swap.state not in (S.AWAITING_CONSENT, S.AWAITING_APPROVAL):
        raise common.conflict(swap, "cancel")


# --- actions ----------------------------------------------------------------------------------


def swap_consent(*, shiftswap: ShiftSwap, actor, comment=None) -> ShiftSwap:
    with atomic():
        swap = locked(shiftswap)
        check_colleague(actor, swap, "consent")
        from_state, to_state = transition(swap, "consent")
        swap.consented_at = timezone.now()
        save_changed(swap)
        common.log(swap, "consent", actor, from_state, to_state, [RULE], _text(comment))
    return swap


def swap_refuse(*, shiftswap: ShiftSwap, actor, reason=None) -> ShiftSwap:
    with atomic():
        swap = locked(shiftswap)
        check_colleague(actor, swap, "refuse")
        from_state, to_state = transition(swap, "refuse")
        swap.decided_at = timezone.now()
        swap.decision_reason = _text(reason)
        save_changed(swap)
        common.log(swap, "refuse", actor, from_state, to_state, [RULE], swap.decision_reason)
    return swap


def swap_approve(*, shiftswap: ShiftSwap, actor, comment=None) -> ShiftSwap:
    with atomic():
        swap = locked(shiftswap)
        lead = check_approver(actor, swap, "approve")
        swap = common.decide(swap, actor, lead, "approve", _text(comment), rule=RULE)
        # ATT-1: the approval moves the two rostered shifts, in the same transaction.
        from .shifts import shifts_swap

        shifts_swap(swap)
        return swap


def swap_reject(*, shiftswap: ShiftSwap, actor, reason=None) -> ShiftSwap:
    with atomic():
        swap = locked(shiftswap)
        lead = check_approver(actor, swap, "reject")
        reason = common.required_text(reason, field="reason", rule=RULE)
        return common.decide(swap, actor, lead, "reject", reason, rule=RULE)


def swap_cancel(*, shiftswap: ShiftSwap, actor, reason=None) -> ShiftSwap:
    """The requester withdraws the swap until it is approved."""
    with atomic():
        swap = locked(shiftswap)
        check_canceller(actor, swap)
        from_state, to_state = transition(swap, "cancel")
        swap.decided_at = timezone.now()
        save_changed(swap)
        common.log(swap, "cancel", actor, from_state, to_state, [RULE], _text(reason))
    return swap


def _text(value) -> str:
    return common.optional_text(value, field="comment")
