"""Counts that stop at their cap (benchmarks/inbox.py: the counts were the part of a page that
grew with the box): the header's badges show "99+", a page's total "more than 1,000", and the
page still lists the most urgent first; an API list reads its page's rows by id alone."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from approvals.promotion import services
from notifications.context_processors import capped_count
from notifications.models import Notice
from tests.orgdata import build_org, employee
from workflows import inbox_views
from workflows.engine import start_flow
from workflows.promotion import PromotionFlow
from workflows.templatetags.hr import badge

pytestmark = pytest.mark.django_db


def apply(agent):
    promotion = services.promotion_submit(
        actor=agent.user, target_level="intermediate", statement="s", skip_level_reason="例外"
    )
    start_flow(flow_class=PromotionFlow, case=promotion)
    return promotion


def client(emp, language="zh-hans"):
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(emp.user)
    return c


@pytest.fixture
def org():
    return build_org()


def test_badge_shows_the_count_up_to_its_cap_then_a_plus():
    assert badge(0) == "0"
    assert badge(99) == "99"
    assert badge(100) == "99+"
    assert badge(5, 3) == "3+"


def test_capped_count_stops_at_cap_plus_one(org):
    for i in range(5):
        Notice.objects.create(recipient=org.lead.user, title=f"n{i}", url="/")
    mine = Notice.objects.filter(recipient=org.lead.user)
    assert capped_count(mine, 2) == 3
    assert capped_count(mine, 10) == 5


def test_the_bell_and_the_notices_page_say_more_than_99(org):
    Notice.objects.bulk_create(
        Notice(recipient=org.lead.user, title=f"n{i}", url="/") for i in range(101)
    )
    lead = client(org.lead)
    home = lead.get("/").content.decode()
    assert 'data-testid="unread-count">99+</span>' in home
    assert "未读通知超过 99 条" in lead.get("/notices/").content.decode()
    assert "More than 99 unread notices" in client(org.lead, "en").get("/notices/").content.decode()


def test_a_page_past_the_cap_says_more_than_and_still_lists_the_most_urgent(org, monkeypatch):
    monkeypatch.setattr(inbox_views, "TOTAL_CAP", 2)
    first = apply(org.agent)
    apply(org.colleague)
    apply(employee("x1", department=org.cs))
    page = client(org.lead).get("/inbox/").content.decode()
    assert "超过 2 项：只列出前 2 项，请用筛选缩小范围。" in page
    assert page.index(f'href="/promotions/{first.pk}/"') < page.index('data-testid="total"') + 10**6
    en = client(org.lead, "en").get("/inbox/").content.decode()
    assert "More than 2 items: the first 2 are listed; filter to narrow." in en
    # Under the cap, the exact number.
    monkeypatch.setattr(inbox_views, "TOTAL_CAP", 1000)
    assert "3 项" in client(org.lead).get("/inbox/").content.decode()


def test_the_todo_page_orders_by_the_own_task_index_not_one_join(org):
    """待办 reads the page's keys from the caller's own tasks alone, then the tasks by id."""
    apply(org.agent)
    with CaptureQueriesContext(connection) as queries:
        assert client(org.lead).get("/inbox/").status_code == 200
    keys = [q["sql"] for q in queries if "COALESCE" in q["sql"] and "LIMIT" in q["sql"]]
    assert keys, "the page reads its tasks' keys in urgency order, a page at a time"
    assert all('JOIN "viewflow_process"' not in sql for sql in keys)
    assert all('"viewflow_task"."owner_id" = ' in sql for sql in keys)


def test_an_api_list_reads_its_rows_by_id_without_asking_visibility_again(org):
    apply(org.agent)
    apply(org.colleague)
    token_client = Client()
    token_client.force_login(org.lead.user)
    with CaptureQueriesContext(connection) as queries:
        response = token_client.get("/api/v1/promotions/")
    assert response.status_code == 200 and len(response.json()) == 2
    rows = [
        q["sql"]
        for q in queries
        if q["sql"].startswith(
            'SELECT "approvals_promotion"."id", "approvals_promotion"."employee_id"'
        )
    ]
    assert rows, "the page's rows are read"
    assert all("UNION" not in sql for sql in rows)


def test_the_inbox_counts_tasks_with_what_its_indexes_hold(org):
    """X-Total-Count reads the owner and queue indexes alone: no task type or node condition
    (only human tasks have an owner or a queue); a kind filter still counts by node."""
    apply(org.agent)
    c = Client()
    c.force_login(org.gm.user)
    with CaptureQueriesContext(connection) as queries:
        response = c.get("/api/v1/inbox/")
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"] and "viewflow_task" in q["sql"]]
    assert counts and response["X-Total-Count"] == str(len(response.json()))
    assert all("flow_task_type" not in sql and '"flow_task" IN' not in sql for sql in counts)
    lead = Client()
    lead.force_login(org.lead.user)
    assert lead.get("/api/v1/inbox/")["X-Total-Count"] == "1"
    assert lead.get("/api/v1/inbox/?kind=promotions")["X-Total-Count"] == "1"
    assert lead.get("/api/v1/inbox/?kind=leaves")["X-Total-Count"] == "0"


def test_a_leads_employees_list_reads_its_ids_as_a_union_of_arms(org):
    """The department's people and the lead's own row, each on its index (no OR that walks the
    whole primary key to fill a page a small department never fills)."""
    c = Client()
    c.force_login(org.lead.user)
    with CaptureQueriesContext(connection) as queries:
        response = c.get("/api/v1/employees/")
    names = {row["username"] for row in response.json()}
    assert org.lead.user.username in names and org.agent.user.username in names
    assert org.other_dept_agent.user.username not in names
    ids = [q["sql"] for q in queries if "LIMIT 201" in q["sql"] and "org_employee" in q["sql"]]
    assert ids and all("UNION" in sql for sql in ids)
