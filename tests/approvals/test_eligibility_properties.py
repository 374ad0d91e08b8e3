"""PROMO-2 as a property: for any 6 months of scores, the engine's verdict for senior equals the
rule read straight from POLICY.md (last 5 all tier 1, none below tier 2 in the last 6, a missing
month breaks "consecutive")."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from approvals.eligibility import evaluate
from performance.models import Assessment
from tests.factories import EmployeeFactory
from tests.orgdata import give_scores, tier_of

score = st.one_of(st.none(), st.decimals(min_value=50, max_value=110, places=1))


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scores=st.lists(score, min_size=6, max_size=6))
def test_promo2_senior_rule_matches_policy_text(scores):
    employee = EmployeeFactory(level="intermediate", hired_on=dt.date(2020, 1, 1))
    try:
        give_scores(employee, scores)
        last5, last6 = scores[-5:], scores
        expected = all(s is not None and tier_of(s) == 1 for s in last5) and all(
            s is None or tier_of(s) <= 2 for s in last6
        )
        assert evaluate(employee, "senior").eligible is expected
    finally:
        Assessment.objects.filter(employee=employee).delete()
        employee.delete()
        employee.user.delete()
