"""The linter's checks of the event catalogue and the month's rules (SCORE-2, SCORE-3, SCORE-9,
SCORE-10), split from policy/lint.py. The JSON Schema has already held the shape (types, required
keys, both labels present); these are the checks a schema cannot state: a code used twice, a
range upside down, points outside their band, a label of blanks, a month rule that cannot hold.
Every finding names the entry by its code (`score_events.late_or_early`) or, without a usable
code, by its position."""

from collections import Counter
from decimal import Decimal

from .catalogue import DEDUCTION, FINE, LANGUAGES, SIGNED
from .lint import ERROR, Finding


def _path(i: int, entry: dict, codes: Counter) -> str:
    code = entry.get("code")
    return f"score_events.{code}" if code and codes[code] == 1 else f"score_events[{i}]"


def _points(entry: dict, sanction_points: dict) -> tuple[Decimal, Decimal] | None:
    if entry.get("sanction"):
        value = sanction_points.get(entry["sanction"])
        return None if value is None else (Decimal(value), Decimal(value))
    if "points" in entry:
        return Decimal(entry["points"]), Decimal(entry["points"])
    if "min" in entry:
        return Decimal(entry["min"]), Decimal(entry["max"])
    return None


def check_entry(
    entry: dict, path: str, *, bands: dict, sanction_points: dict, step: Decimal, cap: Decimal
) -> list[Finding]:
    findings = []

    def error(code: str, message: str) -> None:
        findings.append(Finding(code, ERROR, path, message))

    kind = entry["kind"]
    for language in LANGUAGES:
        if not entry["labels"].get(language, "").strip():
            error("catalogue_label_missing", f"no {language} label")
    has_points, has_range = "points" in entry, "min" in entry
    if has_points and has_range:
        error("catalogue_points_and_range", "give a fixed `points` or a `min`..`max`, not both")
    if entry.get("sanction"):
        if kind != DEDUCTION:
            error("catalogue_sanction_kind", "a sanction's points are a deduction")
        if has_points or has_range or "fine" in entry:
            error(
                "catalogue_sanction_points",
                "a sanction's points come from penalties.points and its fine from the case",
            )
        if entry["sanction"] not in sanction_points:
            error("catalogue_sanction_unknown", f"penalties.points has no {entry['sanction']}")
    elif kind == FINE:
        if has_points or has_range:
            error("catalogue_fine_points", "a fine carries no points")
        if "fine" not in entry:
            error("catalogue_fine_missing", "a fine event needs its `fine`")
    elif not (has_points or has_range):
        error("catalogue_no_points", "needs a fixed `points` or a `min`..`max`")
    if "fine" in entry and Decimal(entry["fine"]) < 0:
        error("catalogue_fine_negative", f"fine {entry['fine']} is negative")
    if kind == DEDUCTION and "band" not in entry:
        error("catalogue_band_missing", "a deduction needs its band (light, medium, ...)")
    if kind != DEDUCTION and "band" in entry:
        error("catalogue_band_unexpected", f"only a deduction has a band, not a {kind}")
    span = _points(entry, sanction_points)
    if span is None:
        return findings
    low, high = span
    if low > high:
        error("catalogue_range_reversed", f"min {low} is above max {high}")
        return findings
    for value in {low, high}:
        if value % step:
            error("catalogue_points_step", f"{value} is not a multiple of score_step {step}")
    if kind == DEDUCTION and entry.get("band") in bands:
        band = bands[entry["band"]]
        band_low, band_high = Decimal(band["min"]), Decimal(band["max"])
        if low < band_low or high > band_high:
            figure = f"{low}" if low == high else f"{low}..{high}"
            error(
                "catalogue_outside_band",
                f"{figure} points lie outside the {entry['band']} band's "
                f"{band_low}..{band_high} (deduction_bands.{entry['band']})",
            )
    elif kind != SIGNED and low < 0:
        error("catalogue_negative", f"a {kind} states its points as a magnitude, not {low}")
    if max(abs(low), abs(high)) > cap:
        error("catalogue_beyond_cap", f"{max(abs(low), abs(high))} points exceed score_max {cap}")
    return findings


def check_catalogue(data: dict) -> list[Finding]:
    """SCORE-2/3/9/10: the catalogue, its bands and the month's rules."""
    entries = data["score_events"]
    bands = data.get("deduction_bands", {})
    sanction_points = (data.get("penalties") or {}).get("points") or {}
    step = Decimal(data.get("score_step", "0.1"))
    cap = Decimal(data.get("score_max", "110"))
    findings = []
    for name, band in bands.items():
        if Decimal(band["min"]) > Decimal(band["max"]):
            findings.append(
                Finding(
                    "band_range_reversed",
                    ERROR,
                    f"deduction_bands.{name}",
                    f"min {band['min']} is above max {band['max']}",
                )
            )
    codes = Counter(entry["code"] for entry in entries)
    first: dict[str, int] = {}
    for i, entry in enumerate(entries):
        path = _path(i, entry, codes)
        if entry["code"] in first:
            findings.append(
                Finding(
                    "catalogue_duplicate_code",
                    ERROR,
                    path,
                    f"code {entry['code']} is already used by score_events[{first[entry['code']]}]"
                    " (a ledger event names its entry by code)",
                )
            )
        first.setdefault(entry["code"], i)
        findings += check_entry(
            entry, path, bands=bands, sanction_points=sanction_points, step=step, cap=cap
        )
    closing = [e for e in entries if e.get("after_close")]
    if not closing:
        findings.append(
            Finding(
                "catalogue_no_adjustment",
                ERROR,
                "score_events",
                "no entry corrects a closed month (SCORE-10: a signed entry with after_close)",
            )
        )
    for entry in closing:
        if entry["kind"] != SIGNED or not entry.get("reason_required"):
            findings.append(
                Finding(
                    "catalogue_adjustment_shape",
                    ERROR,
                    f"score_events.{entry['code']}",
                    "a correction of a closed month is signed and needs a reason (SCORE-10)",
                )
            )
    month = data.get("score_month")
    if month is not None:
        floor, base = Decimal(month["floor"]), Decimal(month["base"])
        if not (floor <= base <= cap):
            findings.append(
                Finding(
                    "score_month_range",
                    ERROR,
                    "score_month",
                    f"the base {base} must lie within the floor {floor} and score_max {cap}",
                )
            )
    return findings
