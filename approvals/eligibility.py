"""Promotion eligibility from monthly scores (PROMO-2), with the evidence for reviewers.

Windows end with the last complete month before `at` (company time zone). Within the main window
every month must be present (a missing month breaks "consecutive") and at the required tier, with
the required number of tier-1 months; within the longer floor window no recorded month may be
worse than the floor tier (months before the employee's records begin do not count against them).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from org.levels import LADDER, Level
from performance.models import Assessment
from policy.services import policy_in_force

RULE = "PROMO-2"


class Reason:
    """A reason rendered in the language active when it is read (str()), so one evaluation
    serves every language the case keeps its reasons in."""

    __slots__ = ("message", "params")

    def __init__(self, message, **params):
        self.message, self.params = message, params

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)

    def __repr__(self) -> str:
        return f"Reason({str(self)!r})"


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    rule: str
    months: list[dict] = field(default_factory=list)
    reasons: list = field(default_factory=list)
    skip_level: bool = False


def complete_months(n: int, at: dt.datetime) -> list[dt.date]:
    """First days of the n complete months before `at`, oldest first."""
    month = timezone.localtime(at).date().replace(day=1)
    months = []
    for _i in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return list(reversed(months))


def evaluate(employee, target_level: str, at: dt.datetime | None = None) -> Eligibility:
    at = at or timezone.now()
    current = employee.level
    if target_level == Level.JUNIOR:
        return Eligibility(
            False,
            "PROB-2",
            reasons=[_("Becoming a junior agent is decided by probation conversion.")],
        )
    if (
        current is None
        or target_level not in LADDER
        or LADDER.index(target_level) <= LADDER.index(current)
    ):
        return Eligibility(
            False, RULE, reasons=[_("The target level is not above the current level.")]
        )
    skip_level = LADDER.index(target_level) - LADDER.index(current) > 1
    rule = policy_in_force(at=at).promotion_rule(target_level)
    if rule is None:
        return Eligibility(
            False, RULE, reasons=[_("The policy has no promotion rule for this level.")]
        )

    window, floor_window = int(rule["window"]), int(rule.get("floor_window", rule["window"]))
    span = complete_months(max(window, floor_window), at)
    rows = {
        a.month: a
        for a in Assessment.objects.filter(
            employee=employee, month__gte=span[0], month__lte=span[-1]
        )
    }
    main = span[-window:]
    floor = span[-floor_window:]
    months = [
        {
            "month": m.strftime("%Y-%m"),
            "score": str(rows[m].score) if m in rows else None,
            "tier": rows[m].tier if m in rows else None,
            "grade": rows[m].grade if m in rows else None,
            "counted": m in main,
        }
        for m in span
    ]
    reasons = []
    missing = [m.strftime("%Y-%m") for m in main if m not in rows]
    if missing:
        reasons.append(
            Reason(
                _("No score for %(months)s: the last %(n)s months must be consecutive."),
                months=", ".join(missing),
                n=window,
            )
        )
    too_low = [
        m.strftime("%Y-%m") for m in main if m in rows and rows[m].tier > int(rule["max_tier"])
    ]
    if too_low:
        reasons.append(
            Reason(
                _("%(months)s below tier %(tier)s."),
                months=", ".join(too_low),
                tier=rule["max_tier"],
            )
        )
    tier1 = sum(1 for m in main if m in rows and rows[m].tier == 1)
    if tier1 < int(rule["min_tier1"]):
        reasons.append(
            Reason(
                ngettext_lazy(
                    "%(have)s of the last %(n)s months is at tier 1; %(need)s are required.",
                    "%(have)s of the last %(n)s months are at tier 1; %(need)s are required.",
                    tier1,
                ),
                have=tier1,
                n=window,
                need=rule["min_tier1"],
            )
        )
    floor_tier = int(rule.get("floor_max_tier", rule["max_tier"]))
    below_floor = [m.strftime("%Y-%m") for m in floor if m in rows and rows[m].tier > floor_tier]
    if floor_window > window and below_floor:
        reasons.append(
            Reason(
                _("%(months)s below tier %(tier)s within the last %(n)s months."),
                months=", ".join(below_floor),
                tier=floor_tier,
                n=floor_window,
            )
        )
    eligible = not reasons
    if eligible:
        reasons.append(
            Reason(
                _(
                    "The last %(n)s months meet the rule: %(have)s at tier 1, none below tier %(tier)s."
                ),
                n=window,
                have=tier1,
                tier=rule["max_tier"],
            )
        )
    return Eligibility(eligible, RULE, months=months, reasons=reasons, skip_level=skip_level)
