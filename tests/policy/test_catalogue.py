"""The event catalogue as policy data (SCORE-2, SCORE-3, SCORE-9, SCORE-10): the default pack's
entries from seed 001, the figures a person may enter, and the packs the validation refuses."""

import copy
import datetime as dt
import importlib
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from policy.catalogue import CatalogueError
from policy.lint import check_pack
from policy.models import PolicyVersion
from policy.pack import PACKS_DIR, Policy
from policy.services import policy_version_create

DEFAULT_DATA = json.loads((PACKS_DIR / "default.json").read_text(encoding="utf-8"))
DEFAULT = Policy(DEFAULT_DATA)


def pack(**changes) -> dict:
    data = copy.deepcopy(DEFAULT_DATA)
    data.update(changes)
    return data


def entry(code: str, data: dict) -> dict:
    return next(e for e in data["score_events"] if e["code"] == code)


def findings(data) -> dict[tuple[str, str], str]:
    return {(f.code, f.path): f.message for f in check_pack(data)}


# --- the default catalogue -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind", "band", "low", "high"),
    [
        ("top_of_team", "bonus", None, "5", "5"),
        ("exam_full_marks", "bonus", None, "5", "5"),
        ("covered_shift", "bonus", None, "5", "5"),
        ("extra_work", "bonus", None, "5", "5"),
        ("zero_complaints", "bonus", None, "5", "5"),
        ("suggestion_adopted", "bonus", None, "5", "5"),
        ("team_lead_extra", "signed", None, "-5", "5"),
        ("late_or_early", "deduction", "light", "2", "5"),
        ("entry_error", "deduction", "light", "2", "2"),
        ("left_post", "deduction", "light", "5", "5"),
        ("off_topic_talk", "deduction", "light", "1", "2"),
        ("spot_check_error", "deduction", "light", "2", "5"),
        ("games_or_films", "deduction", "medium", "10", "10"),
        ("missed_meeting", "deduction", "medium", "10", "10"),
        ("exam_below_60", "deduction", "medium", "10", "10"),
        ("incident_late_30", "deduction", "medium", "10", "10"),
        ("absenteeism", "deduction", "severe", "20", "20"),
        ("customer_quarrel", "deduction", "severe", "20", "20"),
        ("sleeping_on_duty", "deduction", "dismissal", "0", "0"),
        ("line_hung_up", "deduction", "dismissal", "0", "0"),
        ("cliques", "deduction", "dismissal", "0", "0"),
        ("abuse_of_power", "deduction", "dismissal", "0", "0"),
        ("adjustment", "signed", None, "-110", "110"),
    ],
)
def test_score2_score3_the_default_catalogue_has_the_seed_events(code, kind, band, low, high):
    event = DEFAULT.score_event(code)
    assert (event.kind, event.band, event.min, event.max) == (
        kind,
        band,
        Decimal(low),
        Decimal(high),
    )


def test_score3_absenteeism_carries_the_fine_of_seed_002():
    """ATT-2/LEAVE-3: 旷工 is a severe 20 and a fine of 30."""
    event = DEFAULT.score_event("absenteeism")
    assert (event.points, event.fine) == (Decimal(20), Decimal(30))


def test_score2_the_team_leads_extra_needs_a_reason_and_is_the_trainers():
    event = DEFAULT.score_event("team_lead_extra")
    assert (event.reason_required, event.recorded_by) == (True, "trainer")


def test_score10_the_adjustment_corrects_a_closed_month_with_a_reason_by_administration():
    event = DEFAULT.score_event("adjustment")
    assert (event.after_close, event.reason_required, event.recorded_by) == (
        True,
        True,
        "administration",
    )
    assert [e.code for e in DEFAULT.score_events.values() if e.after_close] == ["adjustment"]


def test_appeal3_a_penalty_booking_takes_its_points_from_the_penalty_table():
    data = pack()
    data["penalties"]["points"]["written_warning"] = "10"
    assert Policy(data).score_event("penalty_written_warning").max == Decimal(10)
    assert not Policy(data).score_event("penalty_written_warning").counts_for_surcharge


def test_score3_light_and_medium_deductions_count_toward_the_surcharge():
    assert DEFAULT.score_event("late_or_early").counts_for_surcharge
    assert DEFAULT.score_event("missed_meeting").counts_for_surcharge
    assert not DEFAULT.score_event("top_of_team").counts_for_surcharge


def test_score9_labels_in_both_languages_follow_the_active_language():
    event = DEFAULT.score_event("absenteeism")
    assert event.label("zh-hans") == "旷工"
    with translation.override("en"):
        assert event.label() == "Absenteeism (absent without approved leave)"
    with translation.override("zh-hans"):
        assert event.label() == "旷工"
    assert DEFAULT.deduction_band_label("light", "zh-hans") == "轻度违规"


def test_score10_score3_score7_month_rules_are_pack_data():
    assert (DEFAULT.score_base, DEFAULT.score_floor, DEFAULT.score_cap) == (80, 0, 110)
    assert DEFAULT.surcharge_points == 20
    assert DEFAULT.surcharge_thresholds == {"medium": 2, "light": 4}
    assert (DEFAULT.alert_below, DEFAULT.alert_last_below, DEFAULT.alert_last_months) == (60, 70, 2)
    assert (DEFAULT.alert_failed_months, DEFAULT.alert_failed_tier) == (3, 4)


@pytest.mark.parametrize(
    ("month", "closes"),
    [
        (dt.date(2026, 9, 1), dt.date(2026, 10, 3)),
        (dt.date(2026, 12, 31), dt.date(2027, 1, 3)),
        (dt.date(2027, 1, 15), dt.date(2027, 2, 3)),
    ],
)
def test_score10_a_month_closes_on_the_third_local_day_of_the_next(month, closes):
    assert DEFAULT.month_close_on(month) == closes


def test_score10_the_close_day_is_read_from_the_pack():
    data = pack(score_month={**DEFAULT_DATA["score_month"], "close_day": 5})
    assert Policy(data).month_close_on(dt.date(2026, 9, 1)) == dt.date(2026, 10, 5)


# --- the figures a person may enter (SCORE-9) ----------------------------------------------------


def test_score9_a_deduction_entered_as_a_magnitude_is_booked_negative():
    assert DEFAULT.score_event("late_or_early").booked(Decimal(3)) == Decimal(-3)


def test_score9_a_fixed_entry_books_its_own_figure():
    assert DEFAULT.score_event("left_post").booked() == Decimal(-5)


def test_score9_a_range_entry_needs_its_figure():
    with pytest.raises(CatalogueError) as refused:
        DEFAULT.score_event("late_or_early").booked()
    assert refused.value.code == "points_required"


@pytest.mark.parametrize(("code", "points"), [("late_or_early", "6"), ("late_or_early", "1"),
                                              ("team_lead_extra", "5.5"), ("top_of_team", "4")])  # fmt: skip
def test_score9_points_outside_the_entrys_range_are_refused(code, points):
    with pytest.raises(CatalogueError) as refused:
        DEFAULT.score_event(code).booked(Decimal(points))
    assert refused.value.code == "points_out_of_range"
    assert refused.value.params["code"] == code


def test_score9_the_team_leads_extra_keeps_its_sign():
    assert DEFAULT.score_event("team_lead_extra").booked(Decimal(-5)) == Decimal(-5)


def test_score9_a_booked_deduction_with_a_positive_sign_is_refused():
    with pytest.raises(CatalogueError) as refused:
        DEFAULT.score_event("late_or_early").check_booked(Decimal(3))
    assert refused.value.code == "points_wrong_sign"


def test_score9_points_finer_than_the_score_step_are_refused():
    with pytest.raises(CatalogueError) as refused:
        DEFAULT.score_event("late_or_early").booked(Decimal("2.55"))
    assert refused.value.code == "points_step"


def test_score9_a_float_is_never_a_figure():
    with pytest.raises(TypeError):
        DEFAULT.score_event("late_or_early").booked(3.0)


def test_score9_an_unknown_code_names_the_version():
    with pytest.raises(LookupError, match="default-2026.1 has no score event 'nap'"):
        DEFAULT.score_event("nap")


# --- a bad catalogue is refused -----------------------------------------------------------------


def test_default_and_literal_catalogues_lint_clean():
    literal = json.loads((PACKS_DIR / "handbook_literal.json").read_text(encoding="utf-8"))
    for data in (DEFAULT_DATA, literal):
        assert [f for f in check_pack(data) if f.code.startswith("catalogue")] == []


def test_score9_a_duplicate_code_is_refused():
    data = pack()
    data["score_events"].append(copy.deepcopy(entry("late_or_early", data)))
    last = len(data["score_events"]) - 1
    message = findings(data)[("catalogue_duplicate_code", f"score_events[{last}]")]
    assert "late_or_early is already used by score_events[" in message


def test_score9_a_range_upside_down_is_refused():
    data = pack()
    entry("late_or_early", data).update(min="5", max="2")
    assert (
        "min 5 is above max 2"
        in findings(data)[("catalogue_range_reversed", "score_events.late_or_early")]
    )


def test_score3_points_outside_the_band_are_refused():
    data = pack()
    entry("left_post", data)["points"] = "10"
    message = findings(data)[("catalogue_outside_band", "score_events.left_post")]
    assert "10 points lie outside the light band's 1..5" in message


def test_score3_a_range_reaching_out_of_its_band_is_refused():
    data = pack()
    entry("late_or_early", data)["max"] = "8"
    assert ("catalogue_outside_band", "score_events.late_or_early") in findings(data)


def test_score9_a_missing_label_is_refused_with_its_path():
    data = pack()
    del entry("absenteeism", data)["labels"]["en"]
    i = data["score_events"].index(entry("absenteeism", data))
    assert findings(data)[("schema", f"$.score_events[{i}].labels.en")]


def test_score9_a_blank_label_is_refused():
    data = pack()
    entry("absenteeism", data)["labels"]["zh-hans"] = "  "
    assert (
        "no zh-hans label"
        in findings(data)[("catalogue_label_missing", "score_events.absenteeism")]
    )


def test_score3_a_deduction_without_a_band_is_refused():
    data = pack()
    del entry("absenteeism", data)["band"]
    assert ("catalogue_band_missing", "score_events.absenteeism") in findings(data)


def test_score3_a_bonus_stated_negative_is_refused():
    data = pack()
    entry("top_of_team", data)["points"] = "-5"
    assert ("catalogue_negative", "score_events.top_of_team") in findings(data)


def test_score9_an_entry_without_points_is_refused():
    data = pack()
    del entry("top_of_team", data)["points"]
    assert ("catalogue_no_points", "score_events.top_of_team") in findings(data)


def test_appeal3_a_sanction_entry_with_its_own_points_is_refused():
    data = pack()
    entry("penalty_final_warning", data)["points"] = "20"
    assert ("catalogue_sanction_points", "score_events.penalty_final_warning") in findings(data)


def test_score10_a_catalogue_without_an_adjustment_is_refused():
    data = pack()
    data["score_events"] = [e for e in data["score_events"] if not e.get("after_close")]
    assert ("catalogue_no_adjustment", "score_events") in findings(data)


def test_score3_a_surcharge_threshold_of_zero_is_refused_with_its_path():
    data = pack()
    data["score_month"]["surcharge"]["thresholds"]["light"] = 0
    assert ("schema", "$.score_month.surcharge.thresholds.light") in findings(data)


@pytest.mark.django_db
def test_score9_a_pack_with_a_bad_catalogue_is_not_saved():
    data = pack()
    entry("left_post", data)["points"] = "10"
    with pytest.raises(ValidationError) as refused:
        policy_version_create(
            code="bad", name="bad", effective_from=timezone.now() + dt.timedelta(days=3), data=data
        )
    messages = {e.params["path"]: e.params["message"] for e in refused.value.error_dict["data"]}
    assert "outside the light band" in messages["score_events.left_post"]
    assert not PolicyVersion.objects.filter(code="bad").exists()


# --- the migration that adds the keys to the shipped version --------------------------------------

KEYS = ("deduction_bands", "score_events", "score_month", "score_alerts")


@pytest.mark.django_db
def test_migration_0007_adds_the_new_keys_to_the_shipped_version_only_where_missing():
    migration = importlib.import_module("policy.migrations.0007_default_pack_score_events")
    version = PolicyVersion.objects.get(code=DEFAULT_DATA["code"])
    stored = {k: v for k, v in version.data.items() if k not in KEYS[1:]}
    stored["deduction_bands"] = {"kept": True}  # present: left as it is
    PolicyVersion.objects.filter(pk=version.pk).update(data=stored)
    migration.refresh(apps, None)
    version.refresh_from_db()
    assert version.data["deduction_bands"] == {"kept": True}
    assert version.data["score_events"] == DEFAULT_DATA["score_events"]
    assert version.data["score_alerts"] == DEFAULT_DATA["score_alerts"]
