"""ATT-3 in the inbox: the findings waiting for a lead are rows of their API inbox (resource
`findings`, decided at POST findings/<case_id>/confirm|dismiss/), merged by due time with their
tasks and paginated with them, and a block of their 待办 page per department. Who sees which
row is who decides it (check_decider), tested against it for every person."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from approvals.attendance.findings import findings_check
from approvals.attendance.findings_decide import check_decider
from approvals.attendance.models import Finding
from approvals.attendance.selectors import findings_to_decide
from approvals.promotion import services
from approvals.selectors import allowed
from tests.attendance.findings_helpers import DAY, NOW, punch, shift
from tests.attendance.helpers import lead_on_leave
from tests.orgdata import employee
from tests.penalty.helpers import client_for
from workflows.engine import start_flow
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def late(emp, start="09:00", punches=("09:12", "18:00")):
    shift(emp, start=start)
    punch(emp, *punches)
    findings_check(start=DAY, end=DAY)
    return Finding.objects.filter(employee=emp).get()


def inbox(emp, query="", language=None, expect=200):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client_for(emp).get(f"/api/v1/inbox/{query}", **headers)
    assert response.status_code == expect, response.content
    return response


def finding_rows(emp, query=""):
    return [r for r in inbox(emp, query).json() if r["resource"] == "findings"]


def apply(agent):
    promotion = services.promotion_submit(
        actor=agent.user, target_level="intermediate", statement="s", skip_level_reason="例外"
    )
    start_flow(flow_class=PromotionFlow, case=promotion)
    return promotion


def test_att3_the_leads_inbox_has_the_finding_and_deciding_it_removes_it(org, now):
    finding = late(org.agent)
    [row] = finding_rows(org.lead)
    assert row["task_id"] is None and row["case_id"] == finding.pk
    assert row["action"] == "confirm" and row["actions"] == ["confirm", "dismiss"]
    assert row["due_at"] == finding.due_at.isoformat() and row["overdue"] is False
    assert "#finding-" in row["url"] and f"department={org.cs.pk}" in row["url"]
    zh = [r for r in inbox(org.lead, language="zh-hans").json() if r["resource"] == "findings"]
    assert zh[0]["title"].startswith("迟到 12 分钟：") and "的班次" in zh[0]["title"]
    en = [r for r in inbox(org.lead, language="en").json() if r["resource"] == "findings"]
    assert en[0]["title"].startswith("Late arrival, 12 min: ")
    # The row's resource, case and action are the API call that decides it.
    response = client_for(org.lead).post(
        f"/api/v1/{row['resource']}/{row['case_id']}/{row['action']}/", {}, format="json"
    )
    assert response.status_code == 200, response.content
    assert finding_rows(org.lead) == []


def test_att3_the_row_is_overdue_after_its_due_time(org, now):
    finding = late(org.agent)
    with time_machine.travel(finding.due_at + dt.timedelta(minutes=1), tick=False):
        [row] = finding_rows(org.lead)
        assert row["overdue"] is True
        assert len(finding_rows(org.lead, "?overdue=1")) == 1


def test_att3_findings_and_tasks_are_merged_most_urgent_first_and_paged_together(org, now):
    apply(org.colleague)
    late(org.agent)
    response = inbox(org.lead)
    rows = response.json()
    assert {r["resource"] for r in rows} == {"findings", "promotions"}
    dues = [r["due_at"] for r in rows]
    assert dues == sorted(dues)
    assert response["X-Total-Count"] == "2"
    first = inbox(org.lead, "?page_size=1")
    second = inbox(org.lead, "?page_size=1&page=2")
    assert first["X-Total-Count"] == second["X-Total-Count"] == "2"
    assert [first.json()[0]["resource"], second.json()[0]["resource"]] == [
        r["resource"] for r in rows
    ]
    assert inbox(org.lead, "?page_size=1&page=3").json() == []


def test_att3_the_kind_filter_takes_findings(org, now):
    apply(org.colleague)
    late(org.agent)
    assert {r["resource"] for r in inbox(org.lead, "?kind=findings").json()} == {"findings"}
    assert {r["resource"] for r in inbox(org.lead, "?kind=promotions").json()} == {"promotions"}
    bad = inbox(org.lead, "?kind=nothing", expect=400).json()
    assert "findings" in str(bad)
    assert finding_rows(org.lead, f"?department={org.cs.pk}") != []
    assert finding_rows(org.lead, f"?department={org.cs.pk + 999}") == []
    assert finding_rows(org.lead, "?q=agent") != [] and finding_rows(org.lead, "?q=zzz") == []


def test_att3_nobody_else_has_the_row(org, now):
    late(org.agent)
    other_lead = employee("otherlead", department=org.other_dept_agent.department)
    org.other_dept_agent.department.lead = other_lead
    org.other_dept_agent.department.save()
    for emp in (org.agent, org.colleague, org.admin, org.gm, other_lead):
        assert finding_rows(emp) == [], emp


def test_att3_a_leads_own_finding_is_the_gm_offices_row(org, now):
    own = late(org.lead)
    assert finding_rows(org.lead) == []
    assert [r["case_id"] for r in finding_rows(org.gm)] == [own.pk]


def test_leave6_the_delegate_has_the_leads_rows_while_the_leave_runs(org, now):
    finding = late(org.agent)
    deputy = employee("deputy", department=org.cs, level="senior", name="代理人")
    lead_on_leave(org, deputy, NOW - dt.timedelta(hours=1), NOW + dt.timedelta(days=2))
    [row] = finding_rows(deputy)
    assert row["case_id"] == finding.pk and row["acting_for"] == org.lead.name
    # The row's link opens the findings page, where the delegate decides (LEAVE-6).
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page.force_login(deputy.user)
    response = page.get(row["url"].split("#")[0])
    assert response.status_code == 200 and f'id="finding-{finding.pk}"' in response.content.decode()
    listed = client_for(deputy).get("/api/v1/findings/?month=2026-03")
    assert [f["id"] for f in listed.json()] == [finding.pk]
    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        assert finding_rows(deputy) == []
        assert page.get(row["url"].split("#")[0]).status_code == 404
        assert client_for(deputy).get("/api/v1/findings/?month=2026-03").json() == []


def test_att3_who_has_the_row_is_who_may_decide_it(org, now):
    """findings_to_decide (one query) against check_decider (the service's rule), for every
    person and every finding: a lead's, an agent's, a department without a lead's."""
    findings = [late(org.agent), late(org.lead), late(org.other_dept_agent)]
    people = [
        org.lead,
        org.gm,
        org.admin,
        org.agent,
        org.colleague,
        org.other_dept_agent,
        *org.panel,
    ]
    for person in people:
        mine = set(findings_to_decide(person.user).values_list("pk", flat=True))
        for finding in findings:
            decides = allowed(check_decider, person.user, finding)
            assert (finding.pk in mine) == decides, (person, finding)


def test_att3_the_todo_page_shows_the_departments_findings_to_decide(org, now):
    late(org.agent)
    late(org.colleague)
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(org.lead.user)
    page = c.get("/inbox/").content.decode()
    assert 'data-testid="findings-waiting"' in page and "待确认的考勤异常" in page
    assert "2 条" in page and f"/findings/?department={org.cs.pk}&amp;month=2026-03" in page
    findings_page = c.get(f"/findings/?department={org.cs.pk}&month=2026-03").content.decode()
    assert f'id="finding-{Finding.objects.first().pk}"' in findings_page
    agent = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    agent.force_login(org.agent.user)
    assert 'data-testid="findings-waiting"' not in agent.get("/inbox/").content.decode()


def test_att3_the_inbox_reads_findings_in_a_constant_number_of_statements(org, now):
    late(org.agent)

    def statements():
        with CaptureQueriesContext(connection) as queries:
            inbox(org.lead)
        return len(queries)

    statements()  # the caches a first request fills
    one = statements()
    for i in range(4):
        late(employee(f"x{i}", department=org.cs))
    assert statements() == one


@pytest.mark.parametrize(
    "stored, zh, en",
    [
        (
            "LEAVE-3: leave #7 approved",
            "已消除：请假申请 #7 已批准（LEAVE-3）。",
            "leave request #7",
        ),
        (
            "PUNCH-1: make-up #9 approved",
            "已消除：补卡申请 #9 已批准（PUNCH-1）。",
            "make-up request #9",
        ),
        ("ATT-2: cause no longer present", "已消除：原因已不存在（ATT-2）。", "no longer present"),
    ],
)
def test_att2_a_cleared_findings_reason_is_shown_in_the_readers_language(org, now, stored, zh, en):
    finding = late(org.agent)
    Finding.objects.filter(pk=finding.pk).update(state="cleared", reason=stored)
    for language, text in (("zh-hans", zh), ("en", en)):
        c = Client(HTTP_ACCEPT_LANGUAGE=language)
        c.force_login(org.lead.user)
        page = c.get(f"/findings/?department={org.cs.pk}&month=2026-03").content.decode()
        assert text in page and stored not in page


def test_att3_the_header_counts_findings_with_the_tasks_of_todo(org, now):
    apply(org.colleague)
    late(org.agent)
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(org.lead.user)
    page = c.get("/").content.decode()
    assert 'data-testid="nav-inbox">待办<span class="count">2</span>' in page
    agent = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    agent.force_login(org.agent.user)
    with CaptureQueriesContext(connection) as queries:
        agent.get("/")
    assert not any(Finding._meta.db_table in q["sql"] for q in queries)
