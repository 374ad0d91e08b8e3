"""What a month's figures are worth (SCORE-6, SCORE-8, PAY-1, PAY-2).

Pure computation for the pay sheet to build on: no database, Decimal only (a float is refused),
every figure read from the policy pack passed in. Each function returns a `Figure`: its exact
`amount` (yuan, signed as it moves pay: a fine is negative), the `line` PAY-1 puts on the sheet
(that amount rounded half up to 0.01, once, at the line: nothing is rounded in between) and its
`Trace`. `pay_row` puts the lines of one employee's month together; its total is the sum of the
rounded lines.

Month of service (SCORE-6) is counted in calendar months, as scores are (SCORE-1): the month that
contains the hire date is month 1, whatever its day, the next month 2, and so on
(`service_month`). Probation counts its months the same way (from the hire month).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .scoring import event_ref
from .trace import Step, Trace, as_decimal

YUAN = Decimal("0.01")
BASE, FLOAT, PERFORMANCE, COMMISSION, FINES, REWARDS = (
    "base",
    "salary_float",
    "performance_pay",
    "commission",
    "fines",
    "rewards",
)


def round_line(amount) -> Decimal:
    """PAY-1: a pay line in yuan, rounded half up to 0.01 (0.005 → 0.01, −0.005 → −0.01)."""
    return as_decimal(amount, "amount").quantize(YUAN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figure:
    code: str  # BASE, FLOAT, PERFORMANCE, COMMISSION, FINES or REWARDS
    amount: Decimal  # exact, never rounded
    policy_version: str | None
    trace: Trace

    @property
    def line(self) -> Decimal:
        """PAY-1: what the pay sheet shows."""
        return round_line(self.amount)


def service_month(hired_on: dt.date, month: dt.date) -> int:
    """SCORE-6: which month of service `month` (any day of it) is: the hire month is 1. A month
    before the hire month has none (ValueError)."""
    n = (month.year - hired_on.year) * 12 + month.month - hired_on.month + 1
    if n < 1:
        raise ValueError(f"{month:%Y-%m} is before the hire month {hired_on:%Y-%m}")
    return n


def base_salary(base, *, level: str | None = None, ref: str | None = None) -> Figure:
    """PAY-1/ORG-3: the base of the level held on the month's last day (the caller finds it)."""
    amount = as_decimal(base, "base")
    step = Step("ORG-3", "base", amount, ref=ref, data={"level": level} if level else {})
    return Figure(BASE, amount, None, Trace.of([step]))


def salary_float(policy, score, *, service_month: int, score_ref: str | None = None) -> Figure:
    """SCORE-6: `float_per_point` yuan per point away from `float_around`, clamped to
    ±`float_clamp`; 0 before the `float_from_month`-th month of service (default: the first two
    months are scored but do not float). Default pack: 91 → +110, 68 → −120, 40 → −300."""
    score = as_decimal(score, "score")
    steps = [Step("SCORE-6", "score", score, ref=score_ref)]
    if service_month < policy.float_from_month:
        steps.append(
            Step(
                "SCORE-6",
                "not_yet",
                Decimal(0),
                data={"service_month": service_month, "from_month": policy.float_from_month},
            )
        )
        return Figure(FLOAT, Decimal(0), policy.version, Trace.of(steps))
    unclamped = (score - policy.float_around) * policy.float_per_point
    amount = max(-policy.float_clamp, min(policy.float_clamp, unclamped))
    steps.append(
        Step(
            "SCORE-6",
            "float",
            unclamped,
            data={"around": policy.float_around, "per_point": policy.float_per_point},
        )
    )
    if amount != unclamped:
        steps.append(Step("SCORE-6", "clamp", amount, data={"clamp": policy.float_clamp}))
    return Figure(FLOAT, amount, policy.version, Trace.of(steps))


def performance_pay(
    policy, *, base, score, tier: int | None = None, score_ref: str | None = None
) -> Figure:
    """SCORE-8: base × the tier's rate × score / 100. The tier is the closed month's (pass it
    when it was stored under the month's policy), else the pack's tier of the score. Default
    pack: base 2400 at 85 (tier 2, 10 %) → 204."""
    base, score = as_decimal(base, "base"), as_decimal(score, "score")
    tier = policy.tier_for(score) if tier is None else int(tier)
    rate = policy.performance_pay_rate(tier)
    amount = base * rate * score / 100
    steps = [
        Step("SCORE-5", "tier", ref=score_ref, data={"score": score, "tier": tier}),
        Step("SCORE-8", "performance_pay", amount, data={"base": base, "rate": rate}),
    ]
    return Figure(PERFORMANCE, amount, policy.version, Trace.of(steps))


def commission(policy, sales, *, sales_ref: str | None = None) -> Figure:
    """SCORE-8: the month's sales × the rate of the highest band they reach (a band is reached at
    its minimum); below the lowest band, nothing. Default pack: 20 000 → 140, 30 000 → 270,
    40 000 → 400, 60 000 → 780."""
    sales = as_decimal(sales, "sales")
    if sales < 0:
        raise ValueError(f"sales {sales} are negative")
    reached = [(low, rate) for low, rate in policy.commission_bands if sales >= low]
    if not reached:
        lowest = policy.commission_bands[0][0] if policy.commission_bands else None
        step = Step(
            "SCORE-8", "no_band", Decimal(0), ref=sales_ref, data={"sales": sales, "lowest": lowest}
        )
        return Figure(COMMISSION, Decimal(0), policy.version, Trace.of([step]))
    low, rate = reached[-1]
    amount = sales * rate
    step = Step(
        "SCORE-8",
        "commission",
        amount,
        ref=sales_ref,
        data={"sales": sales, "band": low, "rate": rate},
    )
    return Figure(COMMISSION, amount, policy.version, Trace.of([step]))


def fines(events: Iterable) -> Figure:
    """PAY-1: the month's fines (each event's `fine`: a final penalty's, PEN-1; an attendance
    finding's, ATT-2), as one negative amount."""
    steps, total = [], Decimal(0)
    for event in events:
        fine = as_decimal(getattr(event, "fine", 0) or 0, "fine")
        if not fine:
            continue
        total += fine
        code = getattr(event, "code", None)
        steps.append(Step("PAY-1", "fine", -fine, ref=event_ref(event), data={"code": code}))
    return Figure(FINES, -total, None, Trace.of(steps))


@dataclass(frozen=True)
class Reward:
    """A reward or award booked to the month (AWARD-1, seed 000's monthly rewards)."""

    amount: Decimal
    rule: str = "PAY-1"
    ref: str | None = None


def rewards(items: Iterable[Reward]) -> Figure:
    """PAY-1: the month's rewards and awards, as one amount."""
    steps, total = [], Decimal(0)
    for item in items:
        amount = as_decimal(item.amount, "reward")
        total += amount
        steps.append(Step(item.rule, "reward", amount, ref=item.ref))
    return Figure(REWARDS, total, None, Trace.of(steps))


@dataclass(frozen=True)
class PayRow:
    lines: tuple[Figure, ...]  # base, float, performance pay, commission, fines, rewards
    policy_version: str

    def line(self, code: str) -> Decimal:
        return next(figure.line for figure in self.lines if figure.code == code)

    @property
    def total(self) -> Decimal:
        """PAY-1: the sum of the rounded lines (rounded at the line, never in between)."""
        return sum((figure.line for figure in self.lines), Decimal(0))

    @property
    def trace(self) -> Trace:
        return sum((figure.trace for figure in self.lines), Trace())


def pay_row(
    policy,
    *,
    base,
    score,
    service_month: int,
    sales=Decimal(0),
    tier: int | None = None,
    events: Iterable = (),
    awards: Iterable[Reward] = (),
    level: str | None = None,
    score_ref: str | None = None,
    sales_ref: str | None = None,
) -> PayRow:
    """PAY-1: one employee's month: base, salary float, performance pay (on that base and the
    closed score), commission, the fines of the month's `events` and the `awards`."""
    return PayRow(
        lines=(
            base_salary(base, level=level),
            salary_float(policy, score, service_month=service_month, score_ref=score_ref),
            performance_pay(policy, base=base, score=score, tier=tier, score_ref=score_ref),
            commission(policy, sales, sales_ref=sales_ref),
            fines(events),
            rewards(awards),
        ),
        policy_version=policy.version,
    )
