"""Racing casework on PostgreSQL (the flow lock): two GM office members claiming the same queued
step at once — one gets it, the other a 409; two urges at once record one (CASE-3)."""

import pytest
import time_machine

from audit.models import AuditEvent
from casework.models import Urge
from tests.notifications.reminderdata import run_together
from tests.orgdata import build_org, employee

from .helpers import START, at_gm_review, client_for, task_id

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_claims_of_one_queued_step_at_once_give_it_to_one():
    with time_machine.travel(START, tick=False):
        org = build_org()
        gm2 = employee("gm2", department=org.gm.department, level=None, roles=["gm_office"])
        case = at_gm_review(org)
        task = task_id(org.gm, "promotions", case["id"])
        people = iter([org.gm, gm2])

        def claim():
            person = next(people)
            response = client_for(person).post(f"/api/v1/inbox/{task}/claim/")
            return response.status_code, response.json().get("code")

        results, errors = run_together(claim)
    assert errors == []
    statuses = sorted(status for status, _code in results)
    assert statuses == [200, 409]
    assert {code for status, code in results if status == 409} <= {"already_claimed", "case_busy"}
    assert AuditEvent.objects.filter(action="claim").count() == 1


def test_two_urges_at_once_record_one():
    """CASE-3: once per 24 hours per step, also when sent twice at the same moment."""
    with time_machine.travel(START, tick=False):
        org = build_org()
        case = (
            client_for(org.agent)
            .post(
                "/api/v1/leaves/",
                {
                    "kind": "personal",
                    "start": "2026-03-09T09:00:00+08:00",
                    "end": "2026-03-09T18:00:00+08:00",
                    "reason": "家中有事",
                },
                format="json",
            )
            .json()
        )

        def urge():
            response = client_for(org.agent).post(f"/api/v1/leaves/{case['id']}/urge/")
            return response.status_code

        results, errors = run_together(urge)
    assert errors == []
    assert sorted(results)[0] == 200 and sorted(results)[1] in (400, 409)
    assert Urge.objects.count() == 1
