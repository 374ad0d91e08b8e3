"""Who reads the alerts (SCORE-11: administration and the department lead; the GM office
oversees): `GET /api/v1/alerts/`, `/alerts/` and `/departments/<id>/month/`. An agent gets an
empty list and 404 pages; another department's lead sees none of this one's; a bad month is a
400 naming it. The 12-month chart is on the case pages."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils import translation

from tests.factories import DepartmentFactory
from tests.orgdata import employee
from tests.performance.alert_helpers import close_with, month
from tests.performance.ledger_helpers import build_ledger

pytestmark = pytest.mark.django_db

OCT = month(2026, 10)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def org():
    ledger = build_ledger()
    ops = ledger.other_trainer.department
    ledger.ops_lead = employee("opslead", department=ops, level="senior", roles=["department_lead"])
    ops.lead = ledger.ops_lead
    ops.save()
    ledger.ops_agent = employee("opsagent", department=ops)
    employee("opsagent2", department=ops)
    ledger.gm = employee(
        "gm", department=DepartmentFactory(code="gm", name="总经办"), level=None,
        roles=["gm_office"],
    )  # fmt: skip
    close_with(ledger.admin, OCT, {ledger.agent: "40", ledger.ops_agent: "50"})
    return ledger


def _get(client, user, url):
    client.force_login(user)
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en")


def _api(client, user, query="?month=2026-10"):
    response = _get(client, user, f"/api/v1/alerts/{query}")
    return response


def test_score11_administration_and_the_gm_office_read_every_department(client, org):
    for who in (org.admin, org.gm):
        response = _api(client, who.user)
        assert response.status_code == 200
        rows = response.json()
        assert {(r["employee"], r["code"]) for r in rows} == {
            (org.agent.pk, "below"),
            (org.ops_agent.pk, "below"),
        }
    row = next(r for r in rows if r["employee"] == org.agent.pk)
    assert set(row) == {
        "id", "employee", "department", "month", "code", "label", "rules", "evidence",
        "raised_at", "withdrawn_at",
    }  # fmt: skip
    assert row["month"] == "2026-10" and row["department"] == org.agent.department_id
    (evidence,) = row["evidence"]
    assert Decimal(evidence.pop("score")) == 40
    assert evidence == {"month": "2026-10", "tier": 4, "last_in_department": True}
    assert "SCORE-7" in row["rules"] and row["label"] and row["withdrawn_at"] is None


def test_score11_a_lead_reads_their_department_only(client, org):
    rows = _api(client, org.lead.user).json()
    assert [r["employee"] for r in rows] == [org.agent.pk]
    other = _api(client, org.ops_lead.user, f"?month=2026-10&department={org.agent.department_id}")
    assert other.status_code == 200 and other.json() == []


def test_score11_an_agent_reads_no_alert_not_even_their_own(client, org):
    response = _api(client, org.agent.user)
    assert response.status_code == 200 and response.json() == []


def test_score11_the_department_filter(client, org):
    rows = _api(client, org.admin.user, f"?month=2026-10&department={org.ops_agent.department_id}")
    assert [r["employee"] for r in rows.json()] == [org.ops_agent.pk]


@pytest.mark.parametrize("query", ["?month=2026-13", "?month=october", "?month=1999-01"])
def test_score11_a_bad_month_is_a_400_naming_it(client, org, query):
    response = _api(client, org.admin.user, query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_month"


def test_score11_a_bad_department_is_a_400(client, org):
    response = _api(client, org.admin.user, "?month=2026-10&department=x")
    assert response.status_code == 400


def test_score11_the_list_pages(client, org):
    response = _api(client, org.admin.user, "?month=2026-10&page_size=1")
    assert len(response.json()) == 1 and 'rel="next"' in response["Link"]


def test_score11_anonymous_is_401(client, org):
    assert client.get("/api/v1/alerts/").status_code in (401, 403)


def test_score11_the_alerts_page_lists_evidence_for_the_lead(client, org):
    response = _get(client, org.lead.user, "/alerts/?month=2026-10")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="alerts"' in html and "agent" in html and "opsagent" not in html
    assert "2026-10" in html and "40" in html


def test_score11_the_alerts_page_is_404_for_an_agent(client, org):
    assert _get(client, org.agent.user, "/alerts/?month=2026-10").status_code == 404


def test_score11_the_alerts_page_is_404_for_another_departments_filter(client, org):
    url = f"/alerts/?month=2026-10&department={org.agent.department_id}"
    assert _get(client, org.ops_lead.user, url).status_code == 404


def test_score11_the_alerts_page_says_a_bad_month(client, org):
    response = _get(client, org.admin.user, "/alerts/?month=2026-99")
    assert response.status_code == 400
    assert 'data-testid="error"' in response.content.decode()


def test_score11_the_department_month_page_has_the_bars_and_the_alerts(client, org):
    url = f"/departments/{org.agent.department_id}/month/?month=2026-10"
    for who in (org.lead, org.admin, org.gm):
        response = _get(client, who.user, url)
        assert response.status_code == 200, who
    html = response.content.decode()
    start = html.index("<svg", html.index('data-testid="department-chart"'))
    svg = ET.fromstring(html[start : html.index("</svg>", start) + 6])
    bars = svg.findall("{http://www.w3.org/2000/svg}g")
    assert len(bars) == 4  # lead, trainer, agent, colleague
    assert [b.get("data-employee") for b in bars if b.get("data-last")] == [str(org.agent.pk)]
    assert 'data-testid="alerts"' in html


@pytest.mark.parametrize("who", ["agent", "ops_lead", "trainer"])
def test_score11_the_department_month_page_is_404_for_others(client, org, who):
    url = f"/departments/{org.agent.department_id}/month/?month=2026-10"
    assert _get(client, getattr(org, who).user, url).status_code == 404


def test_score11_an_unknown_department_is_404(client, org):
    assert _get(client, org.admin.user, "/departments/999999/month/").status_code == 404


def test_score11_the_nav_links_alerts_for_a_lead_not_an_agent(client, org):
    assert 'data-testid="nav-alerts"' in _get(client, org.lead.user, "/").content.decode()
    assert 'data-testid="nav-alerts"' not in _get(client, org.agent.user, "/").content.decode()


def test_score5_the_home_page_shows_the_employees_chart(client, org):
    html = _get(client, org.agent.user, "/").content.decode()
    start = html.index("<svg", html.index('data-testid="score-chart"'))
    svg = ET.fromstring(html[start : html.index("</svg>", start) + 6])
    points = svg.findall(".//{http://www.w3.org/2000/svg}circle")
    assert [p.get("data-month") for p in points] == ["2026-10"]


def test_score5_the_probation_case_page_shows_the_chart(client, org):
    from workflows.probation import probation_start

    probationer = employee("newbie", department=org.agent.department, level="probationer")
    close_with(org.admin, month(2026, 9), {probationer: "75"})
    probation = probation_start(employee=probationer)
    response = _get(client, org.lead.user, f"/probations/{probation.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index("<svg", html.index('data-testid="score-chart"'))
    svg = ET.fromstring(html[start : html.index("</svg>", start) + 6])
    points = svg.findall(".//{http://www.w3.org/2000/svg}circle")
    assert [p.get("data-month") for p in points] == ["2026-09"]
    # the probationer's colleague (not the lead) may not see the case, nor its chart
    assert _get(client, org.colleague.user, f"/probations/{probation.pk}/").status_code == 404


def test_score5_the_promotion_case_page_shows_the_chart_to_its_reviewers(client, org):
    from approvals.promotion import services
    from workflows.engine import start_flow
    from workflows.promotion import PromotionFlow

    promotion = services.promotion_submit(
        actor=org.colleague.user, target_level="intermediate", statement="s",
        skip_level_reason="not eligible yet, applying with a reason",
    )  # fmt: skip
    start_flow(flow_class=PromotionFlow, case=promotion)
    for who in (org.lead, org.colleague):
        html = _get(client, who.user, f"/promotions/{promotion.pk}/").content.decode()
        assert 'data-testid="score-chart"' in html, who
    # another department's lead may not see the case: 404, no chart
    assert _get(client, org.ops_lead.user, f"/promotions/{promotion.pk}/").status_code == 404
