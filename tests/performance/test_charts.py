"""The charts, server-side SVG (SCORE-5, SCORE-11): the 12 months' line with the tier bands behind
it, closed months as points and missing months as gaps; the department's month as ranked bars
with the last place(s) marked; accessible (title, aria-labelledby, a table of the values); a
constant number of queries whatever the history."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from performance.charts import department_chart, score_chart
from tests.performance.alert_helpers import close_with, month
from tests.performance.ledger_helpers import build_ledger

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
DEC_2026 = timezone.make_aware(dt.datetime(2026, 12, 10, 9))


@pytest.fixture
def ledger():
    return build_ledger()


def _svg(html: str, testid: str) -> ET.Element:
    start = html.index(f'data-testid="{testid}"')
    svg_start = html.index("<svg", start)
    svg_end = html.index("</svg>", svg_start) + len("</svg>")
    return ET.fromstring(html[svg_start:svg_end])


def _render(source: str, **context) -> str:
    return Template("{% load score_charts %}" + source).render(Context(context))


def _history(ledger):
    """Closed months Jun, Jul, Sep, Oct, Nov 2026 (August missing) for the agent."""
    scores = {6: "92", 7: "85", 9: "59.9", 10: "70", 11: "110"}
    for n, score in scores.items():
        close_with(ledger.admin, month(2026, n), {ledger.agent: score, ledger.colleague: "75"})


def test_score5_the_12_months_chart_has_a_point_per_closed_month_and_four_bands(ledger):
    _history(ledger)
    with time_machine.travel(DEC_2026, tick=False):
        html = _render("{% score_chart employee %}", employee=ledger.agent)
    svg = _svg(html, "score-chart")
    points = svg.findall(f".//{SVG}circle")
    assert [p.get("data-month") for p in points] == [
        "2026-06", "2026-07", "2026-09", "2026-10", "2026-11",
    ]  # fmt: skip
    bands = svg.findall(f".//{SVG}rect")
    assert sorted(b.get("data-tier") for b in bands) == ["1", "2", "3", "4"]
    # August is a gap: two lines, Jun–Jul and Sep–Nov
    lines = svg.findall(f".//{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 3]
    assert svg.get("role") == "img" and svg.get("aria-labelledby")
    assert "agent" in svg.find(f"{SVG}title").text
    assert "<table" in html and "59.9" in html


def test_score5_the_bands_are_at_the_tier_edges(ledger):
    with time_machine.travel(DEC_2026, tick=False):
        chart = score_chart(ledger.agent)
    by_tier = {b.tier: b for b in chart.bands}
    assert [(str(by_tier[t].low), by_tier[t].high and str(by_tier[t].high)) for t in (1, 2, 3, 4)] \
        == [("91", None), ("80", "91"), ("60", "80"), ("0", "60")]  # fmt: skip
    # higher tiers are drawn higher (smaller y), the bands touch
    ys = [float(by_tier[t].y) for t in (1, 2, 3, 4)]
    assert ys == sorted(ys)
    for upper, lower in ((1, 2), (2, 3), (3, 4)):
        bottom = float(by_tier[upper].y) + float(by_tier[upper].height)
        assert bottom == pytest.approx(float(by_tier[lower].y), abs=0.11)


def test_score5_a_chart_without_closed_months_has_no_point(ledger):
    with time_machine.travel(DEC_2026, tick=False):
        svg = _svg(_render("{% score_chart employee %}", employee=ledger.agent), "score-chart")
    assert svg.findall(f".//{SVG}circle") == []
    assert len(svg.findall(f".//{SVG}rect")) == 4


def test_score5_the_chart_costs_the_same_queries_for_1_or_5_closed_months(ledger):
    close_with(ledger.admin, month(2026, 5), {ledger.colleague: "80"})
    with time_machine.travel(DEC_2026, tick=False), CaptureQueriesContext(connection) as one:
        _render("{% score_chart employee %}", employee=ledger.colleague)
    _history(ledger)
    with time_machine.travel(DEC_2026, tick=False), CaptureQueriesContext(connection) as five:
        _render("{% score_chart employee %}", employee=ledger.agent)
    # the policy's timeline may be cached by then; the months are one query however many
    assert len(one.captured_queries) <= 2 and len(five.captured_queries) <= 2


def test_score11_the_department_chart_ranks_highest_first_and_marks_ties_for_last(ledger):
    oct_ = month(2026, 10)
    close_with(
        ledger.admin, oct_, {ledger.agent: "65", ledger.colleague: "65", ledger.lead: "50"}
    )  # the lead scores lowest but is not an agent
    with time_machine.travel(DEC_2026, tick=False):
        html = _render(
            "{% department_chart department month %}",
            department=ledger.agent.department,
            month=oct_,
        )
    svg = _svg(html, "department-chart")
    bars = svg.findall(f"{SVG}g")
    scores = [float(b.get("data-score")) for b in bars]
    assert scores == sorted(scores, reverse=True)
    assert len(bars) == 4  # trainer 80 (no import: 80), agent, colleague, lead
    last = {b.get("data-employee") for b in bars if b.get("data-last") == "true"}
    assert last == {str(ledger.agent.pk), str(ledger.colleague.pk)}
    assert svg.find(f"{SVG}title") is not None and svg.get("aria-labelledby")


def test_score11_the_department_chart_costs_constant_queries(ledger):
    oct_ = month(2026, 10)
    close_with(ledger.admin, oct_, {ledger.agent: "65"})
    with CaptureQueriesContext(connection) as ctx:
        chart = department_chart(ledger.agent.department, oct_)
    assert len(ctx.captured_queries) <= 2
    assert len(chart.bars) == 4


@pytest.mark.django_db
def test_score1_an_imported_final_score_is_a_point_before_any_close():
    """SCORE-1: a month imported as a final figure is on the chart as eligibility reads it,
    whether or not a close has frozen it yet; a month with no figure stays a gap."""
    from decimal import Decimal

    from performance.services import assessment_record
    from tests.orgdata import build_org

    org = build_org()
    newcomer = org.other_dept_agent
    last = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    before = (last - dt.timedelta(days=1)).replace(day=1)
    newcomer.assessments.all().delete()
    assessment_record(employee=newcomer, month=last, score=Decimal("77.5"), source="import")
    chart = score_chart(newcomer)
    points = {p.label: p.score for p in chart.points if p.closed}
    assert points == {last.strftime("%Y-%m"): Decimal("77.5")}
    assert before.strftime("%Y-%m") not in points
