"""The promotion process through the real pages in Debian's Chromium (Playwright): the agent
applies from 我的主页, the lead nominates from 待办, the GM office claims it in 待领取 ("领取")
and approves it from 待办, administration does the same and schedules the defence, the panel
scores it from their 待办, administration claims the confirmation and confirms (PROMO-3); the
agent finds it under 我发起的 with the new state.

"领取并打开" (claim and land on the case page) has its own test, at the end."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone, translation

from approvals.promotion.models import Promotion
from approvals.promotion.services import promotion_submit
from tests.browser.pages import claim, click, login, open_case_from_list, submit_action
from tests.orgdata import build_org
from workflows.engine import run_action, start_flow
from workflows.promotion import PromotionFlow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_promotion_through_the_pages(live_server, browser_page):
    org = build_org()
    page, base = browser_page, live_server.url

    login(page, base, "agent")
    assert "中级" in page.locator("#apply #target_level").inner_text()
    page.fill("#statement", "希望晋升为中级客服")
    click(page, "#apply button[type=submit]")
    page.locator("#case-summary").wait_for()
    promotion = Promotion.objects.get(employee=org.agent)
    assert promotion.state == "submitted"
    assert page.url.endswith(f"/promotions/{promotion.pk}/")

    login(page, base, "lead")
    open_case_from_list(page, base, "inbox", "promotions", promotion.pk)
    submit_action(page, "nominate", {"comment": "表现稳定"})
    assert Promotion.objects.get(pk=promotion.pk).state == "nominated"

    login(page, base, "gm")
    claim(page, base, "promotions", open=False)
    open_case_from_list(page, base, "inbox", "promotions", promotion.pk)
    submit_action(page, "approve", {"comment": "同意"})
    assert Promotion.objects.get(pk=promotion.pk).state == "approved"

    login(page, base, "admin1")
    claim(page, base, "promotions", open=False)
    open_case_from_list(page, base, "inbox", "promotions", promotion.pk)
    at = timezone.localtime(timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    submit_action(page, "schedule-defence", {"at": at}, check={"panel": [m.pk for m in org.panel]})
    assert Promotion.objects.get(pk=promotion.pk).state == "defence_scheduled"

    # The panel scores once the defence has been held (issue 11, finding 10): the clock moves
    # to the defence, for the pages served by the live server too.
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=5)):
        for member, score in zip(org.panel, ["78", "82", "75"], strict=True):
            login(page, base, member.user.username)
            open_case_from_list(page, base, "inbox", "promotions", promotion.pk)
            submit_action(page, "score-defence", {"score": score, "notes": "答辩清晰"})
        assert Promotion.objects.get(pk=promotion.pk).state == "defence_passed"

        login(page, base, "admin2")
        claim(page, base, "promotions", open=False)
        open_case_from_list(page, base, "inbox", "promotions", promotion.pk)
        submit_action(page, "confirm", {"effective_date": timezone.localdate().isoformat()})
    promotion.refresh_from_db()
    assert promotion.state == "effective"
    org.agent.refresh_from_db()
    assert org.agent.level == "intermediate"

    login(page, base, "agent")
    open_case_from_list(page, base, "mine", "promotions", promotion.pk)
    state = page.locator("#now [data-testid=case-state]").inner_text().strip()
    with translation.override("zh-hans"):
        assert state == str(promotion.get_state_display())
    assert re.search(r"[\u4e00-\u9fff]", state), state  # a Chinese word, not "effective"
    assert page.locator("#now [data-testid=holder]").count() == 0  # nobody holds it now


def test_claim_and_open_lands_on_the_case_page_where_the_step_is_decided(live_server, browser_page):
    """ "领取并打开" in 待领取: the step is the GM's and the browser is on the case page (its
    address too), where approving works."""
    org = build_org()
    page, base = browser_page, live_server.url
    promotion = promotion_submit(
        actor=org.agent.user, target_level="intermediate", statement="申请晋升"
    )
    start_flow(flow_class=PromotionFlow, case=promotion)
    run_action(
        flow_class=PromotionFlow,
        actions=PromotionFlow.actions,
        case=promotion,
        name="nominate",
        actor=org.lead.user,
        comment="推荐",
    )

    login(page, base, "gm")
    assert page.locator("[data-testid=nav-queue] .count").inner_text().strip() == "1"
    claim(page, base, "promotions", open=True)
    assert page.locator("[data-testid=nav-inbox] .count").inner_text().strip() == "1"
    submit_action(page, "approve", {"comment": "同意"})
    assert Promotion.objects.get(pk=promotion.pk).state == "approved"
