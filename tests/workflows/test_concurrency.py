"""Two reviewers' requests deciding the same step at the same moment (PostgreSQL row locks).

viewflow's default no_lock let both pass and create a duplicate next task; with the process row
lock exactly one decision lands and the loser gets a 409 with a code, never a 500.
"""

import time

import pytest
from viewflow.workflow.models import Task

from approvals.promotion import services
from audit.models import AuditEvent
from tests.orgdata import build_org, employee
from tests.races import decide_twice
from workflows.engine import start_flow
from workflows.promotion import PromotionFlow

ROUNDS = 50


def _decide_twice(user, url, body):
    return decide_twice(user, url, body)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_nomination_gives_one_decision_and_one_next_task(monkeypatch):
    # Widen the race window: each request pauses after it has read the case and passed the
    # permission check, so both are inside their transactions at the same time.
    original = services.check_nominator

    def slow_check(actor, promotion):
        original(actor, promotion)
        time.sleep(0.05)

    monkeypatch.setattr(services, "check_nominator", slow_check)
    org = build_org()
    outcomes = []
    for i in range(ROUNDS):
        agent = employee(f"c{i}", department=org.cs)
        promotion = services.promotion_submit(
            actor=agent.user, target_level="intermediate", statement="s", skip_level_reason="例外"
        )
        start_flow(flow_class=PromotionFlow, case=promotion)
        results = _decide_twice(
            org.lead.user, f"/api/v1/promotions/{promotion.pk}/nominate/", {"comment": "ok"}
        )
        outcomes.append(results)
        statuses = [status for status, _ in results]
        assert statuses == [200, 409], results
        assert results[1][1] in ("state_conflict", "case_busy")
        assert (
            AuditEvent.objects.filter(
                case_id=promotion.pk, case_type="promotion", action="nominate"
            ).count()
            == 1
        )
        gm_tasks = Task.objects.filter(
            process__artifact_object_id=promotion.pk, flow_task=PromotionFlow.gm_review
        )
        assert gm_tasks.count() == 1
    print(
        f"{ROUNDS} rounds: every round one 200 and one 409 "
        f"({sum(1 for r in outcomes if r[1][1] == 'state_conflict')} state_conflict, "
        f"{sum(1 for r in outcomes if r[1][1] == 'case_busy')} case_busy)"
    )
