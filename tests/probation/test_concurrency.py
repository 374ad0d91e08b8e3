"""Racing the probation flow on PostgreSQL (row locks): two backfills at once open each case
once (PROB-1); two GM decisions at once — one wins, the other is told someone acted first."""

import pytest

from approvals.probation.models import Probation
from audit.models import AuditEvent
from tests.notifications.reminderdata import run_together
from tests.orgdata import build_org, employee
from workflows.probation import probation_start, probations_open_missing

from .helpers import client_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_prob1_two_backfills_at_once_open_each_case_once():
    org = build_org()
    for i in range(10):
        employee(f"trainee{i}", department=org.cs, level="probationer")
    opened, errors = run_together(probations_open_missing)
    assert errors == []
    assert Probation.objects.count() == 10
    assert AuditEvent.objects.filter(case_type="probation", action="start-probation").count() == 10


def test_prob2_two_approvals_at_once_decide_once():
    org = build_org()
    trainee = employee("newbie", department=org.cs, level="probationer")
    probation = probation_start(employee=trainee)
    client_for(org.panel[2]).post(
        f"/api/v1/probations/{probation.pk}/record-exam/", {"passed": True}, format="json"
    )
    client_for(org.lead).post(
        f"/api/v1/probations/{probation.pk}/assess/", {"outcome": "convert"}, format="json"
    )

    def approve():
        return (
            client_for(org.gm)
            .post(f"/api/v1/probations/{probation.pk}/approve/", {}, format="json")
            .status_code
        )

    statuses, errors = run_together(approve)
    assert errors == []
    assert sorted(statuses) == [200, 409]
    assert AuditEvent.objects.filter(case_type="probation", action="approve").count() == 1
    assert Probation.objects.get(pk=probation.pk).state == "approved"
