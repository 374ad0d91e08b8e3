"""Issue 11, findings 1, 2 and 10 (witness part): what the readers of a department vote and of a
penalty slip may read, through the API and the pages.

- PROMO-3.2: no ballot is linkable to its voter: no per-ballot history, no live tally, the tally
  only once closed with at least `promotion.vote_min_ballots` ballots (default 3), and only to
  the lead and the GM office;
- a department voter reads what the ballot needs, not the applicant's monthly scores;
- PEN-3: a named witness reads the slip they sign, not the later objection and its answer.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from approvals.promotion.models import Promotion
from audit.models import AuditEvent
from tests.events import dispatched
from tests.orgdata import build_org, employee
from tests.penalty.helpers import act as penalty_act
from tests.penalty.helpers import read as penalty_read
from tests.penalty.helpers import serve

pytestmark = pytest.mark.django_db


def api(emp) -> APIClient:
    client = APIClient()
    client.force_authenticate(emp.user)
    return client


def page(emp, url: str) -> str:
    client = Client()
    client.force_login(emp.user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def history(html: str) -> str:
    """The page's history section (the rest of the page may list colleagues, e.g. to consult)."""
    start = html.index('id="timeline"')
    return html[start : html.index("</section>", start)]


def act(emp, case_id, action, body=None, expect=200):
    response = api(emp).post(f"/api/v1/promotions/{case_id}/{action}/", body or {}, format="json")
    assert response.status_code == expect, response.json()
    return response.json()


def read(emp, case_id, expect=200):
    response = api(emp).get(f"/api/v1/promotions/{case_id}/")
    assert response.status_code == expect
    return response.json() if expect == 200 else None


@pytest.fixture
def vote():
    """An application to intermediate with its department vote open, and three more voters."""
    org = build_org()
    case = api(org.agent).post(
        "/api/v1/promotions/", {"target_level": "intermediate", "statement": "s"}, format="json"
    )
    case_id = case.json()["id"]
    act(org.lead, case_id, "open-vote")
    voters = [employee(f"voter{i}", department=org.cs, name=f"Voter {i}") for i in range(3)]
    return org, case_id, voters


def test_finding1_timeline_never_names_a_voter(vote):
    """PROMO-3.2: a ballot leaves no per-ballot event (no actor, no time to poll); the close
    event says how many ballots were cast. Nothing in the API, the page or the audit admin
    names a voter."""
    org, case_id, voters = vote
    before = {r.pk: read(r, case_id)["timeline"] for r in (org.lead, org.gm, voters[2], org.agent)}
    act(voters[0], case_id, "vote", {"support": True})
    act(voters[1], case_id, "vote", {"support": False})
    for reader in (org.lead, org.gm, voters[2], org.agent):
        assert read(reader, case_id)["timeline"] == before[reader.pk]
    assert not AuditEvent.objects.filter(action="vote").exists()
    for reader in (org.lead, org.gm):
        html = history(page(reader, f"/promotions/{case_id}/"))
        assert "Voter 0" not in html and "Voter 1" not in html
        assert 'data-action="vote"' not in html
    act(voters[2], case_id, "vote", {"support": True})
    closed = act(org.lead, case_id, "close-vote")
    assert [e["action"] for e in closed["timeline"]][-1] == "close-vote"
    assert all(e["action"] != "vote" for e in closed["timeline"])
    close_event = AuditEvent.objects.get(action="close-vote")
    assert close_event.data["ballots"] == 3
    names = {v.name for v in voters} | {v.user.username for v in voters}
    assert not any(str(e["actor"]) in names for e in closed["timeline"])
    # The audit admin (superuser) lists no ballot either.
    admin = employee("root", department=org.cs, level=None)
    admin.user.is_superuser = admin.user.is_staff = True
    admin.user.save()
    html = page(admin, "/admin/audit/auditevent/")
    assert "voter0" not in html and "Voter 0" not in html


def test_finding1_older_per_ballot_events_are_not_shown(vote):
    """A log written before the fix may hold per-ballot events naming the voter: the timeline
    does not show them."""
    import audit

    org, case_id, voters = vote
    audit.record(case_type="promotion", case_id=case_id, action="vote", actor=voters[0].user)
    timeline = read(org.lead, case_id)["timeline"]
    assert all(e["action"] != "vote" for e in timeline)
    html = history(page(org.lead, f"/promotions/{case_id}/"))
    assert "Voter 0" not in html and 'data-action="vote"' not in html


def test_finding1_tally_hidden_until_closed_and_minimum(vote):
    """PROMO-3.2: `for`/`against` are null while open (and so is the ballot count, which read
    after each ballot would tell who has just voted), and stay null after close when fewer
    than the minimum ballots were cast."""
    org, case_id, voters = vote
    act(voters[0], case_id, "vote", {"support": True})
    act(voters[1], case_id, "vote", {"support": True})
    for reader in (org.lead, org.gm, voters[0], org.agent):
        shown = read(reader, case_id)["vote"]
        assert shown["open"] is True
        assert (shown["ballots"], shown["for"], shown["against"]) == (None, None, None)
        assert "2 for" not in page(reader, f"/promotions/{case_id}/")
    closed = act(org.lead, case_id, "close-vote")["vote"]
    assert (closed["open"], closed["ballots"], closed["for"], closed["against"]) == (
        False,
        2,
        None,
        None,
    )
    assert read(org.gm, case_id)["vote"]["for"] is None
    html = page(org.lead, f"/promotions/{case_id}/")
    assert "2 for" not in html and "fewer than 3 ballots" in html
    assert "for" not in AuditEvent.objects.get(action="close-vote").data


def test_finding1_lead_and_gm_see_the_tally_after_close_with_three_ballots(vote):
    org, case_id, voters = vote
    for voter, support in zip(voters, (True, True, False), strict=True):
        act(voter, case_id, "vote", {"support": support})
    act(org.lead, case_id, "close-vote")
    for reader in (org.lead, org.gm):
        shown = read(reader, case_id)["vote"]
        assert (shown["open"], shown["ballots"], shown["for"], shown["against"]) == (
            False,
            3,
            2,
            1,
        )
        assert "2 for, 1 against" in page(reader, f"/promotions/{case_id}/")
    # The applicant learns how many ballots were cast, never the tally.
    mine = read(org.agent, case_id)["vote"]
    assert (mine["ballots"], mine["for"], mine["against"]) == (3, None, None)
    assert "2 for" not in page(org.agent, f"/promotions/{case_id}/")


def test_finding1_the_minimum_is_a_policy_key(vote):
    """`promotion.vote_min_ballots` of the pack in force decides the minimum."""
    from policy.models import PolicyVersion

    org, case_id, voters = vote
    version = PolicyVersion.objects.get()
    version.data = {**version.data, "promotion": {**version.data["promotion"]}}
    version.data["promotion"]["vote_min_ballots"] = 2
    from tests.packs import store_pack

    store_pack(version)
    act(voters[0], case_id, "vote", {"support": True})
    act(voters[1], case_id, "vote", {"support": False})
    closed = act(org.lead, case_id, "close-vote")["vote"]
    assert (closed["for"], closed["against"]) == (1, 1)


def test_finding1_only_the_voter_knows_they_have_voted(vote):
    org, case_id, voters = vote
    act(voters[0], case_id, "vote", {"support": True})
    assert read(voters[0], case_id)["vote"]["voted"] is True
    assert "You have voted." in page(voters[0], f"/promotions/{case_id}/")
    for reader in (voters[1], org.lead, org.gm):
        assert read(reader, case_id)["vote"]["voted"] is False
        assert "You have voted." not in page(reader, f"/promotions/{case_id}/")


def test_finding1_no_message_names_a_voter(vote):
    from notifications.models import OutboxMessage

    org, case_id, voters = vote
    act(voters[0], case_id, "vote", {"support": True})
    for message in OutboxMessage.objects.all():
        assert "Voter 0" not in str(message.__dict__) and "voter0" not in str(message.__dict__)


def test_finding2_voter_does_not_read_the_applicants_months(vote):
    """A department voter reads the case without the applicant's eligibility (monthly scores,
    tiers, grades, reasons), through the API and the page; the assessments of the applicant
    stay 404 for them."""
    org, case_id, voters = vote
    promotion = Promotion.objects.get(pk=case_id)
    assert promotion.eligibility["months"]  # there is something to hide
    case = read(voters[0], case_id)
    assert case["eligibility"] is None and case["skip_level_reason"] is None
    assert case["statement"] == "s" and case["target_level"] == "intermediate"
    assert all(e["comment"] == "" for e in case["timeline"])
    html = page(voters[0], f"/promotions/{case_id}/")
    assert "Monthly scores that decide eligibility" not in html
    assert "Eligible by scores" not in html
    assert api(voters[0]).get(f"/api/v1/employees/{org.agent.pk}/assessments/").status_code == 404


def test_finding2_the_lead_gm_and_applicant_still_read_the_months(vote):
    org, case_id, voters = vote
    for reader in (org.lead, org.gm, org.agent):
        assert read(reader, case_id)["eligibility"]["months"]
        assert "Monthly scores that decide eligibility" in page(reader, f"/promotions/{case_id}/")


# --- PEN-3: the witness ----------------------------------------------------------------------


@pytest.fixture
def witnessed_objection():
    org = build_org()
    case = serve(org.lead, org.agent)
    witness = org.panel[2]
    penalty_act(
        org.lead, case["id"], "refuse-to-sign", {"witnesses": [witness.pk, org.panel[1].pk]}
    )
    penalty_act(org.agent, case["id"], "object", {"reason": "Secret objection text"})
    return org, case["id"], witness


def test_finding10_witness_does_not_read_the_objection(witnessed_objection):
    """PEN-3: the witness reads the slip they are asked to sign (facts, rule, evidence,
    sanction) but not the objection and its answer, in the API and on the page."""
    org, case_id, witness = witnessed_objection
    case = penalty_read(witness, case_id)
    assert case["objection"] is None
    assert case["facts"] and case["rule"] and case["evidence"] and case["sanction"]
    assert all(e["action"] not in ("object", "respond") for e in case["timeline"])
    assert "Secret objection text" not in str(case)
    html = page(witness, f"/penalties/{case_id}/")
    assert "Secret objection text" not in html
    assert case["facts"].split()[0] in html


def test_finding10_witness_keeps_reading_the_slip_after_signing_but_not_the_answer(
    witnessed_objection,
):
    org, case_id, witness = witnessed_objection
    penalty_act(witness, case_id, "witness")
    penalty_act(org.gm, case_id, "respond", {"decision": "uphold", "reason": "Secret answer"})
    case = penalty_read(witness, case_id)
    assert case["objection"] is None and case["facts"]
    assert "Secret answer" not in str(case)
    html = page(witness, f"/penalties/{case_id}/")
    assert "Secret answer" not in html and "Secret objection text" not in html


def test_finding10_the_employee_issuer_and_gm_still_read_the_objection(witnessed_objection):
    org, case_id, witness = witnessed_objection
    for reader in (org.agent, org.lead, org.gm):
        assert penalty_read(reader, case_id)["objection"]["reason"] == "Secret objection text"
        assert "Secret objection text" in page(reader, f"/penalties/{case_id}/")


def test_finding1_the_promotion_admin_shows_no_live_counter(vote):
    """The admin's case page shows the tally only as the API does: closed, enough ballots."""
    org, case_id, voters = vote
    act(voters[0], case_id, "vote", {"support": True})
    root = employee("root", department=org.cs, level=None)
    root.user.is_superuser = root.user.is_staff = True
    root.user.save()
    html = page(root, f"/admin/approvals/promotion/{case_id}/change/")
    assert "votes_for" not in html and "votes_against" not in html


def test_finding1_the_linter_refuses_a_minimum_below_two():
    """A tally of one ballot is that ballot: `promotion.vote_min_ballots` below 2 is an error."""
    import json

    from policy.lint import lint
    from policy.pack import PACKS_DIR

    data = json.loads((PACKS_DIR / "default.json").read_text(encoding="utf-8"))
    assert "vote_min_ballots_low" not in {f.code for f in lint(data)}
    data["promotion"]["vote_min_ballots"] = 1
    assert "vote_min_ballots_low" in {f.code for f in lint(data)}


def test_finding10_the_witness_is_not_mailed_the_answer(witnessed_objection):
    """PEN-3: the answer's notice goes to those who acted on the slip, not to its witnesses."""
    from notifications.models import OutboxMessage

    org, case_id, witness = witnessed_objection
    penalty_act(witness, case_id, "witness")
    with dispatched():
        penalty_act(org.gm, case_id, "respond", {"decision": "revoke", "reason": "Secret answer"})
    told = set(
        OutboxMessage.objects.filter(template="case_decided").values_list("recipient", flat=True)
    )
    assert org.agent.user.pk in told
    assert witness.user.pk not in told


def test_finding1_an_older_ballot_event_gets_its_voter_no_mail(vote):
    """A voter named by a per-ballot event of an older log is not told of the decision (the
    outbox would list who voted)."""
    import audit
    from notifications.models import OutboxMessage

    org, case_id, voters = vote
    audit.record(case_type="promotion", case_id=case_id, action="vote", actor=voters[0].user)
    with dispatched():
        act(org.lead, case_id, "decline", {"reason": "not now"})
    told = set(
        OutboxMessage.objects.filter(template="case_decided").values_list("recipient", flat=True)
    )
    assert org.agent.user.pk in told
    assert voters[0].user.pk not in told


# --- voters and witnesses read their part, not the casework around it ---------------------------

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _casework(reader_of, author, resource, case_id):
    """A comment and an attachment by `author` on the case; returns the attachment's id."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api(author).post(
        f"/api/v1/{resource}/{case_id}/comment/", {"body": "Private remark"}, format="json"
    )
    assert response.status_code == 200, response.json()
    upload = SimpleUploadedFile("evidence.pdf", PDF, content_type="application/pdf")
    response = api(author).post(
        f"/api/v1/{resource}/{case_id}/attachments/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    [attachment] = reader_of(author, case_id)["attachments"]
    return attachment


def test_finding1_a_voter_reads_no_comments_attachments_or_consultations(vote):
    """'Voters and witnesses see only what their part needs': the comments, files and
    consultations around a vote are the reviewers', not the department's."""
    org, case_id, voters = vote
    attachment = _casework(read, org.lead, "promotions", case_id)
    case = read(voters[0], case_id)
    assert case["comments"] == [] and case["attachments"] == [] and case["consultations"] == []
    assert case["casework_actions"] == []
    html = page(voters[0], f"/promotions/{case_id}/")
    assert "Private remark" not in html and "evidence.pdf" not in html
    client = Client()
    client.force_login(voters[0].user)
    assert client.get(attachment["url"]).status_code == 404
    client.force_login(org.gm.user)
    assert client.get(attachment["url"]).status_code == 200  # a reviewer still reads it
    refused = api(voters[0]).post(
        f"/api/v1/promotions/{case_id}/comment/", {"body": "hi"}, format="json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "not_participant"


def test_finding10_a_witness_reads_no_casework_and_cannot_copy_anyone_in(witnessed_objection):
    org, case_id, witness = witnessed_objection
    attachment = _casework(penalty_read, org.lead, "penalties", case_id)
    penalty_act(witness, case_id, "witness")  # signing makes them an actor, not a reviewer
    case = penalty_read(witness, case_id)
    assert case["comments"] == [] and case["attachments"] == [] and case["cc"] == []
    html = page(witness, f"/penalties/{case_id}/")
    assert "Private remark" not in html and "evidence.pdf" not in html
    client = Client()
    client.force_login(witness.user)
    assert client.get(attachment["url"]).status_code == 404
    bystander = employee("bystander1", department=org.cs)
    refused = api(witness).post(
        f"/api/v1/penalties/{case_id}/cc/", {"people": [bystander.pk]}, format="json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "not_reviewer"
    refused = api(witness).post(
        f"/api/v1/penalties/{case_id}/comment/", {"body": "hi"}, format="json"
    )
    assert refused.status_code == 403
    assert penalty_read(org.lead, case_id)["comments"][0]["body"] == "Private remark"
