"""CASE-5 comments: participants only; the others taking part are told."""

import pytest

from audit.models import AuditEvent
from casework.models import Comment
from notifications.models import OutboxMessage

from .helpers import footprint, get, leave, post

pytestmark = pytest.mark.django_db


def test_a_reviewer_comments_and_the_applicant_is_told(org):
    """CASE-5: a Comment row, audit "comment", a notice to the applicant (not the author)."""
    case = leave(org.agent)
    data = post(org.lead, f"leaves/{case['id']}/comment/", {"body": "  请补充说明  "})
    [comment] = data["comments"]
    assert (comment["author"], comment["body"]) == ("lead", "请补充说明")
    assert Comment.objects.get().body == "请补充说明"
    assert AuditEvent.objects.filter(action="comment", comment="请补充说明").exists()
    told = list(
        OutboxMessage.objects.filter(template="case_comment").values_list("recipient", flat=True)
    )
    assert told == [org.agent.user_id]


def test_the_applicants_comment_tells_those_who_hold_or_held_a_step(org):
    case = leave(org.agent)
    post(org.agent, f"leaves/{case['id']}/comment/", {"body": "补充：医院证明稍后提供"})
    told = list(
        OutboxMessage.objects.filter(template="case_comment").values_list("recipient", flat=True)
    )
    assert told == [org.lead.user_id]


def test_someone_only_copied_in_does_not_comment(org):
    """CASE-5: CC-only readers read, they do not take part."""
    case = leave(org.agent)
    post(org.lead, f"leaves/{case['id']}/cc/", {"people": [org.colleague.pk]})
    before = footprint()
    body = post(org.colleague, f"leaves/{case['id']}/comment/", {"body": "我也看看"}, expect=403)
    assert (body["code"], body["rule"]) == ("not_participant", "CASE-5")
    assert footprint() == before


def test_a_consultee_comments(org):
    case = leave(org.agent)
    post(org.lead, f"leaves/{case['id']}/consult/", {"to": org.colleague.pk, "question": "？"})
    post(org.colleague, f"leaves/{case['id']}/comment/", {"body": "我补充一点"})
    assert Comment.objects.count() == 1


def test_someone_who_cannot_see_the_case_gets_a_404(org):
    case = leave(org.agent)
    post(org.other_dept_agent, f"leaves/{case['id']}/comment/", {"body": "x"}, expect=404)


@pytest.mark.parametrize("body", ["", "   ", "评" * 2001])
def test_a_comment_has_1_to_2000_characters(org, body):
    case = leave(org.agent)
    answer = post(org.lead, f"leaves/{case['id']}/comment/", {"body": body}, expect=400)
    assert answer["rule"] == "CASE-5"
    assert get(org.lead, f"leaves/{case['id']}/")["comments"] == []
