"""What an adjustment after close changes downstream (issue 13 item 2; SCORE-7, SCORE-10,
PROMO-2): ledger_adjust holds an `adjustment_watch(employee=, month=)` before it recomputes the
month and calls `.after(adjustment, actor=)` once it has: the alerts are re-evaluated
(performance.alerts.alerts_reevaluate), the open promotions' eligibility compared with what it
was, the open probation named, and the department lead and administration told in one notice,
in the adjustment's transaction. A notice, never an action; nothing is told when nothing
downstream changed. The employee and the administrator who adjusted are not told by it."""

import datetime as dt

from org.models import Employee

from .alerts import (
    _administration_users,
    _label,
    _lead_users,
    _recipients,
    alert_label,
    alerts_reevaluate,
)
from .models import MonthAlert


class AdjustmentWatch:
    """What ledger_adjust holds before it recomputes the month: the open promotions and their
    eligibility then, the open probation; `after()` compares, re-evaluates the alerts and tells
    the department lead and administration in one notice (nothing is acted upon)."""

    def __init__(self, *, employee: Employee, month: dt.date):
        # approvals builds on performance; what an adjustment may change there is read, late
        # imported, never driven from here.
        from approvals.eligibility import evaluate
        from approvals.probation.models import OPEN_STATES as PROBATION_OPEN
        from approvals.probation.models import Probation
        from approvals.promotion.models import OPEN_STATES as PROMOTION_OPEN
        from approvals.promotion.models import Promotion

        self.employee, self.month = employee, month
        self._evaluate = evaluate
        self.promotions = list(
            Promotion.objects.filter(employee=employee, state__in=PROMOTION_OPEN).order_by("pk")
        )
        self.before = {p.pk: evaluate(employee, p.target_level).eligible for p in self.promotions}
        self.probation = Probation.objects.filter(
            employee=employee, state__in=PROBATION_OPEN
        ).first()

    def after(self, adjustment, *, actor=None) -> dict:
        """Re-evaluate and tell; returns what changed downstream (also for the caller's tests)."""
        from notifications.services import notify

        alerts = alerts_reevaluate(employee=self.employee, month=self.month)
        promotions = []
        for p in self.promotions:
            now = self._evaluate(self.employee, p.target_level).eligible
            if now != self.before[p.pk]:
                promotions.append(
                    {
                        "id": p.pk,
                        "target": p.get_target_level_display(),
                        "before": self.before[p.pk],
                        "after": now,
                        "url": f"/promotions/{p.pk}/",
                    }
                )
        downstream = {
            "alerts": alerts,
            "promotions": promotions,
            "probation": self.probation,
        }
        if not (alerts or promotions or self.probation):
            return downstream
        person = Employee.objects.select_related("department").get(pk=self.employee.pk)
        exclude = [person.user_id, getattr(actor, "pk", None)]
        notify(
            users=_recipients(
                _administration_users(), _lead_users([person.department_id]),
                person.department_id, exclude=exclude,
            ),
            template="month_adjusted",
            context={
                "employee": person.name,
                "department": person.department.name,
                "month": _label(self.month),
                "before": {k: str(v) for k, v in adjustment.before.items()},
                "after": {k: str(v) for k, v in adjustment.after.items()},
                "raised": [
                    {"employee": _name(a), "month": _label(a.month), "label": alert_label(a.code)}
                    for a in alerts.raised
                ],
                "withdrawn": [
                    {"employee": _name(a), "month": _label(a.month), "label": alert_label(a.code)}
                    for a in alerts.withdrawn
                ],
                "promotions": promotions,
                "probation": (
                    {"id": self.probation.pk, "url": f"/probations/{self.probation.pk}/"}
                    if self.probation
                    else None
                ),
                "url": f"/alerts/?month={_label(self.month)}",
            },
            dedupe_key=f"month_adjusted:{adjustment.event.pk}",
        )  # fmt: skip
        return downstream


def _name(alert: MonthAlert) -> str:
    return alert.employee.name


def adjustment_watch(*, employee: Employee, month: dt.date) -> AdjustmentWatch:
    return AdjustmentWatch(employee=employee, month=month)
