"""AWARD-2 (PROMO-3.2 on the award vote): the hidden-ballot tests of the promotion vote
(tests/workflows/test_ballot_secrecy.py), run on the award vote. No ballot is linkable to its
voter in the database, the API, the timeline, the audit log or the mails; the tally is hidden
while the vote is open; only the voter knows they have voted; a voter reads the eligible names,
not anyone's reasons or the casework around the award."""

import pytest
import time_machine
from django.db import models
from django.test import Client

from approvals.award.models import AwardCandidate, AwardVoter
from audit.models import AuditEvent
from notifications.models import Notice, OutboxMessage
from tests.award.helpers import NOV_10, act, api, close_month, open_award, read, voters
from tests.events import dispatched
from tests.orgdata import build_org, employee

pytestmark = pytest.mark.django_db


def page(emp, url: str) -> str:
    client = Client()
    client.force_login(emp.user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def history(html: str) -> str:
    start = html.index('id="timeline"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def vote():
    with time_machine.travel(NOV_10, tick=False):
        org = build_org()
        vs = voters(org)
        close_month(org.cs)
        case_id = open_award(org)["id"]
        act(org.admin, case_id, "open-vote")
        yield org, case_id, vs


def test_award2_the_database_holds_no_ballot_linkable_to_its_voter(vote):
    """The participation row has no ballot content and no time; the counter lives on the
    candidate, with no voter; no model of the award has a time or a foreign key that a ballot
    writes besides these."""
    org, case_id, vs = vote
    act(vs[0], case_id, "vote", {"candidate": org.agent.pk})
    fields = {f.name for f in AwardVoter._meta.get_fields()}
    assert fields == {"id", "award", "voter"}
    assert not any(isinstance(f, models.DateTimeField) for f in AwardVoter._meta.get_fields())
    assert not any(isinstance(f, models.DateTimeField) for f in AwardCandidate._meta.get_fields())
    assert {f.name for f in AwardCandidate._meta.get_fields() if f.is_relation} == {
        "award",
        "employee",
    }


def test_award2_timeline_and_audit_never_name_a_voter(vote):
    org, case_id, vs = vote
    before = {r.pk: read(r, case_id)["timeline"] for r in (org.lead, org.admin, vs[2])}
    act(vs[0], case_id, "vote", {"candidate": org.agent.pk})
    act(vs[1], case_id, "vote", {"candidate": org.colleague.pk})
    for reader in (org.lead, org.admin, vs[2]):
        assert read(reader, case_id)["timeline"] == before[reader.pk]
    assert not AuditEvent.objects.filter(case_type="award", action="vote").exists()
    for reader in (org.lead, org.admin):
        html = history(page(reader, f"/awards/{case_id}/"))
        assert "Voter 0" not in html and "Voter 1" not in html
        assert 'data-action="vote"' not in html
    act(vs[2], case_id, "vote", {"candidate": org.agent.pk})
    closed = act(org.admin, case_id, "close-vote")
    assert [e["action"] for e in closed["timeline"]][-1] == "close-vote"
    assert all(e["action"] != "vote" for e in closed["timeline"])
    assert AuditEvent.objects.get(case_type="award", action="close-vote").data["ballots"] == 3
    names = {v.name for v in vs} | {v.user.username for v in vs}
    assert not any(str(e["actor"]) in names for e in closed["timeline"])
    assert not AuditEvent.objects.filter(actor__in=[v.user for v in vs]).exists()
    root = employee("root", department=org.cs, level=None)
    root.user.is_superuser = root.user.is_staff = True
    root.user.save()
    html = page(root, "/admin/audit/auditevent/")
    assert "voter0" not in html and "Voter 0" not in html


def test_award2_tally_hidden_while_open(vote):
    """Votes, the tally and the number of ballots are null while open, for every reader,
    through the API and the page."""
    org, case_id, vs = vote
    act(vs[0], case_id, "vote", {"candidate": org.agent.pk})
    act(vs[1], case_id, "vote", {"candidate": org.agent.pk})
    for reader in (org.lead, org.admin, org.gm, vs[0], vs[2]):
        case = read(reader, case_id)
        assert case["vote"]["open"] is True and case["vote"]["ballots"] is None
        assert case["tally"] is None
        assert all(c["votes"] is None for c in case["candidates"])
        assert 'data-testid="award-votes"' not in page(reader, f"/awards/{case_id}/")


def test_award2_the_tally_shows_once_closed(vote):
    org, case_id, vs = vote
    for v in vs:
        act(v, case_id, "vote", {"candidate": org.agent.pk})
    act(org.admin, case_id, "close-vote")
    for reader in (org.lead, org.gm, org.admin):
        case = read(reader, case_id)
        assert case["vote"]["ballots"] == 3 and case["tally"][0]["votes"] == 3
        assert 'data-testid="award-votes">3<' in page(reader, f"/awards/{case_id}/")


def test_award2_only_the_voter_knows_they_have_voted(vote):
    org, case_id, vs = vote
    act(vs[0], case_id, "vote", {"candidate": org.agent.pk})
    assert read(vs[0], case_id)["vote"]["voted"] is True
    assert "vote" not in read(vs[0], case_id)["available_actions"]
    assert "You have voted." in page(vs[0], f"/awards/{case_id}/")
    for reader in (vs[1], org.lead, org.admin):
        assert read(reader, case_id)["vote"]["voted"] is False
        assert "You have voted." not in page(reader, f"/awards/{case_id}/")


def test_award2_no_message_names_a_voter(vote):
    org, case_id, vs = vote
    with dispatched():
        for v in vs:
            act(v, case_id, "vote", {"candidate": org.agent.pk})
        act(org.admin, case_id, "close-vote")
        act(org.lead, case_id, "review", {"decision": "approve"})
        act(org.panel[1], case_id, "assess", {"decision": "approve"})
        act(org.gm, case_id, "approve", {"decision": "approve"})
    assert OutboxMessage.objects.filter(template="award_published").exists()
    # (each voter is mailed the notice too, greeted by name: no other message names them)
    for message in OutboxMessage.objects.exclude(recipient__in=[v.user for v in vs]):
        text = f"{message.subject} {message.body_text} {message.body_html}"
        assert "Voter 0" not in text and "voter0" not in text
    for notice in Notice.objects.exclude(recipient__in=[v.user for v in vs]):
        assert "Voter 0" not in str(notice.__dict__)
    told = set(
        OutboxMessage.objects.filter(template="case_decided").values_list("recipient", flat=True)
    )
    assert not told & {v.user.pk for v in vs}


def test_award2_a_voter_reads_the_names_not_the_reasons_nor_the_casework(vote):
    from tests.award.test_candidates import leave

    org, case_id, vs = vote
    leave(org.colleague, "sick")  # after the opening: the stored reasons do not change
    api(org.admin).post(
        f"/api/v1/awards/{case_id}/comment/", {"body": "Private remark"}, format="json"
    )
    case = read(vs[0], case_id)
    assert case["candidates"] and all(c["reasons"] == [] for c in case["candidates"])
    assert all(c["eligible"] for c in case["candidates"])
    assert case["comments"] == [] and case["casework_actions"] == []
    html = page(vs[0], f"/awards/{case_id}/")
    assert "Private remark" not in html
    assert 'data-testid="award-vote-form"' in html
    assert html.count('data-testid="award-candidate-option"') == len(case["candidates"])
    # The lead reads every reason.
    assert all(c["reasons"] for c in read(org.lead, case_id)["candidates"])


def test_award2_a_member_of_another_department_sees_nothing(vote):
    org, case_id, vs = vote
    read(org.other_dept_agent, case_id, expect=404)
    client = Client()
    client.force_login(org.other_dept_agent.user)
    assert client.get(f"/awards/{case_id}/").status_code == 404
