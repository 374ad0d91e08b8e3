"""The catalogue of bonus and deduction events (SCORE-2, SCORE-3, SCORE-9): what a month's score
is made of, as policy data (pack: `score_events`, `deduction_bands`).

Each entry has a stable `code` (the ledger stores it), labels in every product language, a kind
and its points:

- `bonus` adds its points, `deduction` subtracts them: the catalogue states magnitudes (seed 001
  prints "2-5 分/次"), a fixed figure (`points`) or a range (`min`..`max`); a deduction has a band
  (light, medium, severe, dismissal) whose range its points must lie in;
- `signed` carries its sign: the trainer's extra for a team lead (−5..+5) and the adjustment that
  corrects a closed month (SCORE-10);
- `fine` has no points, only a fine (an unapproved swap, SWAP-1);
- an entry naming a `sanction` is a final penalty's booking (APPEAL-3): its points are the pack's
  `penalties.points` for that sanction and its fine is the case's own.

Points *as booked* on a month are signed (a deduction negative), as `ScoreEvent.points` stores
them; `ScoreEventType.booked` turns the figure a person enters into that, `check_booked` holds a
booked figure against the entry. Pure: no database, Decimal only.
"""

from dataclasses import dataclass
from decimal import Decimal

BONUS, DEDUCTION, SIGNED, FINE = "bonus", "deduction", "signed", "fine"
KINDS = (BONUS, DEDUCTION, SIGNED, FINE)
BANDS = ("light", "medium", "severe", "dismissal")
LANGUAGES = ("zh-hans", "en")


class CatalogueError(ValueError):
    """A figure the catalogue does not allow for an event. `code` and `params` say which way, so
    a service can refuse it with its own translated message (SCORE-9)."""

    def __init__(self, message: str, *, code: str, params: dict):
        super().__init__(message)
        self.code, self.params = code, params


def language_key(language: str | None) -> str:
    """The catalogue's key for a Django language code: any Chinese variant reads zh-hans, anything
    else en."""
    return "zh-hans" if (language or "").lower().replace("_", "-").startswith("zh") else "en"


@dataclass(frozen=True)
class ScoreEventType:
    code: str
    kind: str
    labels: dict
    seed: str
    min: Decimal
    max: Decimal
    band: str | None = None
    fine: Decimal | None = None
    sanction: str | None = None
    rules: tuple[str, ...] = ()
    reason_required: bool = False
    recorded_by: str | None = None
    after_close: bool = False
    counts_for_surcharge: bool = False
    note: str = ""
    step: Decimal | None = None  # the pack's score_step: booked points are multiples of it

    @property
    def fixed(self) -> bool:
        """One figure, nothing to choose (a range lets the recorder pick within it)."""
        return self.min == self.max

    @property
    def points(self) -> Decimal | None:
        """The fixed figure (a magnitude, as the catalogue states it), None for a range."""
        return self.min if self.fixed else None

    def label(self, language: str | None = None) -> str:
        """The label in `language` (default: the active one)."""
        if language is None:
            from django.utils import translation

            language = translation.get_language()
        return self.labels[language_key(language)]

    def booked(self, entered: Decimal | None = None) -> Decimal:
        """The signed points booked for the figure a person entered (a magnitude for bonuses and
        deductions, signed for `signed`); None takes a fixed entry's figure. CatalogueError when
        the figure is outside the entry's range."""
        if entered is None:
            if not self.fixed:
                raise CatalogueError(
                    f"{self.code} needs points within {self.min}..{self.max}",
                    code="points_required",
                    params={"code": self.code, "min": self.min, "max": self.max},
                )
            entered = self.min
        entered = _decimal(entered)
        if self.step and entered % self.step:
            raise CatalogueError(
                f"{entered} is not a multiple of the score step {self.step}",
                code="points_step",
                params={"code": self.code, "points": entered, "step": self.step},
            )
        if not (self.min <= entered <= self.max):
            raise CatalogueError(
                f"{entered} is outside {self.code}'s {self.min}..{self.max}",
                code="points_out_of_range",
                params={"code": self.code, "points": entered, "min": self.min, "max": self.max},
            )
        return Decimal(0) - entered if self.kind == DEDUCTION else entered

    def check_booked(self, points: Decimal) -> Decimal:
        """`points` as booked (signed) if the entry allows them, else CatalogueError."""
        points = _decimal(points)
        entered = Decimal(0) - points if self.kind == DEDUCTION else points
        if self.kind in (BONUS, DEDUCTION) and points and (points > 0) != (self.kind == BONUS):
            raise CatalogueError(
                f"{self.code} is a {self.kind}: {points} has the wrong sign",
                code="points_wrong_sign",
                params={"code": self.code, "points": points, "kind": self.kind},
            )
        self.booked(entered)
        return points


def _decimal(value) -> Decimal:
    if isinstance(value, float | bool):
        raise TypeError(f"points are Decimal, int or str, never {type(value).__name__}")
    return value if isinstance(value, Decimal) else Decimal(str(value))


def parse_catalogue(data: dict) -> dict[str, ScoreEventType]:
    """The pack's `score_events` by code, in the pack's order. Assumes a pack that passed
    `policy.lint.check_pack` (the linter reports what this would trip over)."""
    sanction_points = (data.get("penalties") or {}).get("points") or {}
    step = Decimal(data.get("score_step", "0.1"))
    types: dict[str, ScoreEventType] = {}
    for entry in data.get("score_events") or []:
        kind = entry["kind"]
        if entry.get("sanction"):
            low = high = Decimal(sanction_points.get(entry["sanction"], "0"))
        elif "points" in entry:
            low = high = Decimal(entry["points"])
        elif "min" in entry:
            low, high = Decimal(entry["min"]), Decimal(entry["max"])
        else:  # a fine, no points
            low = high = Decimal(0)
        types[entry["code"]] = ScoreEventType(
            code=entry["code"],
            kind=kind,
            labels=dict(entry["labels"]),
            seed=entry["seed"],
            min=low,
            max=high,
            band=entry.get("band"),
            fine=Decimal(entry["fine"]) if "fine" in entry else None,
            sanction=entry.get("sanction"),
            rules=tuple(entry.get("rules", ())),
            reason_required=bool(entry.get("reason_required", False)),
            recorded_by=entry.get("recorded_by"),
            after_close=bool(entry.get("after_close", False)),
            # SCORE-3's surcharge counts light and medium violations of the catalogue; a final
            # penalty's booking is not itself one (the entry says so).
            counts_for_surcharge=kind == DEDUCTION
            and bool(entry.get("counts_for_surcharge", True)),
            note=entry.get("note", ""),
            step=step,
        )
    return types
