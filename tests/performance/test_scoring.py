"""month_score: a month's score from its events (SCORE-10), the SCORE-3 surcharge, the cap
(SCORE-1) and the floor, graded and tiered by the pack (SCORE-4, SCORE-5), with its trace."""

import copy
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from performance.scoring import EventInput, month_score
from policy.catalogue import CatalogueError
from policy.pack import PACKS_DIR, Policy

DEFAULT = Policy.from_file(PACKS_DIR / "default.json")


def ev(code, points=None, ref=None):
    """An event as booked: `points` as entered (a magnitude), or the entry's fixed figure."""
    return EventInput(code, DEFAULT.score_event(code).booked(points), ref=ref)


def score(*events, policy=DEFAULT):
    return month_score(policy, list(events))


def test_score10_a_month_without_events_is_the_base():
    result = score()
    assert (result.score, result.grade, result.tier) == (Decimal(80), "B", 2)


def test_score10_bonuses_add_and_deductions_subtract():
    result = score(ev("top_of_team"), ev("extra_work"), ev("late_or_early", Decimal(3)))
    assert result.score == Decimal(87)
    assert (result.bonuses, result.deductions, result.surcharge) == (10, 3, 0)


def test_score1_the_score_is_capped_at_110():
    result = score(*[ev("covered_shift") for _ in range(7)])  # 80 + 35
    assert (result.raw, result.score, result.tier, result.grade) == (115, 110, 1, "A")
    assert result.trace.where("cap")[0].amount == Decimal(-5)


def test_score10_the_score_is_floored_at_0():
    result = score(*[ev("absenteeism") for _ in range(5)])  # 80 − 100 − 20 (no surcharge: severe)
    assert (result.raw, result.score, result.tier, result.grade) == (-20, 0, 4, "fail")
    assert result.trace.where("floor")[0].amount == Decimal(20)


def test_score10_exactly_110_and_exactly_0_are_not_cut():
    assert score(*[ev("covered_shift") for _ in range(6)]).trace.where("cap") == ()
    assert score(*[ev("absenteeism") for _ in range(4)]).trace.where("floor") == ()


def test_score3_the_surcharge_at_exactly_two_medium_deductions():
    result = score(ev("games_or_films"), ev("missed_meeting"))
    assert (result.surcharge, result.score) == (20, 40)
    assert result.band_counts == {"medium": 2}


def test_score3_no_surcharge_at_one_medium_deduction():
    result = score(ev("games_or_films"))
    assert (result.surcharge, result.score) == (0, 70)


def test_score3_the_surcharge_at_exactly_four_light_deductions():
    result = score(*[ev("entry_error") for _ in range(4)])
    assert (result.surcharge, result.score) == (20, 52)


def test_score3_no_surcharge_at_three_light_deductions():
    result = score(*[ev("entry_error") for _ in range(3)])
    assert (result.surcharge, result.score) == (0, 74)


def test_score3_the_surcharge_is_added_once_however_far_past_the_thresholds():
    events = [ev("games_or_films")] * 3 + [ev("entry_error")] * 5
    result = score(*events)
    assert result.surcharge == 20
    assert result.score == 80 - 30 - 10 - 20


def test_score3_three_light_and_one_medium_add_no_surcharge():
    result = score(ev("entry_error"), ev("entry_error"), ev("entry_error"), ev("missed_meeting"))
    assert result.surcharge == 0


def test_score3_severe_deductions_and_penalty_bookings_do_not_count_toward_the_surcharge():
    events = [ev("absenteeism"), ev("customer_quarrel"), ev("penalty_written_warning")]
    events.append(ev("penalty_written_warning"))
    assert score(*events).surcharge == 0


def test_score2_the_team_leads_extra_moves_the_score_either_way():
    assert score(ev("team_lead_extra", Decimal(-5))).score == Decimal(75)
    assert score(ev("team_lead_extra", Decimal(4))).score == Decimal(84)


def test_score10_an_adjustment_recomputes_the_month():
    before = score(ev("late_or_early", Decimal(5)))
    after = score(ev("late_or_early", Decimal(5)), ev("adjustment", Decimal(5)))
    assert (before.score, after.score, after.adjustments) == (75, 80, 5)


def test_score4_score5_grade_and_tier_come_from_the_packs_tables():
    result = score(ev("top_of_team"), ev("exam_full_marks"), ev("team_lead_extra", Decimal(1)))
    assert (result.score, result.grade, result.tier) == (91, "A", 1)
    assert (DEFAULT.grade_for(result.score), DEFAULT.tier_for(result.score)) == ("A", 1)


def test_score10_the_trace_names_each_event_and_the_rules():
    result = score(
        ev("games_or_films", ref="score_event:1"),
        ev("missed_meeting", ref="score_event:2"),
        ev("top_of_team", ref="score_event:3"),
    )
    assert result.trace.refs == ("score_event:1", "score_event:2", "score_event:3")
    assert result.trace.rules == ("SCORE-10", "SCORE-3", "SCORE-2", "SCORE-4", "SCORE-5")
    (surcharge,) = result.trace.where("surcharge")
    assert surcharge.data["reached"] == ["medium"]
    data = result.trace.as_data()
    assert data[1] == {
        "rule": "SCORE-3",
        "what": "event",
        "amount": "-10",
        "ref": "score_event:1",
        "data": {"code": "games_or_films", "kind": "deduction", "band": "medium"},
    }
    assert result.policy_version == "default-2026.1"


def test_score9_an_event_with_a_figure_outside_its_entry_is_refused():
    with pytest.raises(CatalogueError) as refused:
        month_score(DEFAULT, [EventInput("late_or_early", Decimal(-7))])
    assert refused.value.code == "points_out_of_range"


def test_score9_a_deduction_booked_with_a_positive_sign_is_refused():
    with pytest.raises(CatalogueError):
        month_score(DEFAULT, [EventInput("absenteeism", Decimal(20))])


def test_score9_an_event_outside_the_catalogue_is_refused():
    with pytest.raises(LookupError):
        month_score(DEFAULT, [EventInput("nap", Decimal(-1))])


def test_score10_float_points_are_refused():
    with pytest.raises(TypeError):
        month_score(DEFAULT, [EventInput("late_or_early", -3.0)])


def test_score10_the_figures_are_read_from_the_pack():
    data = copy.deepcopy(DEFAULT.data)
    data["score_month"].update(base="70", floor="10")
    data["score_month"]["surcharge"] = {"points": "15", "thresholds": {"light": 2}}
    data["score_max"] = "100"
    policy = Policy(data)
    assert month_score(policy, []).score == 70
    assert month_score(policy, [ev("entry_error"), ev("entry_error")]).score == 70 - 4 - 15
    assert month_score(policy, [ev("covered_shift")] * 7).score == 100
    assert month_score(policy, [ev("absenteeism")] * 4).score == 10


# --- properties ---------------------------------------------------------------------------------

RECORDABLE = list(DEFAULT.score_events.values())


@st.composite
def events(draw):
    entry = draw(st.sampled_from(RECORDABLE))
    if entry.fixed:
        return EventInput(entry.code, entry.booked())
    tenths = draw(st.integers(int(entry.min * 10), int(entry.max * 10)))
    return EventInput(entry.code, entry.booked(Decimal(tenths) / 10))


@settings(deadline=None)
@given(st.lists(events(), max_size=30))
def test_score10_property_the_score_is_always_within_0_and_110(month):
    result = month_score(DEFAULT, month)
    assert Decimal(0) <= result.score <= Decimal(110)
    assert result.score == max(Decimal(0), min(Decimal(110), result.raw))


@settings(deadline=None)
@given(st.lists(events(), max_size=30))
def test_score10_property_the_raw_score_is_80_plus_the_events_minus_the_surcharge(month):
    result = month_score(DEFAULT, month)
    assert result.raw == 80 + sum((e.points for e in month), Decimal(0)) - result.surcharge
    assert (
        result.raw
        == 80 + result.bonuses - result.deductions + result.adjustments - result.surcharge
    )
    assert result.score.as_tuple().exponent >= -1  # one decimal at most (SCORE-1)
