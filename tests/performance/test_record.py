"""assessment_record: one score per employee and month (SCORE-1), tier and grade by the policy
(SCORE-4, SCORE-5), the 110 cap, re-recording replaces."""

import datetime as dt
from decimal import Decimal

import pytest

from approvals.errors import InvalidInput, PolicyViolation
from audit.models import AuditEvent
from performance.models import Assessment
from performance.services import assessment_record
from policy.services import policy_in_force
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db
SEPT = dt.date(2026, 9, 1)


def record(employee, score, month=SEPT, **kwargs):
    return assessment_record(
        employee=employee, month=month, score=Decimal(str(score)), source="manual", **kwargs
    )


@pytest.mark.parametrize(
    ("score", "tier", "grade"),
    [("110", 1, "A"), ("91", 1, "A"), ("90.9", 2, "A"), ("90", 2, "B"), ("80", 2, "B"),
     ("79.9", 3, "C"), ("60", 3, "E"), ("59.9", 4, "fail"), ("0", 4, "fail")],
)  # fmt: skip
def test_score_4_5_tier_and_grade_computed_by_the_policy(score, tier, grade):
    row = record(EmployeeFactory(), score)
    assert (row.tier, row.grade) == (tier, grade)
    assert row.policy_version == policy_in_force().version


def test_score_1_month_is_normalised_to_its_first_day():
    row = record(EmployeeFactory(), 85, month=dt.date(2026, 9, 17))
    assert row.month == SEPT


@pytest.mark.parametrize("score", ["110.1", "111", "-1"])
def test_score_1_outside_0_to_110_is_refused_and_nothing_written(score):
    with pytest.raises(PolicyViolation) as refused:
        record(EmployeeFactory(), score)
    assert refused.value.rule == "SCORE-1" and refused.value.code == "score_out_of_range"
    assert not Assessment.objects.exists()


def test_score_with_two_decimals_is_refused():
    with pytest.raises(InvalidInput, match="more than one decimal place") as refused:
        record(EmployeeFactory(), "85.25")
    assert refused.value.code == "bad_score"


def test_month_not_begun_is_refused():
    with pytest.raises(InvalidInput) as refused:
        record(EmployeeFactory(), 85, month=dt.date(2999, 1, 1))
    assert refused.value.code == "future_month"


def test_unknown_source_is_refused():
    with pytest.raises(InvalidInput):
        assessment_record(employee=EmployeeFactory(), month=SEPT, score=Decimal(80), source="x")


def test_score_1_re_recording_a_month_replaces_its_score_and_is_audited():
    employee = EmployeeFactory()
    record(employee, 70)
    record(employee, 95)
    [row] = Assessment.objects.filter(employee=employee)
    assert (row.score, row.tier) == (Decimal("95.0"), 1)
    events = AuditEvent.objects.filter(case_type="assessment", case_id=row.pk)
    assert [(e.action, e.data["previous_score"]) for e in events] == [
        ("record", None),
        ("replace", "70.0"),
    ]


def test_recording_the_same_score_again_writes_nothing():
    employee = EmployeeFactory()
    record(employee, 88)
    record(employee, 88)
    assert AuditEvent.objects.filter(case_type="assessment").count() == 1
