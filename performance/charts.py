"""Charts of closed scores, drawn on the server as SVG (no script, no CDN): the geometry here,
the markup in workflows/templates/workflows/_chart_score.html and _chart_department.html, the
template tags in performance/templatetags/score_charts.py.

- `score_chart(employee)`: the employee's last 12 months (ending with the last complete month):
  the closed scores as points joined by a line, a month without a closed score a gap in it, the
  SCORE-5 tier bands of the policy (default < 60, 60–80, 80–91, ≥ 91) shaded behind. Two
  queries (the policy's timeline, the employee's closed months).
- `department_chart(department, month)`: the department's closed scores of the month as
  horizontal bars, highest first, the agents last in the department marked (SCORE-11, ties all
  marked). Two queries (the policy's timeline, the department's closed month).

Every figure also goes into a table the templates render for screen readers and for anyone who
reads numbers better than lines.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from .alerts import _closed_months, _shift
from .models import Assessment
from .scoring import last_in_department
from .services import _policy_for

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 30
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH = 22, 6, 120


def _fmt(value: float) -> str:
    return f"{value:.1f}"


@dataclass
class Point:
    month: dt.date
    label: str  # YYYY-MM
    x: str
    score: Decimal | None = None
    tier: int | None = None
    grade: str = ""
    y: str = ""

    @property
    def closed(self) -> bool:
        return self.score is not None


@dataclass
class Band:
    tier: int
    low: Decimal
    high: Decimal | None  # None: open upward (to the cap)
    y: str
    height: str


@dataclass
class ScoreChart:
    employee: object
    points: list  # every month of the window, oldest first (closed or not)
    bands: list
    lines: list  # polyline "x,y x,y" strings, one per run of consecutive closed months
    ticks: list = field(default_factory=list)  # (y, label) of the score axis
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM
    first: str = ""
    last: str = ""

    @property
    def closed(self) -> list:
        return [p for p in self.points if p.closed]

    @property
    def plot_width(self) -> int:
        return self.plot_right - self.plot_left


def _scale(cap: Decimal):
    plot = HEIGHT - TOP - BOTTOM

    def y(score) -> float:
        value = min(max(Decimal(score), Decimal(0)), cap)
        return TOP + float((cap - value) / cap) * plot

    return y


def _bands(policy, y) -> list:
    bands = []
    cap = policy.score_cap
    for entry in policy.data["tiers"]:
        low = Decimal(entry["min"])
        high = Decimal(entry["max"]) if entry.get("max") is not None else None
        top, bottom = y(high if high is not None else cap), y(low)
        bands.append(Band(int(entry["tier"]), low, high, _fmt(top), _fmt(bottom - top)))
    return sorted(bands, key=lambda b: b.tier)


def score_chart(employee, *, end: dt.date | None = None, months: int = 12) -> ScoreChart:
    """The employee's `months` months ending with `end` (default: the last complete month)."""
    end = (end or _shift(timezone.localdate().replace(day=1), -1)).replace(day=1)
    window = [_shift(end, i - months + 1) for i in range(months)]
    policy = _policy_for(end)
    y = _scale(policy.score_cap)
    rows = {
        row["month"]: row
        # Every final figure: a month written by its close, and a month imported as final
        # (SCORE-1), which eligibility reads the same way before any close freezes it.
        for row in Assessment.objects.filter(employee=employee, month__in=window)
        .order_by()
        .values("month", "score", "tier", "grade")
    }
    step = (WIDTH - LEFT - RIGHT) / max(months - 1, 1)
    points, lines, run = [], [], []
    for i, month in enumerate(window):
        point = Point(month, month.strftime("%Y-%m"), _fmt(LEFT + i * step))
        row = rows.get(month)
        if row is not None:
            point.score, point.tier, point.grade = row["score"], row["tier"], row["grade"]
            point.y = _fmt(y(row["score"]))
            run.append(f"{point.x},{point.y}")
        elif run:
            lines.append(" ".join(run))
            run = []
        points.append(point)
    if run:
        lines.append(" ".join(run))
    ticks = [(_fmt(y(v)), str(v)) for v in (0, 60, 80, 91, int(policy.score_cap))]
    return ScoreChart(
        employee=employee,
        points=points,
        bands=_bands(policy, y),
        lines=[line for line in lines if " " in line],  # a lone month is a point, not a line
        ticks=ticks,
        first=window[0].strftime("%Y-%m"),
        last=window[-1].strftime("%Y-%m"),
    )


@dataclass
class Bar:
    employee_id: int
    name: str
    score: Decimal
    tier: int
    agent: bool
    last: bool
    y: str
    width: str
    text_y: str


@dataclass
class DepartmentChart:
    department: object
    month: dt.date
    label: str
    bars: list
    last_score: Decimal | None
    width: int = WIDTH
    height: int = 0
    bar_left: int = LABEL_WIDTH


def department_chart(department, month: dt.date) -> DepartmentChart:
    """The department's closed scores of `month`, highest first; last place(s) marked."""
    month = month.replace(day=1)
    policy = _policy_for(month)
    closed = _closed_months([month], department_ids=[department.pk], names=True)
    scores = {
        pk: by_month[month]["score"] for pk, by_month in closed.rows.items() if month in by_month
    }
    agents = {pk: s for pk, s in scores.items() if closed.people[pk]["agent"]}
    last = last_in_department(policy, agents)
    ranked = sorted(scores, key=lambda pk: (-scores[pk], closed.people[pk]["name"], pk))
    span = WIDTH - LABEL_WIDTH - 60
    cap = policy.score_cap
    bars = []
    for i, pk in enumerate(ranked):
        top = TOP + i * (BAR_HEIGHT + BAR_GAP)
        score = scores[pk]
        bars.append(
            Bar(
                employee_id=pk,
                name=closed.people[pk]["name"],
                score=score,
                tier=closed.rows[pk][month]["tier"],
                agent=closed.people[pk]["agent"],
                last=pk in last.keys,
                y=str(top),
                width=_fmt(span * float(min(max(score, Decimal(0)), cap) / cap)),
                text_y=_fmt(top + BAR_HEIGHT * 0.7),
            )
        )
    return DepartmentChart(
        department=department,
        month=month,
        label=month.strftime("%Y-%m"),
        bars=bars,
        last_score=last.score,
        height=TOP * 2 + max(len(bars), 1) * (BAR_HEIGHT + BAR_GAP),
    )
