"""AWARD-1, AWARD-2: the statements of each step of an award case, pinned like
tests/workflows/test_step_queries.py (one transaction per step, driven as the API drives it: a
fresh user, the service and the flow's start in one transaction for the opening, each action
through workflows.engine.run_action with every field it declares). A warm-up case of another
department runs first, so the caches a running system holds are loaded. The opening and the
publication do not grow with the department or the company (their reads are one query each)."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.award.services import award_open
from approvals.db import whole_transaction
from tests.award.helpers import NOV_10, close_month
from tests.orgdata import build_org, employee
from workflows.award import AwardFlow
from workflows.engine import run_action, start_flow

pytestmark = pytest.mark.django_db

AWARD_STEPS = {
    "open": 23,  # the role, the month's close, the five candidate reads, one INSERT of them
    "open-vote": 9,  # the outbox event the voters are told from (approvals.award.receivers)
    "vote": 10,  # the participation row (in a savepoint) and one counter UPDATE
    "close-vote": 17,
    "review": 13,
    "assess": 14,
    "approve": 14,  # the mail to all is the sweep's (approvals.award.receivers)
}


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def _act(name, actor, **body):
    actor = fresh(actor)
    payload = {f: body.get(f) for f in AwardFlow.actions[name].fields}
    return lambda case: run_action(
        flow_class=AwardFlow,
        actions=AwardFlow.actions,
        case=case,
        name=name,
        actor=actor,
        **payload,
    )


def _open(actor, department):
    actor = fresh(actor)

    def step(_):
        with whole_transaction():
            case = award_open(actor=actor, department=department.pk, month="2026-10")
            start_flow(flow_class=AwardFlow, case=case)
        return case

    return step


def _steps(org, department, lead, voters, winner):
    return [
        ("open", _open(org.admin.user, department)),
        ("open-vote", _act("open-vote", org.admin.user)),
        *[("vote", _act("vote", v.user, candidate=winner.pk)) for v in voters],
        ("close-vote", _act("close-vote", org.admin.user)),
        ("review", _act("review", lead.user, decision="approve")),
        ("assess", _act("assess", org.panel[1].user, decision="approve")),
        ("approve", _act("approve", org.gm.user, decision="approve")),
    ]


def _measure(steps):
    counts, case = {}, None
    for name, step in steps:
        with CaptureQueriesContext(connection) as ctx:
            case = step(case)
        counts[name] = len(ctx.captured_queries)  # the last of the votes stays
    return counts, case


def _department(org, code, size):
    from tests.factories import DepartmentFactory

    dept = DepartmentFactory(code=code, name=code)
    lead = employee(f"{code}-lead", department=dept, level="senior", roles=["department_lead"])
    dept.lead = lead
    dept.save()
    people = [employee(f"{code}-{i}", department=dept) for i in range(size)]
    close_month(dept)
    return dept, lead, people


@time_machine.travel(NOV_10, tick=False)
def test_award1_award2_statements_per_step_of_an_award_case():
    org = build_org()
    warm, warm_lead, warm_people = _department(org, "warm", 4)
    _measure(_steps(org, warm, warm_lead, warm_people[1:], warm_people[0]))
    dept, lead, people = _department(org, "small", 4)
    counts, case = _measure(_steps(org, dept, lead, people[1:], people[0]))
    case.refresh_from_db()
    assert case.state == "published"
    assert counts == AWARD_STEPS, counts
    # A department five times larger and a company with more employees: the same statements.
    big, big_lead, big_people = _department(org, "big", 20)
    big_counts, _case = _measure(_steps(org, big, big_lead, big_people[1:4], big_people[0]))
    assert big_counts == counts
