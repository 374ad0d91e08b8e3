"""Leave requests (请假): asking, deciding, cancelling, and the annual-leave balance (LEAVE-1..5).

An employee asks in advance (LEAVE-1); the department lead decides (the GM office for a lead's
own leave, or when the department has no lead). An emergency request (LEAVE-2) may be recorded
by the employee or their lead up to `attendance.emergency_leave_hours` after the start and is
decided afterwards. Bad input is refused before anything is written (LEAVE-4). A request still
undecided when its start arrives goes to the GM office (LEAVE-5; the flow's timer calls
`leave_escalate`). Annual leave is charged to the balance of the start's year: pending while the
request waits, taken once approved, given back on rejection or cancellation.
"""

import datetime as dt
import math
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import permissions as perms
from approvals import routing
from approvals.attendance.findings import clear_for_leave, findings_recheck_leave
from approvals.db import atomic, lock_case
from approvals.deadlines import Deadline, deadline_meet, deadline_open
from approvals.delegation import acting_for, on_behalf_of
from approvals.errors import InvalidInput, NotAllowed, PolicyViolation, StateConflict
from approvals.fsm import state_conflict, transition
from approvals.history import log_step, new_case
from approvals.inputs import employee_ref, local_minute, moment, optional_text, required_text
from org.levels import Role
from org.models import Employee
from org.selectors import department_lead_of
from policy.deadlines import DueTime, due_at, is_working_day, overrides_between
from policy.services import policy_in_force

from .models import Leave, LeaveBalance, LeaveKind, LeaveState

S = LeaveState
CASE_TYPE = "leave"
DEADLINE = "decision"
HALF_DAY = Decimal("0.5")
WORKDAY_HOURS = 8


# --- reading the input ----------------------------------------------------------------------


local_text = local_minute


def _moment(value, field: str) -> dt.datetime:
    return moment(value, field=field, rule="LEAVE-4")


def _kind(value) -> str:
    if value not in LeaveKind.values:
        raise InvalidInput(
            _("“%(value)s” is not a kind of leave; use one of: %(choices)s."),
            code="invalid_kind",
            rule="LEAVE-1",
            params={"value": value or "", "choices": ", ".join(LeaveKind.values)},
            field="kind",
        )
    return value


def _flag(value, field: str) -> bool:
    if value in (None, "", False, "false", "0", "off"):
        return False
    if value in (True, "true", "1", "on"):
        return True
    raise InvalidInput(
        _("“%(field)s” must be true or false."),
        code=f"invalid_{field}",
        params={"field": field},
        field=field,
    )


def _person(value, field: str) -> Employee | None:
    return None if value in (None, "") else employee_ref(value, field=field)


def leave_days(
    start: dt.datetime,
    end: dt.datetime,
    *,
    working_days_only: bool = False,
    skip: frozenset[dt.date] | set[dt.date] = frozenset(),
) -> Decimal:
    """Days charged for a leave: each local calendar day it touches counts its hours off, a full
    working day (8 h) or more as one day, less in half days rounded up (4 h off is half a day,
    09:00–18:00 one day, Monday 09:00 to Wednesday 18:00 three).

    With `working_days_only` (annual leave, ATT-4 without a roster), rest days and public
    holidays of the statutory calendar (DEADLINE-1, with the override table) count nothing:
    statutory annual leave is taken in working days, so 21–31 December 2026 is 9 days, not 11.
    `skip`: local days counted elsewhere (ATT-4: the days a roster covers count its shifts).
    """
    start, end = timezone.localtime(start), timezone.localtime(end)
    overrides = overrides_between(start.date(), end.date()) if working_days_only else None
    days = Decimal(0)
    day = start.date()
    while day <= end.date():
        if day in skip or (working_days_only and not is_working_day(day, overrides)):
            day += dt.timedelta(days=1)
            continue
        midnight = timezone.make_aware(dt.datetime.combine(day, dt.time()))
        begins = max(start, midnight)
        ends = min(end, midnight + dt.timedelta(days=1))
        hours = max((ends - begins).total_seconds(), 0) / 3600
        if hours > 0:
            halves = min(math.ceil(hours / (WORKDAY_HOURS / 2)), 2)
            days += HALF_DAY * halves
        day += dt.timedelta(days=1)
    return days


def leave_days_charged(*, employee, kind: str, start: dt.datetime, end: dt.datetime) -> Decimal:
    """The days a leave is charged (LEAVE-4): annual leave counts the rostered shifts it covers
    and, on days without a roster, the statutory working days (ATT-4); other kinds count the
    days they touch."""
    if kind != LeaveKind.ANNUAL:
        return leave_days(start, end)
    from .days import annual_leave_days

    return annual_leave_days(employee=employee, start=start, end=end)


# --- the annual-leave balance (LEAVE-4) -------------------------------------------------------


def _years_of_service(employee: Employee, on: dt.date) -> int:
    hired = employee.hired_on
    years = on.year - hired.year - ((on.month, on.day) < (hired.month, hired.day))
    return max(years, 0)


def balance_for(
    employee: Employee, year: int, *, lock: bool = False, create: bool = True
) -> LeaveBalance:
    """The employee's balance for `year`, opened with the policy's entitlement for the years of
    service at the start of that year (administration may change `entitled` afterwards).
    `create=False` (reading a page): an unsaved row with that entitlement when none exists."""
    qs = LeaveBalance.objects.select_for_update() if lock else LeaveBalance.objects
    balance = qs.filter(employee=employee, year=year).first()
    if balance is not None:
        return balance
    policy = policy_in_force()
    entitled = policy.annual_leave_days(_years_of_service(employee, dt.date(year, 1, 1)))
    if not create:
        return LeaveBalance(employee=employee, year=year, entitled=entitled)
    balance, _created = LeaveBalance.objects.get_or_create(
        employee=employee, year=year, defaults={"entitled": entitled}
    )
    if lock:
        balance = LeaveBalance.objects.select_for_update().get(pk=balance.pk)
    return balance


def remaining(balance: LeaveBalance) -> Decimal:
    return balance.entitled - balance.taken - balance.pending


def _charge(leave: Leave, *, pending: Decimal = 0, taken: Decimal = 0) -> None:
    """Move annual-leave days between the balance's buckets (no-op for other kinds)."""
    if leave.kind != LeaveKind.ANNUAL or not leave.days:
        return
    balance = balance_for(leave.employee, timezone.localtime(leave.start).year, lock=True)
    balance.pending += pending
    balance.taken += taken
    balance.save(update_fields=["pending", "taken"])


# --- who decides (LEAVE-1) --------------------------------------------------------------------


def decider_of(leave: Leave) -> Employee | None:
    """The department lead who decides, or None: the GM office decides (a lead's own leave, a
    department without a lead)."""
    return department_lead_of(leave.employee)


def check_decider(actor, leave: Leave) -> Employee | None:
    """LEAVE-1/5/6: the lead (or the delegate acting for them), or the GM office when the leave
    is a lead's own or was escalated; never the employee themselves. Returns the person the
    actor acts for (None: in their own right)."""
    perms.require_not_own(actor, leave, rule="LEAVE-1")
    lead = decider_of(leave)
    if _lost_to_the_timer(actor, leave, lead):
        # The lead (or their delegate) was the decider until the deadline; time, not their
        # role, took the step away (the LEAVE-5 timer ran first): a conflict, not a refusal.
        raise StateConflict(
            _(
                "The decision deadline (%(due)s) passed undecided; the GM office decides "
                "this leave now."
            ),
            code="state_conflict",
            rule="LEAVE-5",
            params={"due": local_text(_decision_due(leave))},
        )
    if lead is None or leave.escalated_at is not None:
        # Finding 10: a sole GM-office member's own leave goes to the policy's fallback role.
        routing.require_deciding_role(
            actor, Role.GM_OFFICE, case=leave, rule="LEAVE-5" if lead else "LEAVE-1"
        )
        return None
    principal = acting_for(actor, lead)
    if principal is None:
        raise NotAllowed(
            _("Only the lead of the employee's department (%(lead)s) decides this leave."),
            code="not_department_lead",
            rule="LEAVE-1",
            params={"lead": lead.name},
        )
    return principal


def _lost_to_the_timer(actor, leave: Leave, lead: Employee | None) -> bool:
    """LEAVE-5: the request was escalated and the actor is the lead (or acts for them), not
    the GM office."""
    if lead is None or leave.escalated_at is None or perms.has_role(actor, Role.GM_OFFICE):
        return False
    return acting_for(actor, lead) is not None


def _decision_due(leave: Leave) -> dt.datetime:
    deadline = (
        Deadline.objects.filter(case_type=CASE_TYPE, case_id=leave.pk, name=DEADLINE)
        .order_by("-pk")
        .first()
    )
    return deadline.due_at if deadline is not None else leave.escalated_at


def check_pending(leave: Leave, action: str) -> None:
    if leave.state != S.PENDING:
        raise state_conflict(leave, action)


def check_canceller(actor, leave: Leave) -> None:
    """The employee cancels their own request while it waits, or an approved leave before it
    starts."""
    perms.require_owner(actor, leave, rule="LEAVE-1")
    if leave.state == S.APPROVED and leave.start <= timezone.now():
        raise PolicyViolation(
            _(
                "This leave started at %(start)s; an approved leave can be cancelled only before it starts."
            ),
            code="leave_started",
            rule="LEAVE-1",
            params={"start": local_text(leave.start)},
        )
    if leave.state not in (S.PENDING, S.APPROVED):
        raise state_conflict(leave, "cancel")


def _check_submitter(actor, employee: Employee) -> Employee:
    """The employee asks for themselves; their lead may record an emergency for them (LEAVE-2)."""
    me = perms.require_authenticated_employee(actor)
    if me.pk == employee.pk:
        return me
    lead = department_lead_of(employee)
    if lead is not None and acting_for(actor, lead) is not None:
        return me
    raise NotAllowed(
        _("Only the employee, or their department lead for an emergency, records a leave request."),
        code="not_allowed",
        rule="LEAVE-2",
    )


# --- asking (LEAVE-1, LEAVE-2, LEAVE-4) -------------------------------------------------------


def _deadline(emergency: bool, start: dt.datetime, now: dt.datetime) -> DueTime:
    """LEAVE-5: decided before the start. An emergency (LEAVE-2) is decided afterwards, by the
    end of the day after it was recorded."""
    if emergency:
        return due_at(now, 1, mode="calendar", end_of_day=True)
    return DueTime(at=start, provisional=False)


def leave_submit(
    *, actor, kind, start, end, reason, emergency=False, employee=None, delegate=None
) -> Leave:
    """LEAVE-1/2/4: validate everything first, then write the request, its balance charge and its
    decision deadline in one transaction."""
    me = perms.require_authenticated_employee(actor)
    employee = _person(employee, "employee") or me
    submitter = _check_submitter(actor, employee)
    kind = _kind(kind)
    start, end = _moment(start, "start"), _moment(end, "end")
    reason = required_text(reason, field="reason", rule="LEAVE-1")
    emergency = _flag(emergency, "emergency")
    delegate = _person(delegate, "delegate")
    if delegate is not None and delegate.pk == employee.pk:
        raise InvalidInput(
            _("You cannot name yourself as your delegate."),
            code="delegate_is_self",
            rule="LEAVE-6",
            field="delegate",
        )
    if submitter.pk != employee.pk and not emergency:
        raise PolicyViolation(
            _("A lead records a request for an employee only in an emergency (LEAVE-2)."),
            code="emergency_only",
            rule="LEAVE-2",
        )
    if end <= start:
        raise PolicyViolation(
            _("The leave ends (%(end)s) before it starts (%(start)s)."),
            code="end_before_start",
            rule="LEAVE-4",
            params={"start": local_text(start), "end": local_text(end)},
            field="end",
        )
    now = timezone.now()
    policy = policy_in_force(at=now)
    if emergency:
        latest = start + dt.timedelta(hours=policy.emergency_leave_hours)
        if now > latest:
            raise PolicyViolation(
                _(
                    "An emergency request must be recorded within %(hours)s hour(s) of the start: "
                    "by %(latest)s for a leave starting %(start)s."
                ),
                code="emergency_too_late",
                rule="LEAVE-2",
                params={
                    "hours": policy.emergency_leave_hours,
                    "latest": local_text(latest),
                    "start": local_text(start),
                },
                field="start",
            )
    elif start <= now:
        raise PolicyViolation(
            _(
                "Leave is asked for in advance: %(start)s has already passed. If you could not ask "
                "in time, record an emergency request."
            ),
            code="start_in_past",
            rule="LEAVE-4",
            params={"start": local_text(start)},
            field="start",
        )
    days = leave_days_charged(employee=employee, kind=kind, start=start, end=end)
    with atomic():
        # One request at a time per employee: the overlap and balance checks see every
        # committed request (the employee row is the lock on PostgreSQL). The department and
        # its lead come with it: the decision is queued to the lead.
        employee = (
            Employee.objects.select_for_update(of=("self",))
            .select_related("department__lead__user")
            .get(pk=employee.pk)
        )
        clash = (
            Leave.objects.filter(
                employee=employee,
                state__in=[S.PENDING, S.APPROVED],
                start__lt=end,
                end__gt=start,
            )
            .order_by("start")
            .first()
        )
        if clash is not None:
            raise PolicyViolation(
                _(
                    "This overlaps leave request #%(id)s (%(start)s – %(end)s, %(state)s); "
                    "change the dates or cancel that request first."
                ),
                code="overlap",
                rule="LEAVE-4",
                params={
                    "id": clash.pk,
                    "start": local_text(clash.start),
                    "end": local_text(clash.end),
                    "state": clash.get_state_display(),
                },
            )
        if kind == LeaveKind.ANNUAL:
            balance = balance_for(employee, timezone.localtime(start).year, lock=True)
            left = remaining(balance)
            if days > left:
                raise PolicyViolation(
                    _(
                        "This annual leave takes %(days)s day(s) but only %(left)s of your "
                        "%(entitled)s day(s) for %(year)s remain."
                    ),
                    code="annual_balance",
                    rule="LEAVE-4",
                    params={
                        "days": days,
                        "left": left,
                        "entitled": balance.entitled,
                        "year": balance.year,
                    },
                )
        leave = Leave.objects.create(
            employee=employee,
            department=employee.department,
            kind=kind,
            start=start,
            end=end,
            reason=reason,
            emergency=emergency,
            days=days,
            delegate=delegate,
            policy_version=policy.version,
            submitted_at=now,
            submitted_by=submitter,
        )
        new_case(leave)
        _charge(leave, pending=days)
        deadline_open(
            case_type=CASE_TYPE,
            case_id=leave.pk,
            name=DEADLINE,
            due=_deadline(emergency, start, now),
        )
        rules = ["LEAVE-1", "LEAVE-4"] + (["LEAVE-2"] if emergency else [])
        _log(leave, "submit", actor, "", S.PENDING, rules, on_behalf=None)
    return leave


# --- deciding ---------------------------------------------------------------------------------


def _locked(leave: Leave) -> Leave:
    return lock_case(
        Leave,
        leave.pk,
        related=(
            "employee__user",
            "employee__department",
            "department",
        ),
    )


def _log(leave, action, actor, from_state, to_state, rules, comment="", data=None, on_behalf=None):
    log_step(
        leave, action, actor, from_state, to_state, rules, comment, data, on_behalf_of=on_behalf
    )


def _decide(leave, actor, method, reason, rules):
    with atomic():
        leave = _locked(leave)
        check_pending(leave, method)
        principal = check_decider(actor, leave)
        from_state, to_state = transition(leave, method)
        leave.decided_at = timezone.now()
        leave.decided_by = perms.employee_of(actor)
        leave.decision_reason = reason
        leave.save(update_fields=["state", "decided_at", "decided_by", "decision_reason"])
        if method == "approve":
            _charge(leave, pending=-leave.days, taken=leave.days)
            clear_for_leave(leave)  # LEAVE-2, LEAVE-3: its shifts' absence findings cleared
        else:
            _charge(leave, pending=-leave.days)
        deadline_meet(case_type=CASE_TYPE, case_id=leave.pk, name=DEADLINE)
        _log(
            leave,
            method,
            actor,
            from_state,
            to_state,
            rules + (["LEAVE-5"] if leave.escalated_at else []),
            comment=reason,
            on_behalf=on_behalf_of(actor, principal),
        )
    return leave


def leave_approve(*, leave: Leave, actor, comment=None) -> Leave:
    """LEAVE-1: the lead (GM office for a lead's own or an escalated request) approves."""
    comment = optional_text(comment, field="comment")
    rules = ["LEAVE-1"] + (["LEAVE-2"] if leave.emergency else [])
    return _decide(leave, actor, "approve", comment, rules)


def leave_reject(*, leave: Leave, actor, reason=None) -> Leave:
    """LEAVE-1: refusing needs a written reason, which the employee reads."""
    reason = required_text(reason, field="reason", rule="LEAVE-1")
    rules = ["LEAVE-1"] + (["LEAVE-2"] if leave.emergency else [])
    return _decide(leave, actor, "reject", reason, rules)


def leave_cancel(*, leave: Leave, actor, reason=None) -> Leave:
    """The employee withdraws a waiting request, or cancels an approved leave before it starts;
    annual-leave days go back to the balance."""
    reason = optional_text(reason, field="reason")
    with atomic():
        leave = _locked(leave)
        check_canceller(actor, leave)
        was = leave.state
        from_state, to_state = transition(leave, "cancel")
        leave.save(update_fields=["state"])
        if was == S.PENDING:
            _charge(leave, pending=-leave.days)
        else:
            _charge(leave, taken=-leave.days)
            findings_recheck_leave(leave, actor=actor)  # LEAVE-3: what it cleared is found again
        deadline_meet(case_type=CASE_TYPE, case_id=leave.pk, name=DEADLINE)
        _log(leave, "cancel", actor, from_state, to_state, ["LEAVE-1"], comment=reason)
    return leave


def leave_escalate(*, leave: Leave) -> Leave:
    """LEAVE-5: the start (an emergency's decision deadline) passed undecided: the GM office
    decides from now on (the flow's timer, run by the scheduler)."""
    with atomic():
        leave = _locked(leave)
        if leave.state != S.PENDING or leave.escalated_at is not None:
            return leave
        leave.escalated_at = timezone.now()
        leave.save(update_fields=["escalated_at"])
        _log(leave, "decision-overdue", None, S.PENDING, S.PENDING, ["LEAVE-5", "DEADLINE-2"])
    return leave
