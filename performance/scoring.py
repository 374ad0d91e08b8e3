"""A month's score from its events, last place in a department, and the alerts over closed months
(SCORE-3, SCORE-4, SCORE-5, SCORE-7, SCORE-10, SCORE-11).

Pure computation for the ledger to build on: no database, Decimal only, every figure read from the
policy pack passed in (a `policy.pack.Policy`: the version the month is computed under). Each
function returns a result that carries its `Trace` (performance/trace.py): the rule IDs and the
events or months that made it.

- `month_score(policy, events)`: SCORE-10's 80 + bonuses − deductions − the SCORE-3 surcharge,
  capped (SCORE-1) and floored, then graded (SCORE-4) and tiered (SCORE-5) by the pack's own
  tables (`Policy.grade_for`, `Policy.tier_for`, as recorded assessments are). The same function
  gives an agent's running score while the month fills and the score frozen at close.
- `last_in_department(policy, scores)`: SCORE-11, ties all last.
- `alert_below`, `alert_last_in_department`, `alert_failed_streak`, `month_alerts`: SCORE-7 over
  an employee's closed months.

An event is anything with `code` (a catalogue code) and `points` (signed, as booked: a deduction
negative), and optionally `ref` (how the trace names it; else `score_event:<pk>` when it has a
`pk`). `EventInput` is such a thing. An event withdrawn by a correction is simply not passed.
"""

import datetime as dt
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from policy.catalogue import BONUS, DEDUCTION, SIGNED

from .trace import Step, Trace, as_decimal

# Which rule an event applies when its catalogue entry names none.
_KIND_RULE = {BONUS: "SCORE-2", DEDUCTION: "SCORE-3", SIGNED: "SCORE-10"}


@dataclass(frozen=True)
class EventInput:
    """One event of a month as the computation reads it."""

    code: str
    points: Decimal
    ref: str | None = None
    fine: Decimal = Decimal(0)


def event_ref(event) -> str | None:
    ref = getattr(event, "ref", None)
    if ref:
        return str(ref)
    pk = getattr(event, "pk", None)
    return f"score_event:{pk}" if pk is not None else None


# --- the month's score (SCORE-10) -----------------------------------------------------------


@dataclass(frozen=True)
class MonthScore:
    score: Decimal  # the month's score: raw, capped and floored
    grade: str  # SCORE-4
    tier: int  # SCORE-5
    raw: Decimal  # base + events − surcharge, before the cap and the floor
    bonuses: Decimal  # added by bonus events
    deductions: Decimal  # taken by deduction events (a magnitude)
    adjustments: Decimal  # the net of signed events (a team lead's extra, corrections)
    surcharge: Decimal  # SCORE-3's further deduction (a magnitude), or 0
    band_counts: Mapping[str, int]  # deductions that count toward the surcharge, per band
    policy_version: str
    trace: Trace


def month_score(policy, events: Iterable) -> MonthScore:
    """SCORE-10: the month's score from its events under `policy`.

    Each event's points are held against its catalogue entry (sign, range, step): a figure the
    catalogue does not allow raises `policy.catalogue.CatalogueError`, an unknown code
    LookupError. The surcharge is added once when any band reaches its threshold (default: 2
    medium or 4 light deductions), however far past it the month goes."""
    base = policy.score_base
    steps = [Step("SCORE-10", "base", base)]
    totals = {BONUS: Decimal(0), DEDUCTION: Decimal(0), SIGNED: Decimal(0)}
    counts: Counter = Counter()
    for event in events:
        entry = policy.score_event(event.code)
        points = entry.check_booked(as_decimal(event.points, f"points of {event.code}"))
        if entry.kind in totals:
            totals[entry.kind] += points
        if entry.counts_for_surcharge:
            counts[entry.band] += 1
        steps.append(
            Step(
                entry.rules[0] if entry.rules else _KIND_RULE.get(entry.kind, "SCORE-9"),
                "event",
                points,
                ref=event_ref(event),
                data={"code": entry.code, "kind": entry.kind, "band": entry.band},
            )
        )
    thresholds = policy.surcharge_thresholds
    reached = sorted(band for band, n in thresholds.items() if counts[band] >= n)
    surcharge = policy.surcharge_points if reached else Decimal(0)
    if reached:
        steps.append(
            Step(
                "SCORE-3",
                "surcharge",
                -surcharge,
                data={
                    "reached": reached,
                    "counts": {band: counts[band] for band in thresholds},
                    "thresholds": thresholds,
                },
            )
        )
    raw = base + totals[BONUS] + totals[DEDUCTION] + totals[SIGNED] - surcharge
    score = raw
    if score > policy.score_cap:
        steps.append(
            Step("SCORE-1", "cap", policy.score_cap - score, data={"cap": policy.score_cap})
        )
        score = policy.score_cap
    if score < policy.score_floor:
        steps.append(
            Step(
                "SCORE-10", "floor", policy.score_floor - score, data={"floor": policy.score_floor}
            )
        )
        score = policy.score_floor
    steps.append(Step("SCORE-10", "score", score))
    grade, tier = policy.grade_for(score), policy.tier_for(score)
    steps.append(Step("SCORE-4", "grade", data={"grade": grade}))
    steps.append(Step("SCORE-5", "tier", data={"tier": tier}))
    return MonthScore(
        score=score,
        grade=grade,
        tier=tier,
        raw=raw,
        bonuses=totals[BONUS],
        deductions=-totals[DEDUCTION],
        adjustments=totals[SIGNED],
        surcharge=surcharge,
        band_counts={band: counts[band] for band in sorted(counts)},
        policy_version=policy.version,
        trace=Trace.of(steps),
    )


# --- last in the department (SCORE-11) ------------------------------------------------------


@dataclass(frozen=True)
class LastPlace:
    keys: frozenset  # the agents last (all of them when tied); empty without a last place
    score: Decimal | None  # the lowest score, or None
    trace: Trace


def last_in_department(policy, scores: Mapping[Hashable, Decimal]) -> LastPlace:
    """SCORE-11: the agents with the lowest closed score of the department's month, `scores`
    being agent → score (the caller chooses who counts as the department's agents). Every agent
    tied on the lowest score is last. A department with fewer agents than the pack's
    `score_alerts.last_in_department.min_agents` (default 2) has no last place: one agent alone
    is not last among anyone."""
    values = {key: as_decimal(score, f"score of {key}") for key, score in scores.items()}
    if len(values) < policy.last_place_min_agents:
        step = Step(
            "SCORE-11",
            "no_last_place",
            data={"agents": len(values), "min_agents": policy.last_place_min_agents},
        )
        return LastPlace(frozenset(), None, Trace.of([step]))
    lowest = min(values.values())
    keys = frozenset(key for key, value in values.items() if value == lowest)
    steps = [
        Step("SCORE-11", "last_place", lowest, data={"agents": len(values), "tied": len(keys)})
    ]
    steps += [Step("SCORE-11", "last", lowest, ref=str(key)) for key in sorted(keys, key=str)]
    return LastPlace(keys, lowest, Trace.of(steps))


# --- alerts over closed months (SCORE-7) ----------------------------------------------------

ALERT_BELOW = "below"
ALERT_LAST_IN_DEPARTMENT = "last_in_department"
ALERT_FAILED_STREAK = "failed_streak"


@dataclass(frozen=True)
class ClosedMonth:
    """One closed month of an employee as the alerts read it."""

    month: dt.date  # any day of the month
    score: Decimal
    tier: int  # as closed (under that month's policy)
    last_in_department: bool = False  # SCORE-11, from last_in_department() at its close
    ref: str | None = None


@dataclass(frozen=True)
class Alert:
    code: str  # ALERT_BELOW, ALERT_LAST_IN_DEPARTMENT or ALERT_FAILED_STREAK
    month: dt.date  # the month that raised it (first day)
    months: tuple[ClosedMonth, ...]  # the evidence, oldest first
    trace: Trace

    @property
    def rules(self) -> tuple[str, ...]:
        return self.trace.rules


def _first(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _previous(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def _ordered(months: Iterable[ClosedMonth]) -> list[ClosedMonth]:
    rows = sorted(months, key=lambda m: _first(m.month))
    seen = [_first(m.month) for m in rows]
    if len(set(seen)) != len(seen):
        raise ValueError("an employee has one closed score per month (SCORE-1)")
    return rows


def _trailing(rows: list[ClosedMonth], holds) -> list[ClosedMonth]:
    """The run of calendar-consecutive months ending with the latest, each satisfying `holds`,
    oldest first (a missing month breaks the run, as in PROMO-2)."""
    run: list[ClosedMonth] = []
    for row in reversed(rows):
        if run and _first(row.month) != _previous(_first(run[-1].month)):
            break
        if not holds(row):
            break
        run.append(row)
    return list(reversed(run))


def _alert(code: str, evidence: list[ClosedMonth], steps: list[Step]) -> Alert:
    return Alert(code, _first(evidence[-1].month), tuple(evidence), Trace.of(steps))


def alert_below(policy, months: Sequence[ClosedMonth]) -> Alert | None:
    """SCORE-7: the latest closed month scored below the mark (default 60; 59.9 is, 60 is not)."""
    rows = _ordered(months)
    if not rows:
        return None
    latest, mark = rows[-1], policy.alert_below
    if not as_decimal(latest.score) < mark:
        return None
    step = Step(
        "SCORE-7", ALERT_BELOW, as_decimal(latest.score), ref=latest.ref, data={"below": mark}
    )
    return _alert(ALERT_BELOW, [latest], [step])


def alert_last_in_department(policy, months: Sequence[ClosedMonth]) -> Alert | None:
    """SCORE-7/11: the latest N consecutive closed months (default 2) each last in the department
    and each scored below the mark (default 70)."""
    mark, n = policy.alert_last_below, policy.alert_last_months
    run = _trailing(_ordered(months), lambda m: m.last_in_department and as_decimal(m.score) < mark)
    if len(run) < n:
        return None
    evidence = run[-n:]
    steps = [
        Step("SCORE-11", "last", as_decimal(m.score), ref=m.ref, data={"month": f"{m.month:%Y-%m}"})
        for m in evidence
    ]
    steps.append(Step("SCORE-7", ALERT_LAST_IN_DEPARTMENT, data={"months": n, "below": mark}))
    return _alert(ALERT_LAST_IN_DEPARTMENT, evidence, steps)


def alert_failed_streak(policy, months: Sequence[ClosedMonth]) -> Alert | None:
    """SCORE-7: the latest N consecutive closed months (default 3) all failed (tier 4 or worse).
    A streak that goes on raises it again each month."""
    tier, n = policy.alert_failed_tier, policy.alert_failed_months
    run = _trailing(_ordered(months), lambda m: int(m.tier) >= tier)
    if len(run) < n:
        return None
    evidence = run[-n:]
    steps = [
        Step("SCORE-5", "tier", data={"month": f"{m.month:%Y-%m}", "tier": m.tier}, ref=m.ref)
        for m in evidence
    ]
    steps.append(Step("SCORE-7", ALERT_FAILED_STREAK, data={"months": n, "tier": tier}))
    return _alert(ALERT_FAILED_STREAK, evidence, steps)


def month_alerts(policy, months: Sequence[ClosedMonth]) -> list[Alert]:
    """SCORE-7: every alert the latest closed month raises, in a fixed order."""
    found = (
        alert_below(policy, months),
        alert_last_in_department(policy, months),
        alert_failed_streak(policy, months),
    )
    return [alert for alert in found if alert is not None]
