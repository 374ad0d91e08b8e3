"""AWARD-1, AWARD-2 on the pages: administration opens a month at /awards/, the department votes
on the case page's form, administration closes the vote, each review step decides per candidate
on the page, the notice lists the awardees; refusals re-render with the rule; zh-hans and en."""

import pytest
import time_machine
from django.test import Client

from approvals.award.models import Award
from tests.award.helpers import NOV_10, act, close_month, open_award, voters
from tests.orgdata import build_org

pytestmark = pytest.mark.django_db


def client(emp, language="en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(emp.user)
    return c


@pytest.fixture
def org():
    with time_machine.travel(NOV_10, tick=False):
        org = build_org()
        org.voters = voters(org)
        close_month(org.cs)
        yield org


def test_award1_administration_opens_a_month_on_the_page(org):
    page = client(org.admin).get("/awards/").content.decode()
    assert 'data-testid="award-open-form"' in page and 'data-testid="award-notices"' in page
    refused = client(org.admin).post("/awards/", {"department": org.cs.pk, "month": "2026-11"})
    assert refused.status_code == 400 and "AWARD-1" in refused.content.decode()
    assert not Award.objects.exists()
    done = client(org.admin).post("/awards/", {"department": org.cs.pk, "month": "2026-10"})
    award = Award.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/awards/{award.pk}/"
    # Nobody else opens one.
    assert 'data-testid="award-open-form"' not in client(org.agent).get("/awards/").content.decode()
    assert (
        client(org.lead).post("/awards/", {"department": org.cs.pk, "month": "2026-10"}).status_code
        == 404
    )


def test_award2_the_vote_from_the_page_to_the_notice(org):
    case_id = open_award(org)["id"]
    html = client(org.admin).get(f"/awards/{case_id}/").content.decode()
    assert 'data-testid="award-open-vote"' in html
    assert client(org.admin).post(f"/awards/{case_id}/", {"action": "open-vote"}).status_code == 302
    voter_page = client(org.voters[0]).get(f"/awards/{case_id}/").content.decode()
    assert 'data-testid="award-vote-form"' in voter_page
    assert 'data-testid="award-candidate-option"' in voter_page
    for v in org.voters:
        response = client(v).post(
            f"/awards/{case_id}/", {"action": "vote", "candidate": org.agent.pk}
        )
        assert response.status_code == 302
    html = client(org.admin).get(f"/awards/{case_id}/").content.decode()
    assert 'data-testid="award-close-vote"' in html
    assert (
        client(org.admin).post(f"/awards/{case_id}/", {"action": "close-vote"}).status_code == 302
    )
    lead_page = client(org.lead).get(f"/awards/{case_id}/").content.decode()
    assert 'data-testid="award-decide-form"' in lead_page
    refused = client(org.lead).post(
        f"/awards/{case_id}/", {"action": "review", f"decision_{org.agent.pk}": "reject"}
    )
    assert refused.status_code == 400 and "AWARD-1" in refused.content.decode()
    for who, name in ((org.lead, "review"), (org.panel[1], "assess"), (org.gm, "approve")):
        response = client(who).post(
            f"/awards/{case_id}/", {"action": name, f"decision_{org.agent.pk}": "approve"}
        )
        assert response.status_code == 302, response.content.decode()[:500]
    assert Award.objects.get().state == "published"
    notice = client(org.other_dept_agent, "zh-hans").get("/awards/").content.decode()
    assert 'data-testid="award-notice"' in notice and "agent" in notice
    assert "月度优秀员工" in notice and "随当月工资发放" in notice


def test_award2_a_second_ballot_on_the_page_is_refused_with_the_rule(org):
    case_id = open_award(org)["id"]
    act(org.admin, case_id, "open-vote")
    client(org.voters[0]).post(f"/awards/{case_id}/", {"action": "vote", "candidate": org.agent.pk})
    again = client(org.voters[0]).post(
        f"/awards/{case_id}/", {"action": "vote", "candidate": org.colleague.pk}
    )
    assert again.status_code == 400
    assert "AWARD-2" in again.content.decode()


def test_award1_the_case_page_speaks_chinese(org):
    case_id = open_award(org)["id"]
    html = client(org.lead, "zh-hans").get(f"/awards/{case_id}/").content.decode()
    assert "候选人" in html and "已转正员工，本月无违规" in html
    html = client(org.lead, "en").get(f"/awards/{case_id}/").content.decode()
    assert "Candidates" in html and "Regular employee with no violation" in html
