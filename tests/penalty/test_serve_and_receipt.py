"""Serving a penalty slip (PEN-2) and its receipt: signature, refusal and witnesses (PEN-3)."""

import pytest
import time_machine

from approvals.penalty.models import Penalty, Witness
from audit.models import AuditEvent
from tests.orgdata import employee
from tests.penalty.helpers import act, inbox, local, read, serve, sweep_timers

pytestmark = pytest.mark.django_db
MONDAY = local(2026, 3, 2, 10, 0)


def test_pen2_lead_serves_slip_with_facts_rule_evidence_and_sanction(org):
    with time_machine.travel(MONDAY, tick=False):
        case = serve(org.lead, org.agent, "written_warning")
    assert case["state"] == "served"
    assert case["sanction"] == "written_warning"
    assert case["issuer"] == org.lead.pk
    assert case["facts"] and case["rule"] and case["evidence"]
    assert case["served_at"].startswith("2026-03-02T02:00:00")  # UTC (DEADLINE-3)
    assert case["signed"] is False and case["witnesses"] == 0
    assert case["objection"] is None and case["final"] is False
    assert [d["name"] for d in case["deadlines"]] == ["objection"]
    assert [e["action"] for e in case["timeline"]] == ["serve"]


@pytest.mark.parametrize("missing", ["facts", "rule", "evidence"])
def test_pen2_slip_without_facts_rule_or_evidence_is_refused_and_nothing_saved(org, missing):
    result = serve(org.lead, org.agent, expect=400, **{missing: "  "})
    assert result["code"] == f"{missing}_required"
    assert result["rule"] == "PEN-2"
    assert not Penalty.objects.exists()
    assert not AuditEvent.objects.filter(case_type="penalty").exists()


def test_pen1_unknown_sanction_is_refused(org):
    result = serve(org.lead, org.agent, "fine_only", expect=400)
    assert result["code"] == "invalid_sanction"
    assert "verbal_warning" in result["detail"]


def test_pen2_only_the_department_lead_serves(org):
    other_lead = employee(
        "ops_lead", department=org.other_dept_agent.department, roles=["department_lead"]
    )
    assert serve(other_lead, org.agent, expect=403)["code"] == "not_department_lead"
    assert serve(org.colleague, org.agent, expect=403)["code"] == "not_department_lead"
    assert serve(org.gm, org.agent, expect=403)["code"] == "not_department_lead"
    assert serve(org.agent, org.agent, expect=403)["code"] == "own_request"
    assert not Penalty.objects.exists()


def test_pen2_a_leads_own_slip_is_served_by_the_gm_office_never_by_the_lead(org):
    assert serve(org.lead, org.lead, expect=403)["code"] == "own_request"
    case = serve(org.gm, org.lead)
    assert case["issuer"] == org.gm.pk


def test_pen3_employee_signs_receipt_and_may_still_object(org):
    with time_machine.travel(MONDAY, tick=False):
        case = serve(org.lead, org.agent)
        assert act(org.lead, case["id"], "sign", expect=403)["code"] == "not_the_employee"
        case = act(org.agent, case["id"], "sign")
        assert case["signed"] is True and case["receipt"] == "signed"
        assert "object" in case["available_actions"]
        assert [t["action"] for t in inbox(org.agent)] == ["object"]
        assert act(org.agent, case["id"], "sign", expect=409)["code"] == "state_conflict"


def test_pen3_refused_slip_takes_effect_with_two_witnesses(org):
    w1, w2 = org.colleague, org.panel[2]
    with time_machine.travel(MONDAY, tick=False):
        case = serve(org.lead, org.agent)
        case = act(org.agent, case["id"], "refuse-to-sign")
        assert case["receipt"] == "refused"
        [task] = [t for t in inbox(org.lead) if t["case_id"] == case["id"]]
        assert task["action"] == "name_witnesses"
        act(org.lead, case["id"], "name-witnesses", {"witnesses": [w1.pk, w2.pk]})
        assert [t["action"] for t in inbox(w1)] == ["witness"]
        assert read(w1, case["id"])["witnesses_named"] == 2  # a named witness sees the slip
        assert act(org.colleague, case["id"], "witness")["receipt"] == "refused"
        assert act(w1, case["id"], "witness", expect=403)["code"] == "not_a_witness"
        case = act(w2, case["id"], "witness")
        assert case["receipt"] == "witnessed" and case["witnesses"] == 2
    with time_machine.travel(local(2026, 3, 6, 0, 0), tick=False):  # the window has closed
        sweep_timers()
        assert read(org.agent, case["id"])["state"] == "final"


def test_pen3_refused_slip_is_not_final_without_the_witnesses(org):
    with time_machine.travel(MONDAY, tick=False):
        case = serve(org.lead, org.agent)
        act(org.agent, case["id"], "refuse-to-sign")
    with time_machine.travel(local(2026, 3, 20, 0, 0), tick=False):
        sweep_timers()
        case = read(org.agent, case["id"])
    assert case["state"] == "decided" and case["final"] is False and case["fine"] is None


def test_pen3_issuer_records_refusal_naming_the_witnesses(org):
    with time_machine.travel(MONDAY, tick=False):
        case = serve(org.lead, org.agent)
        case = act(
            org.lead,
            case["id"],
            "refuse-to-sign",
            {"witnesses": [org.colleague.pk, org.panel[2].pk]},
        )
    assert case["receipt"] == "refused" and case["witnesses_named"] == 2
    assert [t["action"] for t in inbox(org.colleague)] == ["witness"]
    assert not [t for t in inbox(org.lead) if t["action"] == "name_witnesses"]


@pytest.mark.parametrize(
    "pick, code, status",
    [
        (lambda org: [org.colleague.pk], "two_witnesses_required", 400),
        (lambda org: [org.colleague.pk, org.colleague.pk], "two_witnesses_required", 400),
        (lambda org: [org.colleague.pk, org.lead.pk], "witness_is_party", 400),
        (lambda org: [org.colleague.pk, org.agent.pk], "witness_is_party", 400),
        (lambda org: [org.colleague.pk, 999999], "unknown_employee", 404),
        (lambda org: "x", "invalid_witnesses", 400),
    ],
)
def test_pen3_witnesses_are_two_people_neither_issuer_nor_employee(org, pick, code, status):
    case = serve(org.lead, org.agent)
    act(org.agent, case["id"], "refuse-to-sign")
    result = act(org.lead, case["id"], "name-witnesses", {"witnesses": pick(org)}, expect=status)
    assert result["code"] == code
    assert not Witness.objects.exists()
    if code == "two_witnesses_required":
        assert result["rule"] == "PEN-3" and str(len(set(pick(org)))) in result["detail"]


def test_pen3_the_employee_cannot_name_witnesses(org):
    case = serve(org.lead, org.agent)
    result = act(
        org.agent,
        case["id"],
        "refuse-to-sign",
        {"witnesses": [org.colleague.pk, org.panel[2].pk]},
        expect=403,
    )
    assert result["code"] == "not_issuer"
    assert read(org.agent, case["id"])["receipt"] == "pending"


def test_pen3_slip_unsigned_when_the_window_closes_counts_as_refused(org):
    with time_machine.travel(MONDAY, tick=False):
        case = serve(org.lead, org.agent)
    with time_machine.travel(local(2026, 3, 6, 0, 0), tick=False):
        sweep_timers()
        case = read(org.lead, case["id"])
        assert case["receipt"] == "refused"
        assert "unsigned" in [e["action"] for e in case["timeline"]]
        assert [t["action"] for t in inbox(org.lead) if t["case_id"] == case["id"]] == [
            "name_witnesses"
        ]
        assert inbox(org.agent) == []


def test_pen3_an_absent_witness_is_replaced_and_the_task_moves_to_the_replacement(org):
    absent, present, stand_in = org.panel[2], org.colleague, org.other_dept_agent
    with time_machine.travel(MONDAY, tick=False):
        case = serve(org.lead, org.agent)
        act(org.lead, case["id"], "refuse-to-sign", {"witnesses": [present.pk, absent.pk]})
        act(present, case["id"], "witness")
        body = {"witness": absent.pk, "replacement": stand_in.pk}
        assert act(org.agent, case["id"], "replace-witness", body, expect=403)["code"] == (
            "not_issuer"
        )
        case = act(org.lead, case["id"], "replace-witness", body)
        assert case["timeline"][-1]["action"] == "replace-witness"
        assert inbox(absent) == []
        read(absent, case["id"], expect=404)
        [task] = inbox(stand_in)
        assert task["action"] == "witness"
        case = act(stand_in, case["id"], "witness")
        assert case["receipt"] == "witnessed"
    with time_machine.travel(local(2026, 3, 6, 0, 0), tick=False):
        sweep_timers()
        assert read(org.agent, case["id"])["state"] == "final"


@pytest.mark.parametrize(
    "pick, code, status",
    [
        (lambda org: (org.colleague.pk, org.panel[0].pk), "not_a_pending_witness", 400),  # signed
        (lambda org: (org.panel[1].pk, org.agent.pk), "witness_is_party", 400),
        (lambda org: (org.panel[1].pk, org.colleague.pk), "already_a_witness", 400),
        (lambda org: (org.panel[1].pk, None), "invalid_witnesses", 400),
    ],
)
def test_pen3_witness_replacement_refusals(org, pick, code, status):
    case = serve(org.lead, org.agent)
    act(org.lead, case["id"], "refuse-to-sign", {"witnesses": [org.colleague.pk, org.panel[1].pk]})
    act(org.colleague, case["id"], "witness")
    old, new = pick(org)
    result = act(
        org.lead, case["id"], "replace-witness", {"witness": old, "replacement": new}, expect=status
    )
    assert result["code"] == code
    assert sorted(Witness.objects.values_list("witness_id", flat=True)) == sorted(
        [org.colleague.pk, org.panel[1].pk]
    )


def test_pen3_receipt_steps_happen_once(org):
    """PEN-3: a refused slip cannot then be signed, and witnesses are named once."""
    with time_machine.travel(MONDAY, tick=False):
        case = serve(org.lead, org.agent)
        act(org.agent, case["id"], "refuse-to-sign")
        assert act(org.agent, case["id"], "sign", expect=409)["code"] == "state_conflict"
        body = {"witnesses": [org.colleague.pk, org.panel[2].pk]}
        act(org.lead, case["id"], "name-witnesses", body)
        assert act(org.lead, case["id"], "name-witnesses", body, expect=409)["code"] == (
            "state_conflict"
        )
    assert Witness.objects.count() == 2
