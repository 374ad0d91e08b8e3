"""Missed-punch make-up 补卡 (PUNCH-1): asked within the window after the missed punch (to the end
of the third local day after it, policy `attendance.punch_window_days`), with a reason, at most
`attendance.punch_max_per_month` (5) a month per employee — the month of the missed punch,
counting pending and approved make-ups, not rejected ones. The department lead approves or
rejects (the GM office for a lead's own)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import permissions as perms
from approvals.db import atomic, lock_case
from approvals.errors import PolicyViolation
from approvals.history import new_case
from org.models import Employee
from policy.deadlines import company_tz, due_at
from policy.services import policy_in_force

from . import common
from .findings import clear_for_makeup
from .models import PunchCorrection, PunchState

S = PunchState
RULE = "PUNCH-1"
COUNTED = (S.PENDING, S.APPROVED)


def locked(punch: PunchCorrection) -> PunchCorrection:
    return lock_case(
        PunchCorrection,
        punch.pk,
        related=(
            "employee__user",
            "department__lead__user",
        ),
    )


def window_end(missed_at: dt.datetime, days: int) -> dt.datetime:
    """The last instant a make-up may be asked: the end of the `days`-th local day after the
    missed punch (a punch missed on Monday: to the end of Thursday)."""
    return due_at(missed_at, days, mode="calendar", end_of_day=True).at


def month_bounds(missed_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The local calendar month of the missed punch, as [start, end) instants."""
    local = missed_at.astimezone(company_tz())
    first = local.date().replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    tz = company_tz()
    return (
        dt.datetime.combine(first, dt.time(), tzinfo=tz),
        dt.datetime.combine(following, dt.time(), tzinfo=tz),
    )


def punch_request(*, actor, missed_at, reason) -> PunchCorrection:
    """PUNCH-1: the employee asks to make up a missed punch."""
    me = perms.require_authenticated_employee(actor)
    missed_at = common.moment(missed_at, field="missed_at")
    reason = common.required_text(reason, field="reason", rule=RULE)
    now = timezone.now()
    policy = policy_in_force(at=now)
    if missed_at > now:
        raise PolicyViolation(
            _("A punch at %(at)s has not been missed yet; ask after it."),
            code="missed_at_in_future",
            rule=RULE,
            params={"at": common.local_text(missed_at)},
            field="missed_at",
        )
    days = policy.punch_window_days
    closes = window_end(missed_at, days)
    if now > closes:
        raise PolicyViolation(
            _(
                "A missed punch is made up within %(days)s days; for %(at)s the window "
                "closed at %(closes)s."
            ),
            code="punch_window_closed",
            rule=RULE,
            params={
                "days": days,
                "at": common.local_text(missed_at),
                "closes": common.local_text(closes),
            },
            field="missed_at",
        )
    limit = policy.punch_max_per_month
    start, end = month_bounds(missed_at)
    with atomic():
        # One employee's requests are counted one at a time (two at once cannot both be the 5th).
        me = Employee.objects.select_for_update().select_related("department").get(pk=me.pk)
        used = PunchCorrection.objects.filter(
            employee=me, state__in=COUNTED, missed_at__gte=start, missed_at__lt=end
        ).count()
        if used >= limit:
            raise PolicyViolation(
                _(
                    "At most %(limit)s missed punches a month can be made up; %(month)s "
                    "already has %(count)s."
                ),
                code="punch_monthly_limit",
                rule=RULE,
                params={"limit": limit, "count": used, "month": f"{start:%Y-%m}"},
                field="missed_at",
            )
        punch = PunchCorrection.objects.create(
            employee=me,
            department=me.department,
            missed_at=missed_at,
            reason=reason,
            policy_version=policy.version,
            submitted_at=now,
        )
        new_case(punch)
        common.log(
            punch,
            "submit",
            actor,
            "",
            S.PENDING,
            [RULE],
            reason,
            {"window_closes": closes.isoformat(), "month_count": used + 1},
        )
    return punch


def check_approver(actor, punch: PunchCorrection, action: str = "approve"):
    return common.check_approver(actor, punch, rule=RULE, action=action, pending_state=S.PENDING)


def punch_approve(*, punchcorrection: PunchCorrection, actor, comment=None) -> PunchCorrection:
    with atomic():
        punch = locked(punchcorrection)
        lead = check_approver(actor, punch, "approve")
        text = common.optional_text(comment, field="comment")
        punch = common.decide(punch, actor, lead, "approve", text, rule=RULE)
        clear_for_makeup(punch)  # ATT-3: the missing-punch finding it answers is cleared
        return punch


def punch_reject(*, punchcorrection: PunchCorrection, actor, reason=None) -> PunchCorrection:
    with atomic():
        punch = locked(punchcorrection)
        lead = check_approver(actor, punch, "reject")
        reason = common.required_text(reason, field="reason", rule=RULE)
        return common.decide(punch, actor, lead, "reject", reason, rule=RULE)
