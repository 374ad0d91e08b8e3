"""The /findings/ page (ATT-2, ATT-3, PEN-2): the lead's department, administration's every
department, 404 for anyone else; confirm and dismiss per row (a dismissal without a reason is
refused with the rule), bulk with checkboxes, the check run by administration, and a draft
served through its small form."""

import re

import pytest
import time_machine

from approvals.attendance.findings import findings_check
from approvals.attendance.models import Finding
from approvals.penalty.models import Penalty, PenaltyDraft
from performance.models import ScoreEvent
from tests.attendance.findings_helpers import DAY, NOW, punch, shift

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def findings(org, now):
    shift(org.agent)
    punch(org.agent, "09:12", "18:00")
    shift(org.colleague)
    shift(org.other_dept_agent)
    findings_check(start=DAY, end=DAY)
    return {f.employee_id: f for f in Finding.objects.all()}


def page(client, who, query="?month=2026-03"):
    client.force_login(who.user)
    return client.get(f"/findings/{query}", HTTP_ACCEPT_LANGUAGE="en")


def rows(html):
    return re.findall(r'data-testid="finding-row" data-finding="(\d+)"', html)


def test_att3_the_lead_sees_their_departments_findings_with_the_testids(client, org, findings):
    response = page(client, org.lead)
    html = response.content.decode()
    assert response.status_code == 200
    assert sorted(rows(html)) == sorted(str(findings[e.pk].pk) for e in (org.agent, org.colleague))
    for testid in ("finding-confirm", "finding-dismiss", "finding-reason", "findings-bulk-confirm"):
        assert f'data-testid="{testid}"' in html
    assert "09:12" in html and "ATT-2" in html and "LEAVE-3" in html
    assert 'data-testid="nav-findings"' in html
    assert "<script>" not in html


def test_att3_administration_sees_every_department_and_others_get_404(client, org, findings):
    assert len(rows(page(client, org.admin).content.decode())) == 3
    assert page(client, org.agent).status_code == 404


def test_att3_confirm_and_dismiss_per_row(client, org, findings):
    page(client, org.lead)
    late = findings[org.agent.pk]
    client.post("/findings/?month=2026-03", {"finding": late.pk, "decision": "confirm"})
    late.refresh_from_db()
    assert late.state == "confirmed" and ScoreEvent.objects.count() == 1
    absent = findings[org.colleague.pk]
    response = client.post(
        "/findings/?month=2026-03",
        {"finding": absent.pk, "decision": "dismiss", "reason": ""},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "A dismissal needs a reason. (ATT-3)" in response.content.decode()
    absent.refresh_from_db()
    assert absent.state == "proposed"
    client.post(
        "/findings/?month=2026-03",
        {"finding": absent.pk, "decision": "dismiss", "reason": "补了病假条"},
    )
    absent.refresh_from_db()
    assert absent.state == "dismissed"


def test_att3_another_departments_finding_cannot_be_posted(client, org, findings):
    page(client, org.lead)
    other = findings[org.other_dept_agent.pk]
    response = client.post("/findings/", {"finding": other.pk, "decision": "confirm"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.state == "proposed"


def test_att3_bulk_confirm_with_checkboxes_lists_each_outcome(client, org, findings):
    page(client, org.lead)
    ids = [findings[org.agent.pk].pk, findings[org.colleague.pk].pk]
    response = client.post("/findings/?month=2026-03", {"ids": ids, "bulk": "confirm"}, follow=True)
    assert 'data-testid="findings-bulk-results"' in response.content.decode()
    assert set(Finding.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"confirmed"}
    # the confirmed absence's draft is listed with its serve link
    assert 'data-testid="draft-serve"' in response.content.decode()


def test_pen2_serving_a_draft_from_its_form(client, org, findings):
    page(client, org.lead)
    client.post(
        "/findings/?month=2026-03",
        {"finding": findings[org.colleague.pk].pk, "decision": "confirm"},
    )
    draft = PenaltyDraft.objects.get()
    form = client.get(f"/findings/drafts/{draft.pk}/serve/")
    assert form.status_code == 200 and draft.facts in form.content.decode()
    response = client.post(
        f"/findings/drafts/{draft.pk}/serve/",
        {"serve": "1", "sanction": "written_warning", "facts": draft.facts, "evidence": "打卡"},
    )
    penalty = Penalty.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/penalties/{penalty.pk}/"
    assert penalty.sanction == "written_warning" and penalty.evidence == "打卡"
    client.force_login(org.agent.user)
    assert client.get(f"/findings/drafts/{draft.pk}/serve/").status_code == 404


def test_att2_administration_runs_the_check_of_the_month(client, org, now):
    shift(org.agent)
    client.force_login(org.admin.user)
    response = client.post("/findings/?month=2026-03", {"check": "1"}, follow=True)
    assert Finding.objects.count() == 1
    assert "1 new findings" in response.content.decode() or Finding.objects.exists()
    client.force_login(org.lead.user)
    assert client.post("/findings/?month=2026-03", {"check": "1"}).status_code == 404
