"""Checks a policy pack's tables for gaps, overlaps, inconsistencies and outliers.

Band tables (tiers, grades) are checked value by value over the score range at the pack's score
resolution (`score_step`): every score must fall in exactly one band. `lint` is pure over the
pack's data; `check_pack` first holds the pack against its JSON Schema (policy/schema.py: a
typo is reported with its JSON path, and the tables are linted only when the shape is right).
`lint_org` is the one check that reads the organisation: a deciding role held by one person.
`manage.py policy_lint`, the admin's form and `load_org` print the findings.
"""

from dataclasses import dataclass
from decimal import Decimal

from org.levels import LADDER, Role

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    path: str
    message: str

    def __str__(self):
        return f"{self.severity.upper():7} {self.code:<24} {self.path}: {self.message}"


def band_contains(band: dict, value: Decimal) -> bool:
    low = Decimal(band["min"])
    above_low = value > low or (band.get("min_inclusive", True) and value == low)
    if band.get("max") is None:
        return above_low
    high = Decimal(band["max"])
    below_high = value < high or (band.get("max_inclusive", False) and value == high)
    return above_low and below_high


def _ranges(values: list[Decimal], step: Decimal) -> list[tuple[Decimal, Decimal]]:
    """Collapse sorted values into runs [first, last]."""
    runs = []
    for v in values:
        if runs and v - runs[-1][1] == step:
            runs[-1] = (runs[-1][0], v)
        else:
            runs.append((v, v))
    return runs


def check_bands(
    bands: list[dict], key: str, path: str, step: Decimal, top: Decimal
) -> list[Finding]:
    findings = []
    uncovered, overlapping = [], {}
    value = Decimal(0)
    while value <= top:
        hits = [b[key] for b in bands if band_contains(b, value)]
        if not hits:
            uncovered.append(value)
        elif len(hits) > 1:
            overlapping.setdefault(tuple(hits), []).append(value)
        value += step
    for low, high in _ranges(uncovered, step):
        span = f"score {low} falls" if low == high else f"scores {low}–{high} fall"
        findings.append(
            Finding(
                "gap", ERROR, path, f"{span} in no band (between {low - step} and {high + step})"
            )
        )
    for names, values in overlapping.items():
        for low, high in _ranges(values, step):
            span = f"{low}" if low == high else f"{low}–{high}"
            findings.append(
                Finding(
                    "overlap",
                    ERROR,
                    path,
                    f"score {span} is claimed by {' and '.join(map(str, names))}",
                )
            )
    return findings


def check_salaries(salaries: dict) -> list[Finding]:
    findings = []
    ladder = [(level, Decimal(salaries[level])) for level in LADDER if level in salaries]
    for (low_level, low), (high_level, high) in zip(ladder, ladder[1:], strict=False):
        if high < low:
            findings.append(
                Finding(
                    "salary_not_monotone",
                    WARNING,
                    f"salaries.{high_level}",
                    f"{high} is below {low_level}'s {low}",
                )
            )
        if low > 0 and high / low > 3:
            findings.append(
                Finding(
                    "salary_outlier",
                    ERROR,
                    f"salaries.{high_level}",
                    f"{high} is {high / low:.1f}× {low_level}'s {low}; the other steps are within 1.5× — a typo (e.g. 30000 for 3000)?",
                )
            )
    return findings


def check_performance_pay(pay: dict) -> list[Finding]:
    findings = []
    rates, formula = pay.get("rates", {}), pay.get("formula_rates", {})
    for tier, rate in rates.items():
        if tier in formula and Decimal(formula[tier]) != Decimal(rate):
            findings.append(
                Finding(
                    "pay_rate_inconsistent",
                    ERROR,
                    f"performance_pay.tier {tier}",
                    f"the rate is {Decimal(rate) * 100:.0f}% but its formula uses {Decimal(formula[tier]) * 100:.0f}%",
                )
            )
    return findings


def check_commission(bands: list[dict]) -> list[Finding]:
    """SCORE-8, PAY-2: one band per threshold, and any amount the handbook prints for a band
    (`printed`, the commission at its threshold) must be what its rate gives."""
    findings = []
    seen: dict[Decimal, int] = {}
    for i, band in enumerate(bands):
        path = f"commission[{i}]"
        low, rate = Decimal(band["min_sales"]), Decimal(band["rate"])
        if low in seen:
            findings.append(
                Finding(
                    "commission_duplicate",
                    ERROR,
                    path,
                    f"sales of {low} start bands {seen[low]} and {i}: which rate applies?",
                )
            )
        seen.setdefault(low, i)
        if "printed" in band and Decimal(band["printed"]) != low * rate:
            printed = Decimal(band["printed"])
            base = f"; {printed} is {_percent(rate)} of {_plain(printed / rate)}" if rate else ""
            findings.append(
                Finding(
                    "commission_misprint",
                    ERROR,
                    path,
                    f"the handbook prints {printed} for sales of {low} at {_percent(rate)}, but "
                    f"{_percent(rate)} of {low} is {_plain(low * rate)}{base}",
                )
            )
    return findings


def _percent(rate: Decimal) -> str:
    return f"{_plain(rate * 100)}%"


def _plain(value: Decimal) -> str:
    """780 rather than 780.000 or 7.8E+2."""
    return format(value.normalize(), "f")


def check_promotion(promotion: dict) -> list[Finding]:
    findings = []
    for level, rule in promotion.get("rules", {}).items():
        path = f"promotion.rules.{level}"
        if int(rule["min_tier1"]) > int(rule["window"]):
            findings.append(
                Finding(
                    "rule_impossible", ERROR, path, "needs more tier-1 months than the window has"
                )
            )
        if int(rule.get("floor_window", rule["window"])) < int(rule["window"]):
            findings.append(
                Finding(
                    "floor_window_short",
                    WARNING,
                    path,
                    "the floor window is shorter than the window",
                )
            )
    if int(promotion.get("vote_min_ballots", 3)) < 2:
        findings.append(
            Finding(
                "vote_min_ballots_low",
                ERROR,
                "promotion.vote_min_ballots",
                "a tally of fewer than 2 ballots shows how the voter voted (PROMO-3.2)",
            )
        )
    mark = Decimal(promotion["defence"]["pass_mark"])
    if not (0 <= mark <= 100):
        findings.append(
            Finding(
                "pass_mark_range", ERROR, "promotion.defence.pass_mark", f"{mark} is outside 0–100"
            )
        )
    return findings


def lint(data: dict) -> list[Finding]:
    step = Decimal(data.get("score_step", "0.1"))
    top = Decimal(data.get("score_max", "110"))
    findings = []
    findings += check_bands(data["tiers"], "tier", "tiers", step, top)
    findings += check_bands(data["grades"], "grade", "grades", step, top)
    findings += check_salaries(data["salaries"])
    findings += check_performance_pay(data.get("performance_pay", {}))
    findings += check_commission(data.get("commission", []))
    findings += check_promotion(data["promotion"])
    if "score_events" in data:
        from .lint_catalogue import check_catalogue

        findings += check_catalogue(data)
    return findings


def check_pack(data) -> list[Finding]:
    """The schema's findings (errors with their JSON path); when there are none, the linter's."""
    from .schema import schema_errors

    shape = [Finding("schema", ERROR, path, message) for path, message in schema_errors(data)]
    return shape or lint(data)


# The roles whose queue decides a step of some process (workflows/*: `.Permission("org.<role>")`).
DECIDING_ROLES = (Role.GM_OFFICE, Role.ADMINISTRATION, Role.TRAINER)


def lint_org(policy) -> list[Finding]:
    """A deciding role held by one person: that person's own requests cannot be decided in the
    role's queue, so they go to the fallback role the policy names
    (`routing.self_decision_fallback`). Warnings: the organisation, not the pack, is to change."""
    from org.selectors import users_with_role

    fallback = policy.self_decision_fallback
    fallback_holders = set(users_with_role(fallback).values_list("pk", flat=True))
    findings = []
    for role in DECIDING_ROLES:
        holders = list(users_with_role(role))
        if len(holders) != 1:
            continue
        (holder,) = holders
        name = holder.get_full_name() or holder.username
        stuck = role == fallback or not (fallback_holders - {holder.pk})
        findings.append(
            Finding(
                "role_single_holder",
                WARNING,
                f"org.roles.{role}",
                f"{name} ({holder.username}) alone holds {role}: their own requests go to "
                f"{fallback}"
                + (", where nobody else can decide them" if stuck else "")
                + " (routing.self_decision_fallback)",
            )
        )
    return findings
