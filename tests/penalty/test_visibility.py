"""Who sees which penalty (security rules): an employee only their own, a lead their department's,
named witnesses the slip they sign, the GM office and administration everything. A case the
caller may not see answers 404, never 403 (API.md)."""

import pytest

from tests.orgdata import employee
from tests.penalty.helpers import act, client_for, read, serve

pytestmark = pytest.mark.django_db


def listed(who) -> list[int]:
    response = client_for(who).get("/api/v1/penalties/")
    assert response.status_code == 200
    return [c["id"] for c in response.json()]


def test_an_employee_sees_only_their_own_penalties(org):
    mine = serve(org.lead, org.agent)["id"]
    theirs = serve(org.lead, org.colleague)["id"]
    assert listed(org.agent) == [mine]
    read(org.agent, theirs, expect=404)
    assert act(org.agent, theirs, "sign", expect=404)["code"] == "not_found"


def test_a_lead_sees_their_departments_penalties_only(org):
    ours = serve(org.lead, org.agent)["id"]
    ops_lead = employee(
        "ops_lead", department=org.other_dept_agent.department, roles=["department_lead"]
    )
    org.other_dept_agent.department.lead = ops_lead
    org.other_dept_agent.department.save()
    theirs = serve(ops_lead, org.other_dept_agent)["id"]
    assert listed(org.lead) == [ours]
    assert listed(ops_lead) == [theirs]
    read(ops_lead, ours, expect=404)


def test_oversight_sees_all_and_a_named_witness_sees_the_slip(org):
    a = serve(org.lead, org.agent)["id"]
    b = serve(org.lead, org.colleague)["id"]
    assert sorted(listed(org.gm)) == [a, b]
    assert sorted(listed(org.admin)) == [a, b]
    witness = org.panel[2]
    read(witness, a, expect=404)
    act(org.lead, a, "refuse-to-sign", {"witnesses": [witness.pk, org.panel[1].pk]})
    assert read(witness, a)["available_actions"] == ["witness"]
    assert listed(witness) == [a]


def test_available_actions_are_the_callers(org):
    case = serve(org.lead, org.agent)
    assert read(org.agent, case["id"])["available_actions"] == ["sign", "refuse-to-sign", "object"]
    assert read(org.lead, case["id"])["available_actions"] == ["refuse-to-sign"]
    assert read(org.gm, case["id"])["available_actions"] == []


def test_unauthenticated_requests_are_refused(org):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/penalties/").status_code == 401
