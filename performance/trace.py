"""How a computed figure says where it came from (PAY-1: "each figure can be traced to the events
and rules that made it").

A `Trace` is the ordered list of `Step`s that made a figure: which rule (its ID), what kind of
step (`what`: a machine code such as "base", "event", "surcharge", "cap", "rate"), the amount it
contributed or the figure it produced, the reference of the input it came from (`ref`: an event,
an assessment, a sales import row, as the caller names them) and the other inputs it read
(`data`). `as_data()` gives it as JSON-ready data (Decimals as strings) to store beside a pay
line or in the audit log. Pure: no database.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal


def as_decimal(value, what: str = "value") -> Decimal:
    """`value` as a Decimal: a Decimal, an int or a numeric string. A float (or a bool) is refused:
    a binary fraction has no place in a score or a pay figure."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{what} {value} is not a finite number")
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"{what} must be a Decimal, int or str, not {type(value).__name__}")
    return as_decimal(Decimal(value), what)


def _plain(value) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value if value is None or isinstance(value, int | str | bool) else str(value)


@dataclass(frozen=True)
class Step:
    rule: str
    what: str
    amount: Decimal | None = None
    ref: str | None = None
    data: Mapping = field(default_factory=dict)

    def as_data(self) -> dict:
        out = {"rule": self.rule, "what": self.what, "amount": _plain(self.amount)}
        if self.ref is not None:
            out["ref"] = self.ref
        if self.data:
            out["data"] = _plain(self.data)
        return out


@dataclass(frozen=True)
class Trace:
    steps: tuple[Step, ...] = ()

    @classmethod
    def of(cls, steps: Iterable[Step]) -> "Trace":
        return cls(tuple(steps))

    def __add__(self, other: "Trace") -> "Trace":
        return Trace(self.steps + other.steps)

    def __iter__(self):
        return iter(self.steps)

    def __len__(self):
        return len(self.steps)

    @property
    def rules(self) -> tuple[str, ...]:
        """The rule IDs the figure rests on, in the order they were applied, each once."""
        return tuple(dict.fromkeys(step.rule for step in self.steps))

    @property
    def refs(self) -> tuple[str, ...]:
        """The inputs (events, assessments, ...) the figure was made from, each once."""
        return tuple(dict.fromkeys(step.ref for step in self.steps if step.ref is not None))

    def where(self, what: str) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.what == what)

    def as_data(self) -> list[dict]:
        return [step.as_data() for step in self.steps]
