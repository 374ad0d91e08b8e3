"""PROB-1: every new hire starts in probation with its end date."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from viewflow.workflow.models import Task

from approvals.errors import PolicyViolation
from approvals.probation.models import Probation
from approvals.probation.services import probation_open
from tests.orgdata import employee
from workflows.probation import probation_start, probations_open_missing

from .helpers import ENDS, HIRED, local

pytestmark = pytest.mark.django_db


def test_prob1_case_opened_with_end_date_hire_plus_three_months(case, trainee):
    assert case.employee == trainee
    assert case.hired_on == HIRED
    assert case.ends_on == ENDS
    assert case.state == "in_probation"


def test_prob1_opening_starts_exam_and_assessment_tasks(case, org):
    tasks = Task.objects.filter(process__artifact_object_id=case.pk).exclude(flow_task_type="START")
    names = sorted(t.flow_task.name for t in tasks if t.flow_task.name in ("exam", "assess"))
    assert names == ["assess", "exam"]
    assess = next(t for t in tasks if t.flow_task.name == "assess")
    assert assess.owner == org.lead.user


def test_prob1_opening_is_idempotent(case, trainee):
    again = probation_start(employee=trainee)
    assert again.pk == case.pk
    assert Probation.objects.filter(employee=trainee).count() == 1


def test_prob1_end_date_follows_policy_months(trainee):
    from policy.models import PolicyVersion

    version = PolicyVersion.objects.get()
    version.data = {**version.data, "probation": {**version.data["probation"], "months": 6}}
    from tests.packs import store_pack

    store_pack(version)
    probation = probation_start(employee=trainee)
    assert probation.ends_on == dt.date(2026, 7, 10)


def test_prob1_only_probationers_get_a_probation(org):
    with pytest.raises(PolicyViolation) as exc:
        probation_open(employee=org.agent)
    assert exc.value.code == "not_a_probationer"
    assert exc.value.rule == "PROB-1"
    assert not Probation.objects.exists()


def test_prob1_backfill_opens_missing_cases_once(org, trainee):
    other = employee("newbie2", department=org.cs, level="probationer")
    with time_machine.travel(local(2026, 2, 1, 9, 0), tick=False):
        assert probations_open_missing() == 2
        assert probations_open_missing() == 0
    assert set(Probation.objects.values_list("employee", flat=True)) == {trainee.pk, other.pk}


def test_prob1_backfill_command(org, trainee, capsys):
    call_command("open_probations")
    assert "1" in capsys.readouterr().out
    assert Probation.objects.filter(employee=trainee).exists()


def test_prob1_inactive_probationer_is_not_backfilled(org, trainee):
    trainee.user.is_active = False
    trainee.user.save()
    assert probations_open_missing() == 0


def test_prob1_scheduler_sweep_opens_probations(org, trainee):
    from notifications.scheduler import sweep

    report = sweep()
    assert report.steps.get("probations") == 1
    assert Probation.objects.filter(employee=trainee).exists()
