"""The outcome of a penalty: the warning ladder and the observation period (PEN-1), GM approval of
dismissal proposals and of raised refused slips (APPEAL-4), and what is booked (APPEAL-3)."""

import datetime as dt

import pytest
import time_machine

from approvals.penalty.models import Penalty
from performance.models import ScoreEvent
from tests.penalty.helpers import act, inbox, local, read, serve, sweep_timers

pytestmark = pytest.mark.django_db


def final_penalty(org, sanction, at):
    """Serve, sign and let the window lapse: final at `at` + 5 days."""
    with time_machine.travel(at, tick=False):
        case = serve(org.lead, org.agent, sanction)
        act(org.agent, case["id"], "sign")
    with time_machine.travel(at + dt.timedelta(days=5), tick=False):
        sweep_timers()
        case = read(org.agent, case["id"])
    return case


def test_pen1_three_verbal_warnings_make_a_written_warning(org):
    start = local(2026, 3, 2, 10, 0)
    for i in range(2):
        final_penalty(org, "verbal_warning", start + dt.timedelta(days=10 * i))
    assert not Penalty.objects.filter(derived=True).exists()
    third = final_penalty(org, "verbal_warning", start + dt.timedelta(days=20))
    derived = Penalty.objects.get(derived=True)
    assert derived.sanction == "written_warning" and derived.state == "final"
    assert derived.fine == 0  # each verbal warning was fined when it became final
    assert Penalty.objects.filter(counted_into=derived).count() == 3
    assert third["state"] == "final"
    # The derived warning is visible to the employee with its origin.
    assert read(org.agent, derived.pk)["timeline"][0]["action"] == "ladder"
    # A fourth verbal warning starts a new count.
    final_penalty(org, "verbal_warning", start + dt.timedelta(days=30))
    assert Penalty.objects.filter(derived=True).count() == 1


def test_pen1_three_written_warnings_make_a_final_warning(org):
    start = local(2026, 3, 2, 10, 0)
    for i in range(2):
        final_penalty(org, "written_warning", start + dt.timedelta(days=10 * i))
    # The third written warning is itself derived from three verbal ones.
    for i in range(3):
        final_penalty(org, "verbal_warning", start + dt.timedelta(days=20 + 10 * i))
    sanctions = sorted(Penalty.objects.filter(derived=True).values_list("sanction", flat=True))
    assert sanctions == ["final_warning", "written_warning"]


def test_pen1_new_violation_in_observation_period_proposes_dismissal_for_gm_approval(org):
    final_penalty(org, "final_warning", local(2026, 3, 2, 10, 0))
    with time_machine.travel(local(2026, 6, 1, 10, 0), tick=False):
        case = serve(org.lead, org.agent, "verbal_warning")
    assert case["sanction"] == "dismissal" and case["drafted_sanction"] == "verbal_warning"
    assert case["approval"] == {
        "reason": "observation",
        "fallback_sanction": "verbal_warning",
        "approved": None,
    }
    with time_machine.travel(local(2026, 6, 1, 11, 0), tick=False):
        act(org.agent, case["id"], "sign")
    with time_machine.travel(local(2026, 6, 6, 0, 0), tick=False):
        sweep_timers()
        case = read(org.gm, case["id"])
        assert case["state"] == "awaiting_approval" and case["final"] is False
        [task] = inbox(org.gm)
        assert task["action"] == "approval"
        assert act(org.lead, case["id"], "approve", expect=403)["code"] == "wrong_role"
        case = act(org.gm, case["id"], "approve", {"comment": "同意"})
    assert case["state"] == "final" and case["sanction"] == "dismissal"


def test_pen1_gm_refusing_the_dismissal_leaves_the_drafted_sanction(org):
    final_penalty(org, "final_warning", local(2026, 3, 2, 10, 0))
    case = final_penalty(org, "written_warning", local(2026, 6, 1, 10, 0))
    assert case["state"] == "awaiting_approval"
    with time_machine.travel(local(2026, 6, 8, 10, 0), tick=False):
        assert act(org.gm, case["id"], "reject", {"reason": ""}, expect=400)["code"] == (
            "reason_required"
        )
        case = act(org.gm, case["id"], "reject", {"reason": "给予改正机会"})
    assert case["state"] == "final" and case["sanction"] == "written_warning"
    assert case["approval"]["approved"] is False
    assert ScoreEvent.objects.filter(source=f"penalty:{case['id']}").get().fine == 50


def test_pen1_after_the_observation_period_no_dismissal_is_proposed(org):
    final_penalty(org, "final_warning", local(2026, 1, 5, 10, 0))
    with time_machine.travel(local(2026, 7, 11, 10, 0), tick=False):  # > 6 months after final
        case = serve(org.lead, org.agent, "verbal_warning")
    assert case["sanction"] == "verbal_warning" and case["approval"] is None


def test_pen1_a_drafted_dismissal_needs_gm_approval(org):
    case = final_penalty(org, "dismissal", local(2026, 3, 2, 10, 0))
    assert case["state"] == "awaiting_approval"
    assert case["approval"]["fallback_sanction"] == "final_warning"


def test_appeal4_raising_a_refused_slip_needs_gm_approval(org):
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        case = serve(org.lead, org.agent, "written_warning")
        result = act(
            org.lead, case["id"], "escalate", {"to": "final_warning", "reason": "x"}, expect=400
        )
        assert (result["code"], result["rule"]) == ("not_refused", "APPEAL-4")
        act(
            org.lead,
            case["id"],
            "refuse-to-sign",
            {"witnesses": [org.colleague.pk, org.panel[2].pk]},
        )
        body = {"to": "verbal_warning", "reason": "证据充分仍拒签"}
        assert act(org.lead, case["id"], "escalate", body, expect=400)["code"] == "invalid_raise"
        assert (
            act(org.agent, case["id"], "escalate", {**body, "to": "final_warning"}, expect=403)[
                "code"
            ]
            == "not_issuer"
        )
        case = act(org.lead, case["id"], "escalate", {**body, "to": "final_warning"})
        assert case["sanction"] == "final_warning"
        assert case["approval"]["reason"] == "raise"
        act(org.colleague, case["id"], "witness")
        act(org.panel[2], case["id"], "witness")
    with time_machine.travel(local(2026, 3, 6, 0, 0), tick=False):
        sweep_timers()
        assert read(org.gm, case["id"])["state"] == "awaiting_approval"
        case = act(org.gm, case["id"], "approve", {"comment": ""})
    assert case["sanction"] == "final_warning" and case["fine"] == "200.00"
    assert case["timeline"][-1]["action"] == "approve"


def test_appeal4_a_reduction_below_the_raise_no_longer_needs_approval(org):
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        case = serve(org.lead, org.agent, "verbal_warning")
        act(
            org.lead,
            case["id"],
            "refuse-to-sign",
            {"witnesses": [org.colleague.pk, org.panel[2].pk]},
        )
        act(org.lead, case["id"], "escalate", {"to": "final_warning", "reason": "拒签"})
        act(org.colleague, case["id"], "witness")
        act(org.panel[2], case["id"], "witness")
        act(org.agent, case["id"], "object", {"reason": "处罚过重"})
        body = {"decision": "reduce", "reduced_to": "verbal_warning", "reason": "维持原处罚"}
        case = act(org.gm, case["id"], "respond", body)
    assert case["state"] == "final" and case["approval"] is None


def test_appeal4_gm_office_member_who_issued_cannot_approve(org):
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        case = serve(org.gm, org.lead, "dismissal")  # the GM office issues a lead's slip
        act(org.lead, case["id"], "sign")
    with time_machine.travel(local(2026, 3, 6, 0, 0), tick=False):
        sweep_timers()
        result = act(org.gm, case["id"], "approve", expect=403)
    assert result["code"] == "issuer_decides"


def test_appeal3_booking_shows_in_the_employees_monthly_record(org):
    case = final_penalty(org, "written_warning", local(2026, 3, 2, 10, 0))
    from tests.penalty.helpers import client_for

    rows = client_for(org.agent).get(f"/api/v1/employees/{org.agent.pk}/assessments/").json()
    [march] = [r for r in rows if r["month"] == "2026-03"]
    assert march["events"] == [
        {
            "points": "-10.0",
            "fine": "50.00",
            "reason": march["events"][0]["reason"],
            "source": f"penalty:{case['id']}",
        }
    ]


def test_pen1_gm_approval_refusals_wrong_role_and_own_slip(org):
    """PEN-1: only the GM office decides on a dismissal proposal, and never on its own slip."""
    from tests.orgdata import employee

    gm2 = employee("gm2", department=org.gm.department, level=None, roles=["gm_office"])
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        case = serve(org.gm, gm2, "dismissal")
        act(gm2, case["id"], "sign")
    with time_machine.travel(local(2026, 3, 6, 0, 0), tick=False):
        sweep_timers()
        assert act(gm2, case["id"], "approve", expect=403)["code"] == "own_request"
        assert act(gm2, case["id"], "reject", {"reason": "x"}, expect=403)["code"] == "own_request"
        assert act(org.lead, case["id"], "reject", {"reason": "x"}, expect=404)["code"] == (
            "not_found"  # another department's slip is not even visible to this lead
        )
        assert read(org.gm, case["id"])["state"] == "awaiting_approval"
        # Both GM-office members are parties (one issued, one received): nobody there may
        # decide, so the step is administration's (issue 11, finding 10).
        assert act(org.admin, case["id"], "reject", {"reason": "x"})["state"] == "final"


def test_appeal4_a_slip_is_raised_once(org):
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        case = serve(org.lead, org.agent, "verbal_warning")
        act(org.agent, case["id"], "refuse-to-sign")
        body = {"to": "final_warning", "reason": "拒签"}
        act(org.lead, case["id"], "escalate", body)
        result = act(org.lead, case["id"], "escalate", {**body, "to": "dismissal"}, expect=409)
    assert result["code"] == "state_conflict"
    assert read(org.lead, case["id"])["sanction"] == "final_warning"
