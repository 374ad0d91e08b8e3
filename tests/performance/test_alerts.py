"""Last in the department (SCORE-11) and the alerts over closed months (SCORE-7), each at its
edge: 59.9 vs 60, 69.9 vs 70, 2 vs 3 consecutive failed months; a missing month breaks a run."""

import copy
import datetime as dt
from decimal import Decimal

import pytest

from performance.scoring import (
    ALERT_BELOW,
    ALERT_FAILED_STREAK,
    ALERT_LAST_IN_DEPARTMENT,
    ClosedMonth,
    alert_below,
    alert_failed_streak,
    alert_last_in_department,
    last_in_department,
    month_alerts,
)
from policy.pack import PACKS_DIR, Policy

DEFAULT = Policy.from_file(PACKS_DIR / "default.json")


def month(n: int) -> dt.date:
    """The n-th month from January 2026."""
    return dt.date(2026 + (n - 1) // 12, (n - 1) % 12 + 1, 1)


def closed(n, score, *, last=False, tier=None):
    score = Decimal(score)
    return ClosedMonth(
        month(n),
        score,
        DEFAULT.tier_for(score) if tier is None else tier,
        last_in_department=last,
        ref=f"assessment:{n}",
    )


# --- SCORE-11 -------------------------------------------------------------------------------


def test_score11_the_lowest_score_is_last():
    result = last_in_department(DEFAULT, {"a": Decimal(85), "b": Decimal("62.5"), "c": Decimal(70)})
    assert (result.keys, result.score) == (frozenset({"b"}), Decimal("62.5"))


def test_score11_ties_for_last_are_all_last():
    scores = {"a": Decimal(85), "b": Decimal(65), "c": Decimal(65), "d": Decimal("65.1")}
    result = last_in_department(DEFAULT, scores)
    assert result.keys == frozenset({"b", "c"})
    assert [s.ref for s in result.trace.where("last")] == ["b", "c"]


def test_score11_a_department_all_tied_is_all_last():
    result = last_in_department(DEFAULT, {1: Decimal(80), 2: Decimal(80)})
    assert result.keys == frozenset({1, 2})


def test_score11_one_agent_alone_is_not_last():
    result = last_in_department(DEFAULT, {"a": Decimal(50)})
    assert (result.keys, result.score) == (frozenset(), None)
    assert result.trace.where("no_last_place")[0].data == {"agents": 1, "min_agents": 2}


# --- SCORE-7: below 60 ----------------------------------------------------------------------


def test_score7_a_month_at_59_9_raises_the_alert():
    alert = alert_below(DEFAULT, [closed(1, "80"), closed(2, "59.9")])
    assert (alert.code, alert.month, alert.rules) == (ALERT_BELOW, month(2), ("SCORE-7",))
    assert alert.trace.refs == ("assessment:2",)


def test_score7_a_month_at_60_raises_no_alert():
    assert alert_below(DEFAULT, [closed(1, "60")]) is None


def test_score7_only_the_latest_month_raises_the_below_alert():
    assert alert_below(DEFAULT, [closed(1, "40"), closed(2, "75")]) is None


# --- SCORE-7: two consecutive months last in the department below 70 --------------------------


def test_score7_two_consecutive_months_last_at_69_9_raise_the_alert():
    months = [closed(1, "69.9", last=True), closed(2, "69.9", last=True)]
    alert = alert_last_in_department(DEFAULT, months)
    assert alert.code == ALERT_LAST_IN_DEPARTMENT
    assert [m.month for m in alert.months] == [month(1), month(2)]
    assert alert.rules == ("SCORE-11", "SCORE-7")


def test_score7_a_month_last_at_70_raises_no_alert():
    months = [closed(1, "69.9", last=True), closed(2, "70", last=True)]
    assert alert_last_in_department(DEFAULT, months) is None


def test_score7_one_month_last_below_70_raises_no_alert():
    months = [closed(1, "65", last=False), closed(2, "65", last=True)]
    assert alert_last_in_department(DEFAULT, months) is None


def test_score7_a_missing_month_breaks_the_last_place_run():
    months = [closed(1, "65", last=True), closed(3, "65", last=True)]
    assert alert_last_in_department(DEFAULT, months) is None


def test_score7_last_place_across_the_year_end_is_consecutive():
    months = [closed(12, "65", last=True), closed(13, "65", last=True)]
    assert alert_last_in_department(DEFAULT, months).month == dt.date(2027, 1, 1)


# --- SCORE-7: three consecutive failed months ------------------------------------------------


def test_score7_three_consecutive_failed_months_raise_the_alert():
    months = [closed(1, "80"), closed(2, "59.9"), closed(3, "50"), closed(4, "30")]
    alert = alert_failed_streak(DEFAULT, months)
    assert alert.code == ALERT_FAILED_STREAK
    assert [m.month for m in alert.months] == [month(2), month(3), month(4)]
    assert alert.trace.refs == ("assessment:2", "assessment:3", "assessment:4")


def test_score7_two_consecutive_failed_months_raise_no_streak_alert():
    months = [closed(1, "80"), closed(2, "59.9"), closed(3, "50")]
    assert alert_failed_streak(DEFAULT, months) is None


def test_score7_a_month_at_60_breaks_the_failed_streak():
    months = [closed(1, "50"), closed(2, "60"), closed(3, "50"), closed(4, "50")]
    assert alert_failed_streak(DEFAULT, months) is None


def test_score7_a_missing_month_breaks_the_failed_streak():
    months = [closed(1, "50"), closed(2, "50"), closed(4, "50")]
    assert alert_failed_streak(DEFAULT, months) is None


def test_score7_the_failed_streak_reads_the_tier_each_month_closed_with():
    months = [closed(1, "65", tier=4), closed(2, "65", tier=4), closed(3, "65", tier=4)]
    assert alert_failed_streak(DEFAULT, months) is not None


def test_score7_months_in_any_order_are_read_by_month():
    months = [closed(3, "50"), closed(1, "50"), closed(2, "50")]
    assert alert_failed_streak(DEFAULT, months).month == month(3)


def test_score1_two_closed_scores_for_one_month_are_refused():
    with pytest.raises(ValueError):
        month_alerts(DEFAULT, [closed(1, "50"), closed(1, "55")])


# --- all of them ----------------------------------------------------------------------------


def test_score7_a_month_may_raise_every_alert_at_once():
    months = [closed(n, "50", last=True) for n in (1, 2, 3)]
    assert [a.code for a in month_alerts(DEFAULT, months)] == [
        ALERT_BELOW,
        ALERT_LAST_IN_DEPARTMENT,
        ALERT_FAILED_STREAK,
    ]


def test_score7_no_closed_month_no_alert():
    assert month_alerts(DEFAULT, []) == []


def test_score7_the_thresholds_are_read_from_the_pack():
    data = copy.deepcopy(DEFAULT.data)
    data["score_alerts"] = {
        "below": "65",
        "last_in_department": {"months": 3, "below": "75", "min_agents": 3},
        "failed_streak": {"months": 2, "tier": 3},
    }
    policy = Policy(data)
    assert alert_below(policy, [closed(1, "64.9")]) is not None
    two_last = [closed(1, "72", last=True), closed(2, "72", last=True)]
    assert alert_last_in_department(policy, two_last) is None
    three_last = [closed(n, "72", last=True) for n in (1, 2, 3)]
    assert alert_last_in_department(policy, three_last) is not None
    assert alert_failed_streak(policy, [closed(1, "70"), closed(2, "79.9")]) is not None
    assert last_in_department(policy, {"a": Decimal(1), "b": Decimal(2)}).keys == frozenset()
