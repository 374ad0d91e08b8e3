"""`GET /api/v1/inbox/` a page at a time (?page=, ?page_size=): the pages, put end to end, are
the whole inbox in by_urgency's order; X-Total-Count and Link; bad values are a 400 naming the
parameter; nobody reaches another person's tasks through any page."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from viewflow.workflow.models import Task

from approvals.deadlines import Deadline
from tests.orgdata import build_org, employee, serve_verbal_warning
from tests.workflows.test_inbox_queries import open_applications
from workflows.inbox import inbox_for, open_tasks_for
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db


def api(user, language="zh-hans"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def all_pages(user, page_size):
    """Every page in turn, following the Link header's rel="next"."""
    client, url, pages = api(user), f"/api/v1/inbox/?page_size={page_size}", []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(response)
        links = {
            part.split(";")[1].strip(): part.split(";")[0].strip(" <>")
            for part in response.headers.get("Link", "").split(",")
            if part
        }
        url = links.get('rel="next"')
    return pages


def mixed_due_times(org, n=9):
    """`n` nominations for the lead with due times out of creation order, two the same, two
    with no open deadline (met), so the order depends on due, then assigned, then creation.
    The deadlines are rewritten in place, which no service does (a deadline is met, never
    moved): each task's row is given the same due time, as workflows.nodes gives it."""
    open_applications(org, n)
    base = timezone.now() + dt.timedelta(days=1)
    offsets = [5, 1, None, 3, 1, 7, None, 2, 4]
    deadlines = list(Deadline.objects.filter(name="nomination").order_by("case_id"))
    assert len(deadlines) == n
    for deadline, hours in zip(deadlines, offsets, strict=True):
        if hours is None:
            deadline.met_at = timezone.now()
        else:
            deadline.due_at = base + dt.timedelta(hours=hours)
        deadline.save()
        Task.objects.filter(
            flow_task=PromotionFlow.instance.node("nominate"),
            process__artifact_object_id=deadline.case_id,
        ).update(scheduled=None if hours is None else deadline.due_at)


@pytest.mark.parametrize("page_size", [1, 2, 4, 9, 50])
def test_pages_end_to_end_are_the_whole_inbox_most_urgent_first(page_size):
    org = build_org()
    mixed_due_times(org)
    pages = all_pages(org.lead.user, page_size)
    rows = [row for page in pages for row in page.json()]
    assert rows == inbox_for(org.lead.user)
    assert [r["due_at"] is None for r in rows][-2:] == [True, True]
    assert len(pages) == -(-9 // page_size)
    assert {page.headers["X-Total-Count"] for page in pages} == {"9"}


def test_total_count_and_link_headers():
    org = build_org()
    open_applications(org, 5)
    client = api(org.lead.user)
    first = client.get("/api/v1/inbox/", {"page_size": 2})
    assert first.headers["X-Total-Count"] == "5"
    assert first.headers["Link"] == (
        '<http://testserver/api/v1/inbox/?page_size=2&page=2>; rel="next"'
    )
    middle = client.get("/api/v1/inbox/", {"page_size": 2, "page": 2})
    assert middle.headers["Link"] == (
        '<http://testserver/api/v1/inbox/?page_size=2&page=1>; rel="prev", '
        '<http://testserver/api/v1/inbox/?page_size=2&page=3>; rel="next"'
    )
    last = client.get("/api/v1/inbox/", {"page_size": 2, "page": 3})
    assert len(last.json()) == 1
    assert last.headers["Link"].endswith('page=2>; rel="prev"')
    beyond = client.get("/api/v1/inbox/", {"page_size": 2, "page": 9})
    assert beyond.status_code == 200 and beyond.json() == []
    assert beyond.headers["X-Total-Count"] == "5"
    whole = client.get("/api/v1/inbox/")  # 50 by default: one page, no Link
    assert len(whole.json()) == 5 and "Link" not in whole.headers


def test_empty_inbox_is_an_empty_page():
    org = build_org()
    response = api(org.agent.user).get("/api/v1/inbox/")
    assert response.status_code == 200 and response.json() == []
    assert response.headers["X-Total-Count"] == "0" and "Link" not in response.headers


@pytest.mark.parametrize(
    "params,field",
    [
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page": "²"}, "page"),
        ({"page": "9" * 30}, "page"),
        ({"page": ""}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "201"}, "page_size"),
        ({"page_size": "x"}, "page_size"),
        ({"page_size": "\x00"}, "page_size"),
    ],
)
def test_bad_page_or_page_size_is_a_400_naming_it(params, field):
    org = build_org()
    response = api(org.lead.user, "en").get("/api/v1/inbox/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == f"invalid_{field}" and body["field"] == field
    assert body["rule"] is None
    label = {"page": "page number", "page_size": "page size"}[field]
    assert body["detail"].startswith(f"The {label} must be a whole number from 1 to ")


def test_bad_page_size_speaks_chinese():
    org = build_org()
    body = api(org.lead.user).get("/api/v1/inbox/", {"page_size": "500"}).json()
    assert body["field"] == "page_size"
    assert body["detail"] == "每页条数须为 1 到 200 之间的整数，而不是“500”。"
    body = api(org.lead.user).get("/api/v1/inbox/", {"page": "x"}).json()
    assert body["detail"].startswith("页码须为 1 到 ")


def serve(org, agent):
    issuer = org.lead if agent.department_id == org.cs.pk else org.gm
    return serve_verbal_warning(issuer.user, agent)


def test_an_employee_pages_through_their_own_tasks_only():
    org = build_org()
    open_applications(org, 3)  # the lead's
    mine = [serve(org, org.agent) for _ in range(3)]
    serve(org, org.colleague)
    serve(org, org.other_dept_agent)
    for page_size in (1, 2, 200):
        rows = [r for page in all_pages(org.agent.user, page_size) for r in page.json()]
        own = set(open_tasks_for(org.agent.user).values_list("pk", flat=True))
        assert {r["task_id"] for r in rows} == own and len(rows) == len(own)
        assert {(r["resource"], r["case_id"]) for r in rows} == {("penalties", p.pk) for p in mine}
    outsider = employee("nobody", department=org.cs)
    for page in ("1", "2", "100000"):
        response = api(outsider.user).get("/api/v1/inbox/", {"page": page, "page_size": 1})
        assert response.json() == [] and response.headers["X-Total-Count"] == "0"
