"""Pages refuse as carefully as they allow: an employee sees only their own cases, a task page
only opens for its owner, the flow dashboards only for the oversight roles."""

import pytest
from django.test import Client
from viewflow.workflow.models import Task

from approvals.promotion import services
from tests.orgdata import build_org
from workflows.engine import start_flow
from workflows.inbox import task_url
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


def test_task_page_opens_only_for_its_owner(case):
    org, promotion, process = case
    task = Task.objects.get(process=process, flow_task=PromotionFlow.nominate)
    execute = task_url(task).rstrip("/") + "/execute/"
    assert client(org.lead).get(execute).status_code == 200
    for intruder in (org.agent, org.colleague, org.gm):
        assert client(intruder).get(execute).status_code == 403
    response = client(org.agent).post(execute, {"action": "nominate"})
    assert response.status_code == 403
    promotion.refresh_from_db()
    assert promotion.state == "submitted"


def test_applicant_cannot_nominate_through_the_page_even_as_a_lead(case):
    """A POST for an action that is not the step's own is refused (404) and changes nothing."""
    org, promotion, process = case
    task = Task.objects.get(process=process, flow_task=PromotionFlow.nominate)
    execute = task_url(task).rstrip("/") + "/execute/"
    response = client(org.lead).post(execute, {"action": "approve"})
    assert response.status_code == 404
    promotion.refresh_from_db()
    assert promotion.state == "submitted"


def test_flow_dashboard_and_process_pages_only_for_oversight_or_the_case(case):
    org, promotion, process = case
    assert client(org.agent).get("/workflow/flows/promotion/").status_code == 403
    assert client(org.gm).get("/workflow/flows/promotion/").status_code in (200, 302)
    assert (
        client(org.other_dept_agent).get(f"/workflow/flows/promotion/{process.pk}/").status_code
        == 403
    )
    assert client(org.agent).get(f"/workflow/flows/promotion/{process.pk}/").status_code == 200


def test_page_refusal_shows_the_rule(case):
    """The page shows the service's refusal (rule and figure) and keeps the case unchanged."""
    org, promotion, process = case
    task = Task.objects.get(process=process, flow_task=PromotionFlow.nominate)
    execute = task_url(task).rstrip("/") + "/execute/"
    response = client(org.lead).post(
        execute, {"action": "decline", "reason": ""}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
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
        url, {"action": "vote", "support": "false"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "already voted" in again.content.decode()
    promotion.refresh_from_db()
    assert (promotion.votes_for, promotion.votes_against) == (1, 0)
    applicant_page = client(org.agent).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "for, 0 against" not in applicant_page
    lead_page = client(org.lead).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 for, 0 against" in lead_page
