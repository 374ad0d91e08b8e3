"""The pay figures of a month (SCORE-6, SCORE-8, PAY-1): every example of PAY-2, the month of
service, the rounding at the line and never in between, and the trace of each figure."""

import copy
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from performance import pay
from performance.scoring import EventInput
from policy.pack import PACKS_DIR, Policy

DEFAULT = Policy.from_file(PACKS_DIR / "default.json")
THIRD = 3  # the first month of service whose pay floats (SCORE-6)


# --- PAY-2's examples -----------------------------------------------------------------------


@pytest.mark.parametrize(("score", "line"), [("91", "110.00"), ("68", "-120.00"), ("40", "-300.00"),
                                             ("80", "0.00"), ("110", "300.00")])  # fmt: skip
def test_pay2_salary_float(score, line):
    """SCORE-6: 10 per point away from 80, clamped to ±300 (40 → −300, not −400)."""
    figure = pay.salary_float(DEFAULT, Decimal(score), service_month=THIRD)
    assert figure.line == Decimal(line)


def test_pay2_salary_float_is_clamped_not_minus_400():
    figure = pay.salary_float(DEFAULT, Decimal(40), service_month=THIRD)
    assert figure.trace.where("float")[0].amount == Decimal(-400)
    assert figure.trace.where("clamp")[0].amount == Decimal(-300)


@pytest.mark.parametrize("service_month", [1, 2])
@pytest.mark.parametrize("score", ["40", "91"])
def test_pay2_the_first_two_months_of_service_float_0(service_month, score):
    figure = pay.salary_float(DEFAULT, Decimal(score), service_month=service_month)
    assert figure.line == Decimal("0.00")
    assert figure.trace.where("not_yet")[0].data == {
        "service_month": service_month,
        "from_month": 3,
    }


def test_pay2_performance_pay_of_an_intermediate_at_85():
    """SCORE-8: 2400 × 10% × 0.85 = 204.00."""
    figure = pay.performance_pay(DEFAULT, base=Decimal(2400), score=Decimal(85))
    assert figure.line == Decimal("204.00")
    assert figure.trace.rules == ("SCORE-5", "SCORE-8")


@pytest.mark.parametrize(("sales", "line"), [("20000", "140.00"), ("30000", "270.00"),
                                             ("40000", "400.00"), ("60000", "780.00")])  # fmt: skip
def test_pay2_commission(sales, line):
    assert pay.commission(DEFAULT, Decimal(sales)).line == Decimal(line)


# --- SCORE-6: the month of service ----------------------------------------------------------


@pytest.mark.parametrize(
    ("hired", "month", "n"),
    [
        (dt.date(2026, 3, 31), dt.date(2026, 3, 1), 1),  # the hire month, whatever its day
        (dt.date(2026, 3, 1), dt.date(2026, 4, 1), 2),
        (dt.date(2026, 3, 31), dt.date(2026, 5, 1), 3),
        (dt.date(2025, 11, 15), dt.date(2026, 1, 20), 3),  # across the year
    ],
)
def test_score6_month_of_service_counts_calendar_months_from_the_hire_month(hired, month, n):
    assert pay.service_month(hired, month) == n


def test_score6_a_month_before_the_hire_month_has_no_month_of_service():
    with pytest.raises(ValueError):
        pay.service_month(dt.date(2026, 3, 1), dt.date(2026, 2, 1))


def test_score6_the_third_month_is_the_first_that_floats():
    hired = dt.date(2026, 3, 20)
    floats = [
        pay.salary_float(DEFAULT, Decimal(91), service_month=pay.service_month(hired, m)).line
        for m in (dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1))
    ]
    assert floats == [Decimal("0.00"), Decimal("0.00"), Decimal("110.00")]


# --- SCORE-8 --------------------------------------------------------------------------------


@pytest.mark.parametrize(("score", "rate"), [("91", "0.15"), ("90.9", "0.10"), ("80", "0.10"),
                                             ("79.9", "0.05"), ("60", "0.05"), ("59.9", "0")])  # fmt: skip
def test_score8_performance_pay_rate_by_tier(score, rate):
    figure = pay.performance_pay(DEFAULT, base=Decimal(2200), score=Decimal(score))
    assert figure.amount == Decimal(2200) * Decimal(rate) * Decimal(score) / 100


def test_score8_performance_pay_uses_the_closed_months_tier_when_given():
    figure = pay.performance_pay(DEFAULT, base=Decimal(2400), score=Decimal(85), tier=3)
    assert figure.line == Decimal("102.00")


@pytest.mark.parametrize(("sales", "rate"), [("19999.99", "0"), ("29999.99", "0.007"),
                                             ("39999.99", "0.009"), ("59999.99", "0.010"),
                                             ("100000", "0.013")])  # fmt: skip
def test_score8_commission_on_the_highest_band_reached(sales, rate):
    assert pay.commission(DEFAULT, Decimal(sales)).amount == Decimal(sales) * Decimal(rate)


def test_score8_negative_sales_are_refused():
    with pytest.raises(ValueError):
        pay.commission(DEFAULT, Decimal(-1))


def test_score6_score8_the_figures_are_read_from_the_pack():
    data = copy.deepcopy(DEFAULT.data)
    data["salary_float"] = {"per_point": "20", "around": "75", "clamp": "100", "from_month": 1}
    data["performance_pay"]["rates"]["2"] = "0.20"
    data["commission"] = [{"min_sales": "1000", "rate": "0.05"}]
    policy = Policy(data)
    assert pay.salary_float(policy, Decimal(80), service_month=1).line == Decimal("100.00")
    assert pay.performance_pay(policy, base=Decimal(2400), score=Decimal(85)).line == Decimal(
        "408.00"
    )
    assert pay.commission(policy, Decimal(1000)).line == Decimal("50.00")


# --- PAY-1: rounding at the line, never in between --------------------------------------------


@pytest.mark.parametrize(("amount", "line"), [("0.005", "0.01"), ("0.004999", "0.00"),
                                              ("-0.005", "-0.01"), ("164.19746", "164.20"),
                                              ("204", "204.00")])  # fmt: skip
def test_pay1_a_line_is_rounded_half_up_to_the_fen(amount, line):
    assert pay.round_line(Decimal(amount)) == Decimal(line)


def test_pay1_the_figure_keeps_its_exact_amount_and_rounds_only_its_line():
    figure = pay.commission(DEFAULT, Decimal("23456.78"))
    assert figure.amount == Decimal("164.19746")
    assert figure.line == Decimal("164.20")


def test_pay1_nothing_is_rounded_in_between():
    """2200 × 5% × 60.1 / 100 = 66.11 exactly; rounding score/100 or base × rate first would
    not change it, but 20 000.65 × 0.7% = 140.00455 → 140.00, where a figure rounded to three
    places on the way (140.005) would come out 140.01."""
    assert pay.commission(DEFAULT, Decimal("20000.65")).line == Decimal("140.00")
    figure = pay.performance_pay(DEFAULT, base=Decimal("2200"), score=Decimal("60.1"))
    assert figure.amount == Decimal("66.11")


def test_pay1_a_float_is_never_a_pay_figure():
    with pytest.raises(TypeError):
        pay.commission(DEFAULT, 20000.0)
    with pytest.raises(TypeError):
        pay.round_line(0.005)


def test_pay1_a_pay_row_totals_its_rounded_lines_and_traces_each():
    events = [
        EventInput("absenteeism", Decimal(-20), ref="score_event:7", fine=Decimal(30)),
        EventInput("late_or_early", Decimal(-3), ref="score_event:8"),
    ]
    row = pay.pay_row(
        DEFAULT,
        base=Decimal(2400),
        score=Decimal(85),
        service_month=THIRD,
        sales=Decimal("23456.78"),
        events=events,
        awards=[pay.Reward(Decimal(200), rule="AWARD-1", ref="award:3")],
        level="intermediate",
        score_ref="assessment:12",
        sales_ref="sales:4",
    )
    assert [(f.code, f.line) for f in row.lines] == [
        ("base", Decimal("2400.00")),
        ("salary_float", Decimal("50.00")),
        ("performance_pay", Decimal("204.00")),
        ("commission", Decimal("164.20")),
        ("fines", Decimal("-30.00")),
        ("rewards", Decimal("200.00")),
    ]
    assert row.total == Decimal("2988.20")
    assert set(row.trace.refs) == {"assessment:12", "sales:4", "score_event:7", "award:3"}
    assert {"ORG-3", "SCORE-6", "SCORE-8", "PAY-1", "AWARD-1"} <= set(row.trace.rules)


def test_pay1_the_total_is_the_sum_of_the_rounded_lines():
    """Two lines of x.xx5 each round up: the total is the sum of the lines (400.02), not the
    exact amounts summed and rounded (400.01)."""
    row = pay.pay_row(
        DEFAULT,
        base=Decimal(0),
        score=Decimal(80),
        service_month=THIRD,
        sales=Decimal("40000.50"),  # 1.0%: 400.005 → 400.01
        awards=[pay.Reward(Decimal("0.005"))],  # → 0.01
    )
    assert (row.line("commission"), row.line("rewards")) == (Decimal("400.01"), Decimal("0.01"))
    assert row.total == Decimal("400.02")
    assert pay.round_line(sum(f.amount for f in row.lines)) == Decimal("400.01")


# --- properties ---------------------------------------------------------------------------------

SCORES = st.integers(0, 1100).map(lambda tenths: Decimal(tenths) / 10)


@settings(deadline=None)
@given(SCORES, st.integers(1, 36))
def test_score6_property_the_float_stays_within_the_clamp(score, service_month):
    figure = pay.salary_float(DEFAULT, score, service_month=service_month)
    assert -300 <= figure.amount <= 300
    if service_month < THIRD:
        assert figure.amount == 0


@settings(deadline=None)
@given(st.integers(0, 10_000_000), st.integers(0, 10_000_000))
def test_score8_property_more_sales_never_earn_less_commission(a, b):
    low, high = sorted((Decimal(a) / 100, Decimal(b) / 100))
    assert pay.commission(DEFAULT, low).amount <= pay.commission(DEFAULT, high).amount


@settings(deadline=None)
@given(st.decimals(min_value=-100000, max_value=100000, places=6))
def test_pay1_property_a_line_is_within_half_a_fen_of_its_amount(amount):
    line = pay.round_line(amount)
    assert abs(line - amount) <= Decimal("0.005")
    assert line.as_tuple().exponent == -2
