"""Pages refuse as carefully as they allow: an employee sees only their own cases, each person
is offered only their own step, and the engine console is not mounted."""

import pytest
from django.test import Client

from approvals.promotion import services
from tests.orgdata import build_org
from workflows.engine import start_flow
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db


def client(emp):
    c = Client()
    c.force_login(emp.user)
    return c


@pytest.fixture
def case():
    org = build_org()
    promotion = services.promotion_submit(
        actor=org.agent.user, target_level="intermediate", statement="s"
    )
    process = start_flow(flow_class=PromotionFlow, case=promotion)
    return org, promotion, process


def test_case_page_is_404_for_another_employee(case):
    org, promotion, _ = case
    assert client(org.agent).get(f"/promotions/{promotion.pk}/").status_code == 200
    assert client(org.lead).get(f"/promotions/{promotion.pk}/").status_code == 200
    assert client(org.other_dept_agent).get(f"/promotions/{promotion.pk}/").status_code == 404
    assert client(org.colleague).get(f"/promotions/{promotion.pk}/").status_code == 404


def test_only_the_lead_is_offered_the_nomination_and_others_are_refused(case):
    """The case page offers each person only their own step; a forged POST is refused by the
    service and changes nothing."""
    org, promotion, process = case
    url = f"/promotions/{promotion.pk}/"
    assert 'data-action="nominate"' in client(org.lead).get(url).content.decode()
    assert 'data-action="nominate"' not in client(org.agent).get(url).content.decode()
    for intruder in (org.agent, org.gm):
        response = client(intruder).post(url, {"action": "nominate", "comment": "x"})
        assert response.status_code == 400
    assert client(org.colleague).post(url, {"action": "nominate"}).status_code == 404
    promotion.refresh_from_db()
    assert promotion.state == "submitted"


def test_an_unknown_action_is_404_and_changes_nothing(case):
    org, promotion, process = case
    response = client(org.lead).post(f"/promotions/{promotion.pk}/", {"action": "cancel-all"})
    assert response.status_code == 404
    promotion.refresh_from_db()
    assert promotion.state == "submitted"


def test_the_engine_console_is_not_mounted(case):
    org, promotion, process = case
    for url in ("/workflow/flows/promotion/", f"/workflow/flows/promotion/{process.pk}/"):
        assert client(org.gm).get(url).status_code == 404


def test_page_refusal_shows_the_rule(case):
    """The page shows the service's refusal (rule and figure) and keeps the case unchanged."""
    org, promotion, process = case
    response = client(org.lead).post(
        f"/promotions/{promotion.pk}/",
        {"action": "decline", "reason": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "A written reason is required. (PROMO-3)" in response.content.decode()
    promotion.refresh_from_db()
    assert promotion.state == "submitted"


def test_department_member_votes_from_the_page_and_the_tally_stays_hidden_from_the_applicant(case):
    """PROMO-3.2 through the pages: the vote shows on a member's page, one ballot each."""
    from workflows.engine import run_action

    org, promotion, _ = case
    run_action(
        flow_class=PromotionFlow,
        actions=PromotionFlow.actions,
        case=promotion,
        name="open-vote",
        actor=org.lead.user,
    )
    home = client(org.colleague).get("/").content.decode()
    assert f"/promotions/{promotion.pk}/" in home
    url = f"/promotions/{promotion.pk}/"
    client(org.colleague).post(url, {"action": "vote", "support": "true"})
    again = client(org.colleague).post(
        url, {"action": "vote", "support": "false"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "already voted" in again.content.decode()
    promotion.refresh_from_db()
    assert (promotion.votes_for, promotion.votes_against) == (1, 0)
    applicant_page = client(org.agent).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "for, 0 against" not in applicant_page
    # PROMO-3.2: while the vote is open not even the lead reads the tally.
    lead_page = client(org.lead).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "for, 0 against" not in lead_page
