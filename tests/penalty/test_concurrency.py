"""Racing the penalty flow on PostgreSQL (row locks): two sweeps firing the same lapsed window,
and the employee objecting twice at once. Each booking and each objection happens once."""

import pytest
import time_machine
from viewflow.workflow.timers import fire_due_timers

from approvals.penalty.models import Objection, Penalty
from approvals.penalty.services import penalty_serve, penalty_sign
from audit.models import AuditEvent
from performance.models import ScoreEvent
from tests.notifications.reminderdata import run_together
from tests.orgdata import build_org
from tests.penalty.helpers import client_for, local
from workflows.engine import start_flow
from workflows.penalty import PenaltyFlow

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CASES = 20


def _served(org, n):
    cases = []
    for _ in range(n):
        penalty = penalty_serve(
            actor=org.lead.user,
            employee=org.agent,
            facts="f",
            rule="r",
            sanction="verbal_warning",
            evidence="e",
        )
        start_flow(flow_class=PenaltyFlow, case=penalty)
        penalty_sign(penalty=penalty, actor=org.agent.user)
        cases.append(penalty)
    return cases


def test_appeal3_two_sweeps_lapse_each_window_and_book_each_fine_once():
    org = build_org()
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        cases = _served(org, CASES)
    with time_machine.travel(local(2026, 3, 6, 0, 0), tick=False):
        fired, errors = run_together(fire_due_timers)
    assert errors == []
    print(f"\n{CASES} lapsed windows, 2 concurrent sweeps: fired {fired[0]} + {fired[1]}")
    assert Penalty.objects.filter(pk__in=[c.pk for c in cases], state="final").count() == CASES
    assert ScoreEvent.objects.count() == CASES
    assert AuditEvent.objects.filter(case_type="penalty", action="lapse").count() == CASES
    assert AuditEvent.objects.filter(case_type="penalty", action="finalise").count() == CASES
    # Ladder: the verbal warnings were counted into written ones exactly once each.
    assert Penalty.objects.filter(derived=True, sanction="written_warning").count() == CASES // 3


def test_appeal1_objecting_twice_at_once_files_one_objection():
    org = build_org()
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        [penalty] = _served(org, 1)

        def object_():
            response = client_for(org.agent).post(
                f"/api/v1/penalties/{penalty.pk}/object/", {"reason": "x"}, format="json"
            )
            return response.status_code, response.json().get("code")

        results, errors = run_together(object_)
        results = sorted(results)
    assert errors == []
    assert results[0][0] == 200
    assert results[1] in ((409, "state_conflict"), (409, "case_busy"))
    assert Objection.objects.count() == 1
    assert AuditEvent.objects.filter(case_type="penalty", action="object").count() == 1
