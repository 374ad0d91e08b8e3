"""Who may import and see the roster 值班表 (ATT-1), with the lead's delegate (LEAVE-6).

Actors: administration imports and sees every department's roster; a department lead the
departments they lead; while a lead is on an approved leave that names a delegate, the delegate
has the lead's departments too, for the leave's duration only (the same question as
`approvals.delegation.acting_for`: from the leave's start to its end, read when asked, so
nothing moves when it starts or ends). The import then records the lead in `on_behalf_of`
("X for Y", rule LEAVE-6). Anyone else is refused (`NotAllowed`, rule ATT-1); a delegate
outside the leave is told whom they stand in for and when. The week grid and the API's list
read the same scope (`approvals.attendance.roster_grid.visible_departments`, which adds the GM
office's read of every department). Rules: ATT-1, LEAVE-6.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy

from approvals import delegation
from approvals import permissions as perms
from approvals.errors import NotAllowed
from approvals.inputs import local_minute
from approvals.leave.models import Leave, LeaveState
from org.levels import Role
from org.models import Department, Employee

RULE = "ATT-1"


@dataclass(frozen=True)
class RosterScope:
    """`departments`: None for every department (administration), else the ids the actor may
    import and see the roster of; `standing_in`: those of them the actor has as a lead's
    delegate (LEAVE-6), each with the lead on leave."""

    departments: set[int] | None
    standing_in: dict[int, Employee] = field(default_factory=dict)

    def acting_for(self, department_ids) -> list[Employee]:
        """The leads on leave whose departments these are (by pk): whom an import of their
        employees' rows is done for."""
        leads = {d: self.standing_in[d] for d in department_ids if d in self.standing_in}
        return sorted({lead.pk: lead for lead in leads.values()}.values(), key=lambda e: e.pk)


def led_departments(actor) -> set[int]:
    """The departments the actor leads (Department.lead)."""
    me = perms.employee_of(actor)
    if me is None:
        return set()
    return set(Department.objects.filter(lead=me).values_list("pk", flat=True))


def standing_in_for(actor, at: dt.datetime | None = None) -> dict[int, Employee]:
    """LEAVE-6: {department id: its lead} for the departments whose lead is, at `at` (default
    now), on an approved leave naming the actor as delegate. No query when nobody is away with
    a delegate (the cached table of `approvals.delegation`; a hit is read from the leaves)."""
    me = perms.employee_of(actor)
    if me is None:
        return {}
    at = at or timezone.now()
    if not delegation.anyone_away(at):
        return {}
    leads = delegation.principals_of(me, at)
    if not leads:
        return {}
    return {
        department.pk: department.lead
        for department in Department.objects.filter(lead__in=leads).select_related("lead__user")
    }


def roster_departments(actor) -> set[int]:
    """The departments the actor leads, and those they stand in for now (LEAVE-6)."""
    return led_departments(actor) | set(standing_in_for(actor))


def roster_scope_of(actor) -> RosterScope:
    """Whose roster the actor imports and sees, and for whom (LEAVE-6). NotAllowed for anyone
    else (ATT-1)."""
    if perms.has_role(actor, Role.ADMINISTRATION):
        return RosterScope(None)
    led = led_departments(actor)
    standing = {pk: lead for pk, lead in standing_in_for(actor).items() if pk not in led}
    if not led and not standing:
        raise _refusal(actor)
    return RosterScope(led | set(standing), standing)


def roster_scope(actor) -> set[int] | None:
    """None: every department (administration); else the departments the actor may import and
    see the roster of (the ones they lead, and for a delegate the ones of the lead they stand in
    for, LEAVE-6). NotAllowed for anyone else (ATT-1)."""
    return roster_scope_of(actor).departments


def _refusal(actor) -> NotAllowed:
    """ATT-1: neither a lead nor administration. A lead's delegate whose stand-in is not running
    now is told whose, and when it runs (the next one, else the last)."""
    me = perms.employee_of(actor)
    leave = _stand_in_elsewhen(me) if me is not None else None
    if leave is not None:
        return NotAllowed(
            gettext_lazy(
                "You import the roster for %(lead)s only while their leave runs, %(start)s – "
                "%(end)s (LEAVE-6); otherwise only a department lead or administration does."
            ),
            code="wrong_role",
            rule=RULE,
            params={
                "lead": leave.employee.name,
                "start": local_minute(leave.start),
                "end": local_minute(leave.end),
            },
        )
    return NotAllowed(
        gettext_lazy("Only a department lead or administration imports the roster."),
        code="wrong_role",
        rule=RULE,
    )


def _stand_in_elsewhen(me: Employee) -> Leave | None:
    """The approved leave of a department lead naming `me` as delegate that is not running now:
    the next to start, else the last to have ended."""
    now = timezone.now()
    leaves = list(
        Leave.objects.filter(
            delegate=me, state=LeaveState.APPROVED, employee__led_departments__isnull=False
        )
        .select_related("employee")
        .order_by("-end")
        .distinct()[:10]
    )
    ahead = [leave for leave in leaves if leave.start > now]
    if ahead:
        return min(ahead, key=lambda leave: leave.start)
    past = [leave for leave in leaves if leave.end <= now]
    return past[0] if past else None
