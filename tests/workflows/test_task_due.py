"""Issue 12 (inbox at scale): an open human task keeps its step's due time on its own row
(`Task.scheduled`, set by workflows.nodes when the task is created), so that the inbox is
ordered by that column, not by a deadline subquery per task. The row must say what the
deadlines say: after every step of every process, each open human task's `scheduled` is the
latest open deadline of its step's name on its case (None for a step without one), the time the
inbox shows and orders by."""

import datetime as dt

import pytest
import time_machine
from django.db.models import Max
from viewflow.workflow.models import Task

from approvals.deadlines import Deadline
from notifications.scheduler import sweep
from tests.orgdata import build_org
from tests.workflows.test_step_queries import (
    MONDAY,
    _leave_steps,
    _penalty_steps,
    _probation_steps,
    _probationer,
    _promotion_steps,
    _punch_steps,
    _swap_steps,
)
from workflows.engine import OPEN_TASK_STATUSES
from workflows.inbox import inbox_for
from workflows.leave import LeaveFlow
from workflows.site import FLOWS

pytestmark = pytest.mark.django_db

FLOW_BY_LABEL = {flow_class.instance.flow_label: flow_class for flow_class in FLOWS}


def _expected_due(task):
    flow_class = task.flow_task.flow_class
    name = flow_class.node_deadlines.get(task.flow_task.name)
    if name is None:
        return None
    return Deadline.objects.filter(
        case_type=flow_class.case_model._meta.model_name,
        case_id=task.process.artifact_object_id,
        name=name,
        met_at__isnull=True,
    ).aggregate(latest=Max("due_at"))["latest"]


def _open_human_tasks():
    return list(
        Task.objects.filter(flow_task_type="HUMAN", status__in=OPEN_TASK_STATUSES).select_related(
            "process"
        )
    )


def _check_every_step(steps, case=None):
    """Run the steps; after each, every open human task's row carries its deadline. Returns how
    many dated open tasks were checked, summed over the steps (so a test can tell it checked
    something)."""
    dated = 0
    for name, step in steps:
        case = step(case)
        for task in _open_human_tasks():
            expected = _expected_due(task)
            assert task.scheduled == expected, (name, task.flow_task.name, task.scheduled)
            dated += expected is not None
    return dated


def test_a_promotion_cases_tasks_carry_their_deadlines():
    org = build_org()
    assert _check_every_step(_promotion_steps(org, org.agent.user)) >= 3


@time_machine.travel(MONDAY, tick=False)
def test_a_probation_cases_tasks_carry_their_deadlines():
    org = build_org()
    trainee, case = _probationer(org, "trainee1")
    assert _check_every_step(_probation_steps(org, trainee), case) >= 3


@time_machine.travel(MONDAY, tick=False)
def test_a_penalty_cases_tasks_carry_their_deadlines():
    org = build_org()
    assert _check_every_step(_penalty_steps(org, org.agent)) >= 1


@time_machine.travel(MONDAY, tick=False)
def test_leave_swap_and_make_up_tasks_carry_theirs_or_none():
    org = build_org()
    assert _check_every_step(_leave_steps(org, day=11)[:1]) == 1  # the lead's decision
    for steps in (_swap_steps(org), _punch_steps(org, "2026-03-02T09:00:00+08:00")):
        # After each step, only the open leave's task has a due time: these steps have none.
        assert _check_every_step(steps) == len(steps)


def test_an_overdue_leave_escalated_to_the_gm_office_keeps_the_deadline_it_missed():
    """LEAVE-5: the GM office's task answers the same, now past, decision deadline: it sorts
    first and shows overdue."""
    org = build_org()
    with time_machine.travel(MONDAY, tick=False):
        _leave_steps(org, day=11)[0][1](None)
        due = Deadline.objects.get(case_type="leave").due_at
    with time_machine.travel(due + dt.timedelta(hours=1), tick=False):
        sweep()
        task = Task.objects.get(flow_task=LeaveFlow.instance.node("decide_gm"))
        assert task.status in OPEN_TASK_STATUSES
        assert task.scheduled == due == _expected_due(task)
        row = next(r for r in inbox_for(org.gm.user) if r["task_id"] == task.pk)
        assert row["due_at"] == due.isoformat() and row["overdue"] is True
