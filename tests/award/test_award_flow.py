"""AWARD-1, AWARD-2: the award of the month from its opening to the notice and the pay sheet,
through the API, with each step's refusals (rule and figure named, nothing left behind)."""

from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from approvals.award.models import Award, AwardCandidate
from approvals.award.services import shortlist
from notifications.models import OutboxMessage
from performance import pay
from performance.paysheet import pay_sheet
from tests.award.helpers import (
    NOV_10,
    OCT,
    act,
    api,
    candidate,
    close_month,
    open_award,
    read,
    voters,
)
from tests.events import dispatched
from tests.orgdata import build_org, employee

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    with time_machine.travel(NOV_10, tick=False):
        org = build_org()
        org.voters = voters(org)
        org.trainer = org.panel[2]
        close_month(org.cs)
        yield org


def voting(org):
    case = open_award(org)
    act(org.admin, case["id"], "open-vote")
    return case["id"]


def cast(org, case_id, choices):
    """choices: [(voter, candidate), ...]"""
    for voter, chosen in choices:
        act(voter, case_id, "vote", {"candidate": chosen.pk})


def to_review(org, winners=None):
    """A vote where the agent gets 3 votes and the colleague 1: both go on."""
    case_id = voting(org)
    v = org.voters
    cast(
        org,
        case_id,
        [(v[0], org.agent), (v[1], org.agent), (v[2], org.agent), (org.trainer, org.colleague)],
    )
    return act(org.admin, case_id, "close-vote")


# --- opening (AWARD-1) ------------------------------------------------------------------------


def test_award1_opening_lists_every_employee_with_reasons(org):
    case = open_award(org)
    assert case["state"] == "opened" and case["month"] == "2026-10"
    assert case["amount"] == "200.00"  # the pack has no award figure: seed 002's 200
    assert case["available_actions"] == ["open-vote"]
    assert [d["name"] for d in case["deadlines"]] == ["vote"]
    names = {c["name"] for c in case["candidates"]}
    assert {"agent", "colleague", "trainer", "lead"} <= names and "outsider" not in names
    assert candidate(case, org.agent)["reasons"][0]["rule"] == "AWARD-1"


def test_award1_refused_before_the_month_is_closed(org):
    late = employee("late", department=org.cs)  # October not closed for this one
    response = api(org.admin).post(
        "/api/v1/awards/", {"department": org.cs.pk, "month": "2026-10"}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "month_not_closed" and body["rule"] == "AWARD-1"
    assert "2026-10" in body["detail"]
    assert not Award.objects.exists()
    assert late  # (created to leave the month open)


def test_award1_refused_for_a_month_not_over_and_twice(org):
    response = api(org.admin).post(
        "/api/v1/awards/", {"department": org.cs.pk, "month": "2026-11"}, format="json"
    )
    assert response.status_code in (400, 422) and response.json()["rule"] == "AWARD-1"
    open_award(org)
    again = api(org.admin).post(
        "/api/v1/awards/", {"department": org.cs.pk, "month": "2026-10"}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "award_exists"
    assert Award.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [{}, {"department": "x", "month": "2026-10"}, {"department": 1, "month": "Oct"}, []],
)
def test_award1_bad_input_is_a_400_not_a_500(org, body):
    response = api(org.admin).post("/api/v1/awards/", body, format="json")
    assert response.status_code == 400


def test_award1_only_administration_opens(org):
    for who in (org.lead, org.gm, org.agent):
        response = api(who).post(
            "/api/v1/awards/", {"department": org.cs.pk, "month": "2026-10"}, format="json"
        )
        assert response.status_code == 403, who
        assert response.json()["rule"] == "AWARD-1"
    assert not Award.objects.exists()


# --- the vote (AWARD-2) -----------------------------------------------------------------------


def test_award2_one_vote_per_voter(org):
    case_id = voting(org)
    act(org.voters[0], case_id, "vote", {"candidate": org.agent.pk})
    again = act(org.voters[0], case_id, "vote", {"candidate": org.colleague.pk}, expect=400)
    assert again["code"] == "already_voted" and again["rule"] == "AWARD-2"
    counts = dict(AwardCandidate.objects.values_list("employee_id", "votes"))
    assert counts[org.agent.pk] == 1 and counts[org.colleague.pk] == 0


def test_award2_vote_refusals(org):
    case_id = voting(org)
    outsider = act(org.other_dept_agent, case_id, "vote", {"candidate": org.agent.pk}, expect=404)
    assert outsider  # a member of another department does not even see the award
    own = act(org.agent, case_id, "vote", {"candidate": org.agent.pk}, expect=400)
    assert own["code"] == "own_vote"
    bad = act(org.agent, case_id, "vote", {"candidate": org.other_dept_agent.pk}, expect=400)
    assert bad["code"] == "not_a_candidate"
    for body in ({}, {"candidate": "x"}, {"candidate": [1]}):
        act(org.agent, case_id, "vote", body, expect=400)
    assert sum(AwardCandidate.objects.values_list("votes", flat=True)) == 0
    gm = act(org.gm, case_id, "vote", {"candidate": org.agent.pk}, expect=403)
    assert gm["code"] == "not_a_voter"


def test_award2_an_ineligible_employee_is_no_option(org):
    from tests.award.test_candidates import leave

    leave(org.colleague, "sick")
    Award.objects.all().delete()
    case_id = voting(org)
    refused = act(org.agent, case_id, "vote", {"candidate": org.colleague.pk}, expect=400)
    assert refused["code"] == "not_a_candidate"


def test_award2_close_needs_the_minimum_of_ballots(org):
    case_id = voting(org)
    cast(org, case_id, [(org.voters[0], org.agent), (org.voters[1], org.agent)])
    refused = act(org.admin, case_id, "close-vote", expect=400)
    assert refused["code"] == "too_few_ballots" and "3" in refused["detail"]
    assert read(org.admin, case_id)["vote"]["open"] is True


def test_award2_the_top_two_go_on(org):
    case = to_review(org)
    assert case["state"] == "lead_review"
    shortlisted = {c["employee"] for c in case["candidates"] if c["shortlisted"]}
    assert shortlisted == {org.agent.pk, org.colleague.pk}
    assert case["tally"][0] == {"employee": org.agent.pk, "name": "agent", "votes": 3}


def test_award2_a_tie_for_second_place_sends_every_tied_candidate_on(org):
    case_id = voting(org)
    v = org.voters
    cast(
        org,
        case_id,
        [
            (v[0], org.agent),
            (v[1], org.agent),
            (v[2], org.colleague),
            (org.trainer, org.lead),
            (org.colleague, org.trainer),
        ],
    )
    case = act(org.admin, case_id, "close-vote")
    shortlisted = {c["employee"] for c in case["candidates"] if c["shortlisted"]}
    assert shortlisted == {org.agent.pk, org.colleague.pk, org.lead.pk, org.trainer.pk}


def test_award2_shortlist_rule():
    assert shortlist({1: 5, 2: 3, 3: 3, 4: 1}) == {1, 2, 3}
    assert shortlist({1: 4, 2: 4, 3: 4, 4: 1}) == {1, 2, 3}  # a tie for first
    assert shortlist({1: 4, 2: 0}) == {1}
    assert shortlist({1: 0}) == set()


# --- the review steps (AWARD-1) ---------------------------------------------------------------


def test_award1_each_step_refuses_other_roles(org):
    case = to_review(org)
    case_id = case["id"]
    refused = act(org.admin, case_id, "review", {"decision": "approve"}, expect=403)
    assert refused["rule"] == "AWARD-1"
    for who in (org.agent, org.trainer):  # the vote is closed: they no longer see the award
        act(who, case_id, "review", {"decision": "approve"}, expect=404)
    act(org.lead, case_id, "review", {"decision": "approve"})
    for who in (org.lead, org.gm):
        act(who, case_id, "assess", {"decision": "approve"}, expect=403)
    act(org.panel[1], case_id, "assess", {"decision": "approve"})
    for who in (org.lead, org.admin):
        act(who, case_id, "approve", {"decision": "approve"}, expect=403)


def test_award1_nobody_reviews_their_own_candidacy(org):
    """The lead shortlisted: lead review goes to the GM office, and the lead is refused."""
    case_id = voting(org)
    v = org.voters
    cast(org, case_id, [(v[0], org.lead), (v[1], org.lead), (v[2], org.agent)])
    act(org.admin, case_id, "close-vote")
    refused = act(org.lead, case_id, "review", {"decision": "approve"}, expect=403)
    assert refused["code"] == "own_candidacy" and refused["rule"] == "AWARD-1"
    assert "review" in read(org.gm, case_id)["available_actions"]
    act(org.gm, case_id, "review", {"decision": "approve"})


def test_award1_a_refusal_needs_a_reason_and_drops_the_candidate(org):
    case_id = to_review(org)["id"]
    refused = act(
        org.lead,
        case_id,
        "review",
        {
            "decisions": [
                {"candidate": org.agent.pk, "decision": "approve"},
                {"candidate": org.colleague.pk, "decision": "reject"},
            ]
        },
        expect=400,
    )
    assert refused["code"] == "reason_required"
    assert read(org.lead, case_id)["state"] == "lead_review"
    missing = act(
        org.lead,
        case_id,
        "review",
        {"decisions": [{"candidate": org.agent.pk, "decision": "approve"}]},
        expect=400,
    )
    assert missing["code"] == "decisions_missing"
    case = act(
        org.lead,
        case_id,
        "review",
        {
            "decisions": [
                {"candidate": org.agent.pk, "decision": "approve"},
                {"candidate": org.colleague.pk, "decision": "reject", "reason": "两次投诉"},
            ]
        },
    )
    assert case["state"] == "assessment"
    dropped = candidate(case, org.colleague)
    assert dropped["refused_at"] == "review" and dropped["refused_reason"] == "两次投诉"


def test_award1_nobody_left_ends_without_an_award(org):
    case_id = to_review(org)["id"]
    case = act(org.lead, case_id, "review", {"decision": "reject", "reason": "not this month"})
    assert case["state"] == "no_award" and case["available_actions"] == []
    assert pay_sheet(month=OCT, department=org.cs).rows  # nothing booked
    assert all(r.line(pay.REWARDS) == 0 for r in pay_sheet(month=OCT, department=org.cs).rows)


def test_award1_award2_published_notice_mail_and_pay(org):
    case_id = to_review(org)["id"]
    act(org.lead, case_id, "review", {"decision": "approve"})
    act(
        org.panel[1],
        case_id,
        "assess",
        {
            "decisions": [
                {"candidate": org.agent.pk, "decision": "approve"},
                {"candidate": org.colleague.pk, "decision": "reject", "reason": "评定未通过"},
            ]
        },
    )
    assert not OutboxMessage.objects.filter(template="award_published").exists()
    with dispatched():  # the mail to all goes out with the sweep, after the GM's commit
        case = act(org.gm, case_id, "approve", {"decision": "approve"})
    assert case["state"] == "published" and case["published_at"]
    assert candidate(case, org.agent)["awarded"] is True
    assert candidate(case, org.colleague)["awarded"] is False
    # The notice: every employee reads it, in the API and on the page.
    for reader in (org.other_dept_agent, org.colleague, org.gm):
        notices = api(reader).get("/api/v1/awards/published/").json()
        assert notices[0]["awardees"] == ["agent"] and notices[0]["month"] == "2026-10"
        client = Client()
        client.force_login(reader.user)
        html = client.get("/awards/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'data-testid="award-notices"' in html and 'data-testid="awardee">agent<' in html
    # Mail to all, once (a second dispatch tells nobody again).
    told = set(
        OutboxMessage.objects.filter(template="award_published").values_list("recipient", flat=True)
    )
    assert {org.other_dept_agent.user.pk, org.agent.user.pk, org.gm.user.pk} <= told
    # PAY-1: the award on October's pay sheet, traced to the award.
    rows = {r.employee.pk: r for r in pay_sheet(month=OCT, department=org.cs).rows}
    assert rows[org.agent.pk].line(pay.REWARDS) == Decimal("200.00")
    assert rows[org.agent.pk].figure(pay.REWARDS).trace.refs == (f"award:{case_id}",)
    assert rows[org.colleague.pk].line(pay.REWARDS) == Decimal("0.00")


def test_award1_the_amount_is_a_policy_key(org):
    from policy.models import PolicyVersion
    from tests.packs import store_pack

    version = PolicyVersion.objects.get()
    version.data = {**version.data, "award": {"amount": "300"}}
    store_pack(version)
    assert open_award(org)["amount"] == "300.00"


def test_award1_each_step_is_an_inbox_task_with_its_due_time(org):
    case = open_award(org)
    inbox = api(org.admin).get("/api/v1/inbox/").json()
    rows = inbox["results"] if isinstance(inbox, dict) else inbox
    mine = [r for r in rows if r.get("resource") == "awards"]
    assert mine and mine[0]["due_at"]
    assert case["deadlines"][0]["due_at"]
