"""The product's list pages: 待办, 待领取 with claim in place, 已办, 我发起的; urgency order,
countdowns, filters, search, pagination, header counts; constant queries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow.models import Task

from approvals.promotion import services
from tests.orgdata import build_org, employee
from workflows.engine import run_action, start_flow
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db


def client(emp, language="zh-hans"):
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(emp.user)
    return c


def apply(agent, skip=None):
    promotion = services.promotion_submit(
        actor=agent.user, target_level="intermediate", statement="s", skip_level_reason=skip
    )
    start_flow(flow_class=PromotionFlow, case=promotion)
    return promotion


def act(case, name, user, **payload):
    return run_action(
        flow_class=PromotionFlow,
        actions=PromotionFlow.actions,
        case=case,
        name=name,
        actor=user,
        **payload,
    )


@pytest.fixture
def org():
    return build_org()


def test_inbox_lists_the_leads_task_with_its_countdown_and_links_to_the_case(org):
    promotion = apply(org.agent, skip="例外")
    page = client(org.lead).get("/inbox/").content.decode()
    assert f'href="/promotions/{promotion.pk}/"' in page
    assert "部门推举" in page  # the step, in Chinese
    assert "还剩 " in page  # PROMO-5: 3 working days to decide
    assert "/workflow/" not in page


def test_countdown_says_overdue_once_the_due_time_has_passed(org):
    apply(org.agent, skip="例外")
    with time_machine.travel(timezone.now() + dt.timedelta(days=10)):
        page = client(org.lead).get("/inbox/").content.decode()
        en = client(org.lead, "en").get("/inbox/").content.decode()
    assert "已逾期" in page
    assert "overdue" in en


def test_inbox_is_ordered_most_urgent_first(org):
    first = apply(org.agent, skip="例外")
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        second = apply(org.colleague, skip="例外")
    page = client(org.lead).get("/inbox/").content.decode()
    assert page.index(f"/promotions/{first.pk}/") < page.index(f"/promotions/{second.pk}/")


def test_queue_shows_the_gm_review_and_claiming_moves_it_to_the_inbox(org):
    promotion = apply(org.agent, skip="例外")
    act(promotion, "nominate", org.lead.user, comment="ok")
    gm = client(org.gm)
    queue = gm.get("/queue/").content.decode()
    task = Task.objects.get(
        process__artifact_object_id=promotion.pk, flow_task=PromotionFlow.gm_review
    )
    assert f"/queue/{task.pk}/claim/" in queue
    assert f'href="/promotions/{promotion.pk}/"' not in gm.get("/inbox/").content.decode()
    response = gm.post(f"/queue/{task.pk}/claim/", {"next": "/queue/"})
    assert response.status_code == 302 and response["Location"] == "/queue/"
    task.refresh_from_db()
    assert task.owner_id == org.gm.user_id
    assert f'href="/promotions/{promotion.pk}/"' in gm.get("/inbox/").content.decode()
    assert f"/queue/{task.pk}/claim/" not in gm.get("/queue/").content.decode()


def test_claiming_a_task_someone_else_claimed_says_so_and_changes_nothing(org):
    other_gm = employee("gm2", department=org.gm.department, level=None, roles=["gm_office"])
    promotion = apply(org.agent, skip="例外")
    act(promotion, "nominate", org.lead.user, comment="ok")
    task = Task.objects.get(
        process__artifact_object_id=promotion.pk, flow_task=PromotionFlow.gm_review
    )
    client(org.gm).post(f"/queue/{task.pk}/claim/")
    response = client(other_gm, "en").post(f"/queue/{task.pk}/claim/", follow=True)
    task.refresh_from_db()
    assert task.owner_id == org.gm.user_id
    assert response.status_code == 200
    assert "messages" in response.content.decode() or "error" in response.content.decode()


def test_a_plain_employee_cannot_claim_a_gm_task(org):
    promotion = apply(org.agent, skip="例外")
    act(promotion, "nominate", org.lead.user, comment="ok")
    task = Task.objects.get(
        process__artifact_object_id=promotion.pk, flow_task=PromotionFlow.gm_review
    )
    client(org.colleague).post(f"/queue/{task.pk}/claim/")
    task.refresh_from_db()
    assert task.owner_id is None


def test_done_lists_what_i_decided_and_the_finished_task_link_shows_the_case(org):
    promotion = apply(org.agent, skip="例外")
    task = Task.objects.get(
        process__artifact_object_id=promotion.pk, flow_task=PromotionFlow.nominate
    )
    act(promotion, "nominate", org.lead.user, comment="ok")
    lead = client(org.lead)
    assert f'href="/promotions/{promotion.pk}/"' in lead.get("/done/").content.decode()
    response = lead.get(f"/tasks/{task.pk}/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/promotions/{promotion.pk}/"


def test_a_retired_console_link_lands_on_the_case_page(org):
    promotion = apply(org.agent, skip="例外")
    task = Task.objects.get(
        process__artifact_object_id=promotion.pk, flow_task=PromotionFlow.nominate
    )
    old = f"/workflow/flows/promotion/{task.process_id}/nominate/{task.pk}/"
    response = client(org.lead).get(old)
    assert response.status_code == 302 and response["Location"] == f"/promotions/{promotion.pk}/"
    assert client(org.other_dept_agent).get(f"/promotions/{promotion.pk}/").status_code == 404


def test_my_requests_lists_every_kind_with_its_state_and_holder(org):
    promotion = apply(org.agent, skip="例外")
    page = client(org.agent).get("/mine/").content.decode()
    assert f'href="/promotions/{promotion.pk}/"' in page
    assert "待部门推举" in page  # the state
    assert org.lead.name in page  # who holds it now
    assert (
        f'href="/promotions/{promotion.pk}/"'
        not in client(org.colleague).get("/mine/").content.decode()
    )


def test_filters_by_kind_overdue_and_name(org):
    apply(org.agent, skip="例外")
    apply(org.colleague, skip="例外")
    lead = client(org.lead)
    assert lead.get("/inbox/?q=colleague").content.decode().count('data-resource="promotions"') == 1
    assert lead.get("/inbox/?kind=leaves").content.decode().count('data-resource="promotions"') == 0
    assert lead.get("/inbox/?overdue=1").content.decode().count('data-resource="promotions"') == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=10)):
        overdue = client(org.lead).get("/inbox/?overdue=1").content.decode()
    assert overdue.count('data-resource="promotions"') == 2


def test_the_header_counts_my_tasks(org):
    apply(org.agent, skip="例外")
    apply(org.colleague, skip="例外")
    page = client(org.lead).get("/").content.decode()
    assert 'data-testid="nav-inbox">待办<span class="count">2</span>' in page


def test_inbox_pages_by_25(org):
    for i in range(27):
        apply(employee(f"x{i}", department=org.cs), skip="例外")
    lead = client(org.lead)
    first = lead.get("/inbox/").content.decode()
    second = lead.get("/inbox/?page=2").content.decode()
    assert first.count('data-resource="promotions"') == 25
    assert second.count('data-resource="promotions"') == 2
    assert lead.get("/inbox/?page=abc").status_code == 200


def page_queries(user, url="/inbox/") -> int:
    c = Client()
    c.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_inbox_page_costs_the_same_queries_for_2_and_200_tasks(org):
    for i in range(2):
        apply(employee(f"y{i}", department=org.cs), skip="例外")
    small = page_queries(org.lead.user)
    for i in range(2, 200):
        apply(employee(f"y{i}", department=org.cs), skip="例外")
    big = page_queries(org.lead.user)
    assert big == small
    print(f"inbox page queries: {small} for 2 tasks, {big} for 200 tasks")
