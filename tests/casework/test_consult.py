"""CASE-2 consult (征询/加签): the holder asks someone's opinion; the step stays theirs."""

import datetime as dt

import pytest

from approvals.access import CaseAccess
from approvals.deadlines import Deadline
from audit.models import AuditEvent
from casework.models import Consultation
from notifications.models import OutboxMessage

from .helpers import footprint, get, leave, post

pytestmark = pytest.mark.django_db


def _consulted(org, to=None):
    case = leave(org.agent)
    to = to or org.colleague
    post(org.lead, f"leaves/{case['id']}/consult/", {"to": to.pk, "question": "他这周排班紧吗？"})
    return case


def test_consult_records_the_question_lets_the_consultee_read_and_tells_them(org):
    """CASE-2: a Consultation, read access for the consultee, audit "consult", a notice."""
    case = _consulted(org)
    consultation = Consultation.objects.get()
    assert (consultation.asked_by, consultation.consultee) == (org.lead, org.colleague)
    assert consultation.question == "他这周排班紧吗？"
    assert CaseAccess.objects.filter(
        case_type="leave", case_id=case["id"], employee=org.colleague, reason="consult"
    ).exists()
    seen = get(org.colleague, f"leaves/{case['id']}/")
    assert seen["consultations"][0]["question"] == "他这周排班紧吗？"
    assert seen["casework_actions"] == ["consult-reply", "comment", "attach"]
    assert AuditEvent.objects.filter(action="consult", rules=["CASE-2"]).count() == 1
    mail = OutboxMessage.objects.get(template="case_consulted")
    assert mail.recipient == org.colleague.user and "他这周排班紧吗？" in mail.body_text


def test_consulting_the_applicant_is_refused(org):
    """CASE-2: never a party of the case."""
    case = leave(org.agent)
    before = footprint()
    body = post(
        org.lead,
        f"leaves/{case['id']}/consult/",
        {"to": org.agent.pk, "question": "?"},
        expect=400,
    )
    assert (body["code"], body["rule"]) == ("target_is_party", "CASE-2")
    assert footprint() == before


def test_only_the_holder_of_a_step_consults(org):
    case = leave(org.agent)
    body = post(
        org.gm,
        f"leaves/{case['id']}/consult/",
        {"to": org.colleague.pk, "question": "?"},
        expect=403,
    )
    assert (body["code"], body["rule"]) == ("not_task_holder", "CASE-2")


@pytest.mark.parametrize("question", ["", "   ", "问" * 2001, None, 7])
def test_a_question_of_1_to_2000_characters_is_required(org, question):
    case = leave(org.agent)
    before = footprint()
    body = post(
        org.lead,
        f"leaves/{case['id']}/consult/",
        {"to": org.colleague.pk, "question": question},
        expect=400,
    )
    assert body["rule"] == "CASE-2" and body["code"].startswith(("question_", "invalid_question"))
    assert footprint() == before


def test_the_consultee_answers_and_the_asker_is_told(org):
    """CASE-2: audit "consult-reply" with the answer as comment; a notice to the asker."""
    case = _consulted(org)
    data = post(org.colleague, f"leaves/{case['id']}/consult-reply/", {"answer": "不紧，可以批"})
    [c] = data["consultations"]
    assert c["answer"] == "不紧，可以批" and c["answered_at"] is not None
    event = data["timeline"][-1]
    assert (event["action"], event["comment"]) == ("consult-reply", "不紧，可以批")
    mail = OutboxMessage.objects.get(template="consultation_answered")
    assert mail.recipient == org.lead.user and "不紧，可以批" in mail.body_text
    # Answered once: nothing more to answer.
    again = post(org.colleague, f"leaves/{case['id']}/consult-reply/", {"answer": "x"}, expect=403)
    assert again["code"] == "no_open_consultation"


def test_consulting_does_not_move_the_steps_due_time(org, clock):
    case = leave(org.agent)
    due = Deadline.objects.get(case_type="leave", case_id=case["id"]).due_at
    clock.shift(dt.timedelta(hours=3))
    post(org.lead, f"leaves/{case['id']}/consult/", {"to": org.colleague.pk, "question": "？"})
    clock.shift(dt.timedelta(hours=3))
    post(org.colleague, f"leaves/{case['id']}/consult-reply/", {"answer": "好"})
    deadline = Deadline.objects.get(case_type="leave", case_id=case["id"])
    assert (deadline.due_at, deadline.met_at) == (due, None)


def test_the_holder_decides_meanwhile_and_a_late_answer_is_a_409_naming_when(org, clock):
    """CASE-2: the holder may decide at any time; the answer then comes too late."""
    case = _consulted(org)
    clock.shift(dt.timedelta(hours=2))
    assert (
        post(org.lead, f"leaves/{case['id']}/approve/", {"comment": "同意"})["state"] == "approved"
    )
    before = footprint()
    body = post(org.colleague, f"leaves/{case['id']}/consult-reply/", {"answer": "好"}, expect=409)
    assert (body["code"], body["rule"]) == ("step_decided", "CASE-2")
    assert "2026-03-02 12:00" in body["detail"]
    assert footprint() == before
    assert Consultation.objects.get().answered_at is None


def test_the_consultee_reads_that_case_only(org):
    """CASE-2: read access to the consulted case, not to the applicant's other cases."""
    case = _consulted(org)
    other = leave(org.agent, day=10)
    get(org.colleague, f"leaves/{case['id']}/")
    get(org.colleague, f"leaves/{other['id']}/", expect=404)
    assert [c["id"] for c in get(org.colleague, "leaves/")] == [case["id"]]


def test_a_consultee_may_not_decide(org):
    """Reading never grants acting: the consultee has no decision to make."""
    case = _consulted(org)
    assert get(org.colleague, f"leaves/{case['id']}/")["available_actions"] == []
    post(org.colleague, f"leaves/{case['id']}/approve/", {"comment": "x"}, expect=403)
