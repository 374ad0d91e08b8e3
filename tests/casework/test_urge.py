"""CASE-3 urge (催办): the applicant nudges whoever holds the case's open steps, at most once per
24 hours per step."""

import datetime as dt

import pytest

from audit.models import AuditEvent
from casework.models import Urge
from notifications.models import OutboxMessage

from .helpers import at_gm_review, footprint, get, leave, post

pytestmark = pytest.mark.django_db


def test_the_applicant_urges_the_holder_of_the_open_step(org):
    case = leave(org.agent)
    assert "urge" in get(org.agent, f"leaves/{case['id']}/")["casework_actions"]
    data = post(org.agent, f"leaves/{case['id']}/urge/")
    assert Urge.objects.filter(case_type="leave", case_id=case["id"]).count() == 1
    mail = OutboxMessage.objects.get(template="case_urged")
    assert mail.recipient == org.lead.user
    assert data["timeline"][-1]["action"] == "urge"
    assert "urge" not in data["casework_actions"]


def test_a_second_urge_within_24_hours_is_refused_naming_the_times(org, clock):
    """CASE-3: the refusal names the last urge and when the next one is possible."""
    case = leave(org.agent)
    post(org.agent, f"leaves/{case['id']}/urge/")
    clock.shift(dt.timedelta(hours=23, minutes=59))
    before = footprint()
    body = post(org.agent, f"leaves/{case['id']}/urge/", expect=400)
    assert (body["code"], body["rule"]) == ("urge_too_soon", "CASE-3")
    assert "2026-03-02 10:00" in body["detail"] and "2026-03-03 10:00" in body["detail"]
    assert footprint() == before


def test_an_urge_24_hours_later_is_allowed(org, clock):
    case = leave(org.agent)
    post(org.agent, f"leaves/{case['id']}/urge/")
    clock.shift(dt.timedelta(hours=24))
    post(org.agent, f"leaves/{case['id']}/urge/")
    assert Urge.objects.count() == 2
    assert OutboxMessage.objects.filter(template="case_urged").count() == 2


def test_only_the_applicant_urges(org):
    case = leave(org.agent)
    body = post(org.lead, f"leaves/{case['id']}/urge/", expect=403)
    assert (body["code"], body["rule"]) == ("not_applicant", "CASE-3")


def test_a_case_without_an_open_step_cannot_be_urged(org):
    case = leave(org.agent)
    post(org.lead, f"leaves/{case['id']}/approve/", {"comment": "同意"})
    before = footprint()
    body = post(org.agent, f"leaves/{case['id']}/urge/", expect=409)
    assert (body["code"], body["rule"]) == ("nothing_to_urge", "CASE-3")
    assert footprint() == before


def test_urging_a_queued_step_nudges_every_holder_of_the_role(org, gm2):
    """CASE-3: an unclaimed GM review: everyone in the GM office is nudged."""
    case = at_gm_review(org)
    post(org.agent, f"promotions/{case['id']}/urge/")
    told = set(
        OutboxMessage.objects.filter(template="case_urged").values_list("recipient", flat=True)
    )
    assert told == {org.gm.user_id, gm2.user_id}
    assert AuditEvent.objects.filter(action="urge", case_type="promotion").count() == 1
