"""In-app notices (the bell): every recipient of a notice gets one, mail or not, once per key;
the pages and the API show the caller's own, newest first, and mark them read."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from rest_framework.test import APIClient

from approvals.promotion import services
from notifications.context_processors import notices as notices_context
from notifications.models import Notice, OutboxMessage
from notifications.services import notify
from tests.events import dispatched
from tests.factories import EmployeeFactory, UserFactory
from tests.orgdata import employee
from workflows.engine import run_action, start_flow
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db


def _submit_and_start(org):
    promotion = services.promotion_submit(
        actor=org.agent.user, target_level="intermediate", statement="s"
    )
    start_flow(flow_class=PromotionFlow, case=promotion)
    return promotion


def tell(users, key=None, url="/promotions/1/", template="case_decided"):
    return notify(
        users=users,
        template=template,
        context={"case": "晋升 #1", "state": "approved", "url": url},
        dedupe_key=key,
    )


def make_notices(user, n):
    for i in range(n):
        Notice.objects.create(recipient=user, title=f"notice {i}", url=f"/x/{i}/", template="t")


# --- Created by notify() ------------------------------------------------------------------------


def test_a_task_assigned_leaves_a_notice_for_the_assignee(org):
    with dispatched():
        _submit_and_start(org)
    notice = Notice.objects.get()
    assert notice.recipient == org.lead.user
    assert notice.template == "task_assigned"
    # The subject in the recipient's language (zh-hans by default), the link site-relative.
    assert notice.title == OutboxMessage.objects.get(recipient=org.lead.user).subject
    assert notice.url.startswith("/") and not notice.url.startswith("//")


def test_a_queued_task_leaves_a_notice_for_each_member_of_the_role(org):
    second_gm = employee("gm2", department=org.gm.department, level=None, roles=["gm_office"])
    with dispatched():
        promotion = _submit_and_start(org)
    with dispatched():
        run_action(
            flow_class=PromotionFlow,
            actions=PromotionFlow.actions,
            case=promotion,
            name="nominate",
            actor=org.lead.user,
        )
    told = set(Notice.objects.filter(template="task_assigned").values_list("recipient", flat=True))
    assert {org.gm.user.pk, second_gm.user.pk} <= told


def test_the_notice_title_is_in_the_recipients_language():
    zh = EmployeeFactory(user=UserFactory(username="zh")).user
    en = EmployeeFactory(user=UserFactory(username="en"), language="en").user
    tell([zh, en])
    titles = dict(Notice.objects.values_list("recipient__username", "title"))
    assert "Case decided" in titles["en"]
    assert titles["zh"] != titles["en"]


def test_a_recipient_without_email_still_gets_a_notice_but_no_mail():
    user = EmployeeFactory(user=UserFactory(username="nomail", email="")).user
    assert tell([user], key="promotion:1:approve") == []
    assert not OutboxMessage.objects.exists()
    notice = Notice.objects.get()
    assert (notice.recipient, notice.url) == (user, "/promotions/1/")
    assert notice.title


def test_dedupe_key_leaves_one_notice_per_recipient_and_key():
    with_mail = EmployeeFactory(user=UserFactory(username="a")).user
    without = EmployeeFactory(user=UserFactory(username="b", email="")).user
    for _ in range(3):
        tell([with_mail, without], key="promotion:1:approve")
    assert Notice.objects.filter(recipient=with_mail).count() == 1
    assert Notice.objects.filter(recipient=without).count() == 1
    assert OutboxMessage.objects.count() == 1
    tell([with_mail, without], key="promotion:1:reject")  # another key: another notice
    assert Notice.objects.count() == 4


def test_without_a_dedupe_key_every_call_leaves_a_notice():
    user = EmployeeFactory().user
    tell([user])
    tell([user])
    assert Notice.objects.count() == 2


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "javascript:x", ""])
def test_a_notice_keeps_only_a_site_relative_link(url):
    user = EmployeeFactory().user
    tell([user], url=url)
    assert Notice.objects.get().url == ""


# --- The count for the bell ---------------------------------------------------------------------


def test_the_unread_count_costs_one_query_however_often_it_is_read(django_assert_num_queries):
    user = EmployeeFactory().user
    make_notices(user, 3)
    Notice.objects.filter(title="notice 0").update(read_at="2026-01-01T00:00:00Z")
    request = RequestFactory().get("/")
    request.user = user
    with django_assert_num_queries(0):
        count = notices_context(request)["unread_notice_count"]  # nothing until it is used
    with django_assert_num_queries(1):
        assert count == 2
        assert int(count) == 2 and str(count) == "2" and count >= 1 and bool(count)


def test_the_unread_count_costs_nothing_for_an_anonymous_visitor(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert notices_context(request)["unread_notice_count"] == 0


# --- The pages ----------------------------------------------------------------------------------


def test_the_list_shows_the_callers_notices_newest_first_30_a_page(client):
    user = EmployeeFactory().user
    make_notices(user, 31)
    make_notices(EmployeeFactory().user, 1)  # someone else's: not listed
    client.force_login(user)
    first = client.get("/notices/")
    assert first.status_code == 200
    page = first.context["page"]
    assert [n.title for n in page.object_list][:2] == ["notice 30", "notice 29"]
    assert len(page.object_list) == 30
    second = client.get("/notices/?page=2")
    assert [n.title for n in second.context["page"].object_list] == ["notice 0"]


def test_the_list_marks_the_unread_notices(client):
    user = EmployeeFactory().user
    make_notices(user, 2)
    read = Notice.objects.get(title="notice 0")
    read.read_at = "2026-01-01T00:00:00Z"
    read.save()
    client.force_login(user)
    html = client.get("/notices/").content.decode()
    assert html.count('class="unread"') == 1
    assert f'data-notice="{read.pk}" class="unread"' not in html


def test_opening_a_notice_marks_it_read_and_follows_its_link(client):
    user = EmployeeFactory().user
    make_notices(user, 1)
    notice = Notice.objects.get()
    client.force_login(user)
    response = client.get(f"/notices/{notice.pk}/")
    assert (response.status_code, response["Location"]) == (302, "/x/0/")
    notice.refresh_from_db()
    first_read = notice.read_at
    assert first_read is not None
    client.get(f"/notices/{notice.pk}/")
    notice.refresh_from_db()
    assert notice.read_at == first_read  # the first reading is kept


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_opening_a_notice_never_leaves_the_site(client, url):
    user = EmployeeFactory().user
    notice = Notice.objects.create(recipient=user, title="t", url=url, template="t")
    client.force_login(user)
    response = client.get(f"/notices/{notice.pk}/")
    assert (response.status_code, response["Location"]) == (302, "/notices/")


def test_someone_elses_notice_is_a_404(client):
    owner, other = EmployeeFactory().user, EmployeeFactory().user
    make_notices(owner, 1)
    notice = Notice.objects.get()
    client.force_login(other)
    assert client.get(f"/notices/{notice.pk}/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_read_all_marks_only_the_callers_notices(client):
    user, other = EmployeeFactory().user, EmployeeFactory().user
    make_notices(user, 3)
    make_notices(other, 1)
    client.force_login(user)
    assert client.get("/notices/read-all/").status_code == 405
    response = client.post("/notices/read-all/")
    assert (response.status_code, response["Location"]) == (302, "/notices/")
    assert not Notice.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=other, read_at__isnull=True).count() == 1


def test_the_pages_need_a_login(client):
    assert client.get("/notices/").status_code == 302
    assert client.post("/notices/read-all/").status_code == 302


def test_the_list_renders_in_english_and_chinese(client):
    user = EmployeeFactory().user
    make_notices(user, 1)
    client.force_login(user)
    zh = client.get("/notices/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 200 and '<html lang="zh-hans">' in zh.content.decode()
    client.cookies["django_language"] = "en"
    assert "Unread" in client.get("/notices/").content.decode()


# --- The API ------------------------------------------------------------------------------------


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_lists_the_callers_notices_paginated():
    user = EmployeeFactory().user
    make_notices(user, 5)
    make_notices(EmployeeFactory().user, 2)
    response = api(user).get("/api/v1/notices/", {"page_size": 2, "page": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert [n["title"] for n in body["results"]] == ["notice 2", "notice 1"]
    assert body["results"][0]["read"] is False and body["results"][0]["read_at"] is None


def test_api_marks_a_notice_read():
    user = EmployeeFactory().user
    make_notices(user, 1)
    notice = Notice.objects.get()
    response = api(user).post(f"/api/v1/notices/{notice.pk}/read/")
    assert response.status_code == 200
    assert response.json()["read"] is True
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_api_someone_elses_notice_is_a_404():
    make_notices(EmployeeFactory().user, 1)
    notice = Notice.objects.get()
    assert api(EmployeeFactory().user).post(f"/api/v1/notices/{notice.pk}/read/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_api_needs_authentication():
    assert APIClient().get("/api/v1/notices/").status_code == 401
