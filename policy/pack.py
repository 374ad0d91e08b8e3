"""A read-only view of one policy pack's data with the questions the processes ask of it."""

import datetime as dt
import functools
import json
from decimal import Decimal
from pathlib import Path

PACKS_DIR = Path(__file__).resolve().parent / "packs"


class Policy:
    def __init__(self, data: dict, version: str | None = None):
        self.data = data
        self.version = version or data.get("code", "unversioned")

    @classmethod
    def from_file(cls, path) -> "Policy":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data)

    # --- scores (SCORE-4, SCORE-5) --------------------------------------------------------
    def tier_for(self, score) -> int:
        """SCORE-5: the band containing the score (default pack: [min, max), top band open)."""
        return int(self._band(self.data["tiers"], score)["tier"])

    def grade_for(self, score) -> str:
        """SCORE-4: half-open upward (exactly 80 is B); A is strictly above 90."""
        return self._band(self.data["grades"], score)["grade"]

    @staticmethod
    def _band(bands: list[dict], score) -> dict:
        from .lint import band_contains

        score = Decimal(str(score))
        for band in bands:
            if band_contains(band, score):
                return band
        raise ValueError(f"score {score} falls in no band of the policy (run policy_lint)")

    # --- the month's events and score (SCORE-2, SCORE-3, SCORE-9, SCORE-10) -------------------
    @functools.cached_property
    def score_events(self) -> dict:
        """SCORE-2/3/9: the catalogue, code → `policy.catalogue.ScoreEventType`, in pack order."""
        from .catalogue import parse_catalogue

        return parse_catalogue(self.data)

    def score_event(self, code: str):
        """The catalogue entry `code`; LookupError naming the version when it has none."""
        try:
            return self.score_events[code]
        except KeyError:
            raise LookupError(f"policy {self.version} has no score event {code!r}") from None

    def deduction_band(self, band: str) -> tuple[Decimal, Decimal]:
        """SCORE-3: the (min, max) points a deduction of `band` may carry."""
        entry = self.data["deduction_bands"][band]
        return Decimal(entry["min"]), Decimal(entry["max"])

    def deduction_band_label(self, band: str, language: str | None = None) -> str:
        from .catalogue import language_key

        if language is None:
            from django.utils import translation

            language = translation.get_language()
        return self.data["deduction_bands"][band]["labels"][language_key(language)]

    @property
    def _score_month(self) -> dict:
        return self.data["score_month"]

    @property
    def score_base(self) -> Decimal:
        """SCORE-1/10: every month starts from this score."""
        return Decimal(self._score_month["base"])

    @property
    def score_floor(self) -> Decimal:
        """SCORE-10: a month's score is never below this."""
        return Decimal(self._score_month["floor"])

    @property
    def score_cap(self) -> Decimal:
        """SCORE-1/10: a month's score is never above this (pack: `score_max`)."""
        return Decimal(self.data.get("score_max", "110"))

    @property
    def score_step(self) -> Decimal:
        """The resolution of a score (SCORE-1: one decimal place)."""
        return Decimal(self.data.get("score_step", "0.1"))

    @property
    def surcharge_points(self) -> Decimal:
        """SCORE-3: the further deduction of a month with too many violations."""
        return Decimal(self._score_month["surcharge"]["points"])

    @property
    def surcharge_thresholds(self) -> dict[str, int]:
        """SCORE-3: band → the number of its deductions in a month that adds the surcharge."""
        return {b: int(n) for b, n in self._score_month["surcharge"]["thresholds"].items()}

    @property
    def month_close_day(self) -> int:
        """SCORE-10: the local day of the next month on which a month closes by itself."""
        return int(self._score_month["close_day"])

    def month_close_on(self, month: dt.date) -> dt.date:
        """SCORE-10: the local date on which the month containing `month` closes by itself (the
        close is due when that day begins, company time)."""
        following = (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        return following + dt.timedelta(days=self.month_close_day - 1)

    # --- alerts (SCORE-7, SCORE-11) --------------------------------------------------------
    @property
    def _alerts(self) -> dict:
        return self.data["score_alerts"]

    @property
    def alert_below(self) -> Decimal:
        """SCORE-7: a closed month scored below this is an alert."""
        return Decimal(self._alerts["below"])

    @property
    def alert_last_months(self) -> int:
        """SCORE-7: this many consecutive months last in the department (below the mark)."""
        return int(self._alerts["last_in_department"]["months"])

    @property
    def alert_last_below(self) -> Decimal:
        """SCORE-7: ... each scored below this."""
        return Decimal(self._alerts["last_in_department"]["below"])

    @property
    def last_place_min_agents(self) -> int:
        """SCORE-11: a department with fewer scored agents than this has no last place."""
        return int(self._alerts["last_in_department"]["min_agents"])

    @property
    def alert_failed_months(self) -> int:
        """SCORE-7: this many consecutive failed months is an alert."""
        return int(self._alerts["failed_streak"]["months"])

    @property
    def alert_failed_tier(self) -> int:
        """SCORE-7: a month of this tier or worse is failed (default tier 4, below 60)."""
        return int(self._alerts["failed_streak"]["tier"])

    # --- pay (SCORE-6, SCORE-8) ------------------------------------------------------------
    @property
    def _salary_float(self) -> dict:
        return self.data["salary_float"]

    @property
    def float_per_point(self) -> Decimal:
        """SCORE-6: yuan per point away from the pivot."""
        return Decimal(self._salary_float["per_point"])

    @property
    def float_around(self) -> Decimal:
        """SCORE-6: the score at which pay does not move."""
        return Decimal(self._salary_float["around"])

    @property
    def float_clamp(self) -> Decimal:
        """SCORE-6: the float never moves pay by more than this, either way."""
        return Decimal(self._salary_float["clamp"])

    @property
    def float_from_month(self) -> int:
        """SCORE-6: the first month of service whose pay floats (1 = the hire month)."""
        return int(self._salary_float["from_month"])

    def performance_pay_rate(self, tier: int) -> Decimal:
        """SCORE-8: the share of the base paid as performance pay in `tier`."""
        return Decimal(self.data["performance_pay"]["rates"][str(tier)])

    @property
    def commission_bands(self) -> list[tuple[Decimal, Decimal]]:
        """SCORE-8: (minimum sales, rate) of each band, lowest first."""
        bands = [(Decimal(b["min_sales"]), Decimal(b["rate"])) for b in self.data["commission"]]
        return sorted(bands)

    # --- ORG-3 ----------------------------------------------------------------------------
    def salary_for(self, level: str) -> Decimal:
        return Decimal(self.data["salaries"][level])

    # --- promotion (PROMO-*) --------------------------------------------------------------
    @property
    def _promotion(self) -> dict:
        return self.data["promotion"]

    def promotion_rule(self, target_level: str) -> dict | None:
        return self._promotion["rules"].get(target_level)

    @property
    def vote_levels(self) -> list[str]:
        return list(self._promotion.get("vote_levels", []))

    @property
    def vote_min_ballots(self) -> int:
        """PROMO-3.2: below this many ballots no tally is shown, even once the vote is closed
        (a tally of one or two ballots would tell a reader how each voter voted)."""
        return int(self._promotion.get("vote_min_ballots", 3))

    def defence_required(self, target_level: str) -> bool:
        return target_level in self._promotion["defence"]["required"]

    @property
    def defence_pass_mark(self) -> Decimal:
        return Decimal(self._promotion["defence"]["pass_mark"])

    @property
    def defence_min_scores(self) -> int:
        return int(self._promotion["defence"]["min_scores"])

    @property
    def cooldown_months(self) -> int:
        return int(self._promotion["cooldown_months"])

    @property
    def review_days(self) -> int:
        return int(self._promotion["review"]["days"])

    @property
    def review_day_mode(self) -> str:
        return self._promotion["review"]["mode"]

    def default_effective_date(self, confirmed_on: dt.date) -> dt.date:
        """PROMO-3.5 default: the first day of the next month."""
        first = confirmed_on.replace(day=1)
        return (first + dt.timedelta(days=32)).replace(day=1)

    # --- penalties and appeals (PEN-1, APPEAL-1..3) ----------------------------------------
    @property
    def _deadlines(self) -> dict:
        return self.data["deadlines"]

    @property
    def objection_days(self) -> int:
        return int(self._deadlines["objection_days"])

    @property
    def objection_mode(self) -> str:
        return self._deadlines["objection_mode"]

    @property
    def response_days(self) -> int:
        return int(self._deadlines["response_days"])

    @property
    def response_mode(self) -> str:
        return self._deadlines["response_mode"]

    def fine_for(self, sanction: str) -> Decimal:
        return Decimal(self.data["penalties"]["fines"].get(sanction, "0"))

    def points_for(self, sanction: str) -> Decimal:
        return Decimal(self.data["penalties"]["points"].get(sanction, "0"))

    @property
    def warnings_per_step(self) -> int:
        """PEN-1: this many warnings of one level make one of the next."""
        return int(self.data["penalties"]["escalate_every"])

    @property
    def observation_months(self) -> int:
        """PEN-1: how long after a final warning a new violation proposes dismissal."""
        return int(self.data["penalties"]["observation_months"])

    # --- reminders (DEADLINE-2) -------------------------------------------------------------
    @property
    def reminder_offsets_hours(self) -> list[int]:
        """Hours before a due time at which the person it waits for is reminded (0: at it)."""
        return sorted({int(h) for h in self._deadlines["reminder_offsets_hours"]}, reverse=True)

    # --- leave (LEAVE-2, LEAVE-4) ------------------------------------------------------------
    @property
    def emergency_leave_hours(self) -> int:
        """LEAVE-2: an emergency request is recorded at most this many hours after the start."""
        return int(self.data.get("attendance", {}).get("emergency_leave_hours", 1))

    def annual_leave_days(self, years_of_service: int) -> Decimal:
        """LEAVE-4: annual-leave entitlement for a year, by whole years of service at its start.

        The handbook sets no figure; the default pack follows the national minimum
        (职工带薪年休假条例: 5 days from 1 year, 10 from 10, 15 from 20)."""
        bands = self.data.get("leave", {}).get("annual_entitlement") or [
            {"years": 1, "days": 5},
            {"years": 10, "days": 10},
            {"years": 20, "days": 15},
        ]
        days = Decimal(0)
        for band in sorted(bands, key=lambda b: int(b["years"])):
            if years_of_service >= int(band["years"]):
                days = Decimal(str(band["days"]))
        return days

    # --- missed-punch make-up (PUNCH-1) ----------------------------------------------------
    @property
    def _attendance(self) -> dict:
        return self.data.get("attendance") or {}

    @property
    def punch_window_days(self) -> int:
        """PUNCH-1: a make-up is asked by the end of this many local days after the missed punch
        (older packs named it `punch_makeup_days`; the handbook says 3)."""
        a = self._attendance
        return int(a.get("punch_window_days", a.get("punch_makeup_days", 3)))

    @property
    def punch_max_per_month(self) -> int:
        """PUNCH-1: make-ups (pending or approved) per employee and month of the missed punch."""
        a = self._attendance
        return int(a.get("punch_max_per_month", a.get("punch_makeup_per_month", 5)))

    # --- routing (LEAVE-1, SWAP-1, PUNCH-1: nobody decides their own request) ----------------
    @property
    def self_decision_fallback(self) -> str:
        """The role whose queue decides a request when the only holder of the deciding role is
        a party to it (a sole GM-office member's own leave): administration by default."""
        return (self.data.get("routing") or {}).get("self_decision_fallback", "administration")

    # --- probation conversion (PROB-1, PROB-3, PROB-5) ------------------------------------
    @property
    def _probation(self) -> dict:
        return self.data.get("probation", {})

    @property
    def probation_months(self) -> int:
        """PROB-1: hire date + this many months is the probation end date."""
        return int(self._probation.get("months", 3))

    @property
    def probation_extend_max_months(self) -> int:
        """PROB-3: an extension (once) adds at most this many months."""
        return int(self._probation.get("extend_max_months", 3))

    @property
    def probation_reminder_hours(self) -> list[int]:
        """PROB-5: the lead is reminded this many days before the end date (as hours)."""
        days = self._probation.get("reminder_days_before", [14, 3])
        return sorted({int(d) * 24 for d in days}, reverse=True)
