"""Answering an objection (APPEAL-2): who answers, the decisions, the one-week deadline at its
edges in both day modes, and escalation to the GM office when it passes.

Objection filed Wednesday 30 Sep 2026 12:00 (Asia/Shanghai):
- calendar days: 7 days → due 7 Oct 23:59:59.999999 (inside the holiday: calendar days ignore it);
- working days: 8, 9, 10 (make-up Saturday), 12, 13, 14, 15 Oct → due 15 Oct 23:59:59.999999.
"""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from performance.models import ScoreEvent
from tests.events import dispatched
from tests.orgdata import employee
from tests.penalty.helpers import act, inbox, local, read, serve, sweep_timers

pytestmark = pytest.mark.django_db

SERVED = local(2026, 9, 30, 10, 0)
FILED = local(2026, 9, 30, 12, 0)
RESPONSE_LAST_INSTANT = {
    "calendar": local(2026, 10, 7, 23, 59, 59, 999999),
    "working": local(2026, 10, 15, 23, 59, 59, 999999),
}
ONE_SECOND = dt.timedelta(seconds=1)


def _objected(org, sanction="written_warning", sign=True):
    with time_machine.travel(SERVED, tick=False):
        case = serve(org.lead, org.agent, sanction)
        if sign:
            act(org.agent, case["id"], "sign")
    with time_machine.travel(FILED, tick=False):
        return act(org.agent, case["id"], "object", {"reason": "事实有误"})


def test_appeal2_response_due_is_stored_and_shown(org, mode):
    case = _objected(org)
    due = dt.datetime.fromisoformat(case["objection"]["response_due"])
    assert due == RESPONSE_LAST_INSTANT[mode]
    names = {d["name"]: d for d in case["deadlines"]}
    assert names["objection"]["met_at"] is not None
    assert names["response"]["met_at"] is None


def test_appeal2_the_issuer_never_answers_the_gm_office_does_when_the_lead_issued(org):
    case = _objected(org)
    with time_machine.travel(FILED, tick=False):
        assert "respond" not in read(org.lead, case["id"])["available_actions"]
        body = {"decision": "uphold", "reason": "ok"}
        assert act(org.lead, case["id"], "respond", body, expect=403)["code"] == "issuer_responds"
        assert act(org.agent, case["id"], "respond", body, expect=403)["code"] == "own_request"
        # A colleague may not even see the case (an employee sees only their own).
        assert act(org.colleague, case["id"], "respond", body, expect=404)["code"] == "not_found"
        [task] = inbox(org.gm)
        assert (task["action"], task["case_id"]) == ("respond", case["id"])
        assert task["due_at"] is not None
        case = act(org.gm, case["id"], "respond", body)
    assert case["state"] == "final"
    assert case["objection"]["decision"] == "uphold"


def test_appeal2_a_named_lead_responder_answers_and_the_gm_office_does_not(org):
    old_lead = org.lead
    with time_machine.travel(SERVED, tick=False):
        case = serve(old_lead, org.agent)
        act(org.agent, case["id"], "sign")
    new_lead = employee("new_lead", department=org.cs, roles=["department_lead"])
    org.cs.lead = new_lead
    org.cs.save()
    with time_machine.travel(FILED, tick=False):
        act(org.agent, case["id"], "object", {"reason": "x"})
        body = {"decision": "revoke", "reason": "证据不足"}
        assert act(org.gm, case["id"], "respond", body, expect=403)["code"] == "not_responder"
        [task] = inbox(new_lead)
        assert task["action"] == "respond"
        case = act(new_lead, case["id"], "respond", body)
    assert case["state"] == "revoked"


def test_appeal2_reduce_to_a_lower_sanction_books_the_lower_fine(org):
    case = _objected(org, "written_warning")
    with time_machine.travel(FILED, tick=False):
        same = {"decision": "reduce", "reduced_to": "written_warning", "reason": "x"}
        result = act(org.gm, case["id"], "respond", same, expect=400)
        assert (result["code"], result["rule"]) == ("not_a_reduction", "APPEAL-2")
        body = {"decision": "reduce", "reduced_to": "verbal_warning", "reason": "初犯"}
        case = act(org.gm, case["id"], "respond", body)
    assert case["state"] == "final" and case["sanction"] == "verbal_warning"
    assert ScoreEvent.objects.get().fine == 10


def test_appeal2_revoke_ends_the_case_without_fine_and_clears_open_tasks(org):
    case = _objected(org, sign=False)  # the signature task is still open
    with time_machine.travel(FILED, tick=False):
        case = act(org.gm, case["id"], "respond", {"decision": "revoke", "reason": "证据不足"})
        assert case["state"] == "revoked" and case["final"] is False
        assert inbox(org.agent) == [] and inbox(org.gm) == []
    assert not ScoreEvent.objects.exists()


@pytest.mark.parametrize(
    "body, code",
    [
        ({"decision": "pardon", "reason": "x"}, "invalid_decision"),
        ({"decision": "uphold", "reason": ""}, "reason_required"),
        ({"decision": "reduce", "reason": "x", "reduced_to": None}, "invalid_sanction"),
    ],
)
def test_appeal2_bad_responses_are_refused_and_change_nothing(org, body, code):
    case = _objected(org)
    with time_machine.travel(FILED, tick=False):
        assert act(org.gm, case["id"], "respond", body, expect=400)["code"] == code
        assert read(org.gm, case["id"])["state"] == "objected"


def test_appeal2_response_in_the_last_second_is_not_escalated(org, mode):
    case = _objected(org)
    with time_machine.travel(RESPONSE_LAST_INSTANT[mode] - ONE_SECOND, tick=False):
        sweep_timers()
        case = act(org.gm, case["id"], "respond", {"decision": "uphold", "reason": "ok"})
    assert case["state"] == "final"
    assert "response-overdue" not in [e["action"] for e in case["timeline"]]


def test_appeal2_overdue_response_escalates_to_gm_office_and_tells_the_employee(org, mode):
    responder = employee("new_lead", department=org.cs, roles=["department_lead"])
    with time_machine.travel(SERVED, tick=False):
        case = serve(org.lead, org.agent)
        act(org.agent, case["id"], "sign")
    org.cs.lead = responder
    org.cs.save()
    with time_machine.travel(FILED, tick=False):
        act(org.agent, case["id"], "object", {"reason": "x"})
    with time_machine.travel(RESPONSE_LAST_INSTANT[mode], tick=False):
        sweep_timers()
        assert read(org.agent, case["id"])["state"] == "objected"  # the last instant is in
    mail.outbox.clear()
    with time_machine.travel(RESPONSE_LAST_INSTANT[mode] + ONE_SECOND, tick=False):
        with dispatched():
            assert sweep_timers() >= 1
        case = read(org.agent, case["id"])
        assert case["state"] == "escalated" and case["objection"]["escalated"] is True
        assert [e["action"] for e in case["timeline"]][-1] == "response-overdue"
        # The GM office now holds the step, marked overdue; the named lead no longer answers.
        [task] = inbox(org.gm)
        assert (task["action"], task["overdue"]) == ("respond_gm", True)
        assert inbox(responder) == []
        body = {"decision": "uphold", "reason": "ok"}
        assert act(responder, case["id"], "respond", body, expect=403)["code"] == "wrong_role"
        from notifications.services import deliver_outbox

        deliver_outbox()
        told = [m for m in mail.outbox if org.agent.user.email in m.to]
        assert told, [m.subject for m in mail.outbox]
        case = act(org.gm, case["id"], "respond", body)
    assert case["state"] == "final"
