"""The promotion process through the real pages in Debian's Chromium (Playwright):
the agent applies, the lead nominates from the inbox, the GM approves from the queue, the panel
scores the defence, administration confirms (PROMO-3)."""

import datetime as dt

import pytest
from django.utils import timezone

from approvals.promotion.models import Promotion
from tests.browser.pages import login, open_task, submit_action
from tests.orgdata import build_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_task_from_inbox(page, base, *, queue=False):
    open_task(page, base, "promotion", queue=queue)


def test_promotion_through_the_pages(live_server, browser_page):
    org = build_org()
    page, base = browser_page, live_server.url

    login(page, base, "agent")
    assert "intermediate" in page.content().lower() or "中级" in page.content()
    page.fill("#statement", "希望晋升为中级客服")
    page.click("#apply button[type=submit]")
    page.locator("#case-summary").wait_for()
    promotion = Promotion.objects.get(employee=org.agent)
    assert promotion.state == "submitted"

    login(page, base, "lead")
    open_task_from_inbox(page, base)
    submit_action(page, "nominate", {"comment": "表现稳定"})
    assert Promotion.objects.get(pk=promotion.pk).state == "nominated"

    login(page, base, "gm")
    open_task_from_inbox(page, base, queue=True)
    submit_action(page, "approve", {"comment": "同意"})
    assert Promotion.objects.get(pk=promotion.pk).state == "approved"

    login(page, base, "admin1")
    open_task_from_inbox(page, base, queue=True)
    form = page.locator("form[data-action='schedule-defence']")
    at = timezone.localtime(timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    form.locator("[name='at']").fill(at)
    for member in org.panel:
        form.locator(f"input[name='panel'][value='{member.pk}']").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert Promotion.objects.get(pk=promotion.pk).state == "defence_scheduled"

    for member, score in zip(org.panel, ["78", "82", "75"], strict=True):
        login(page, base, member.user.username)
        open_task_from_inbox(page, base)
        submit_action(page, "score-defence", {"score": score, "notes": "答辩清晰"})
    assert Promotion.objects.get(pk=promotion.pk).state == "defence_passed"

    login(page, base, "admin1")
    open_task_from_inbox(page, base, queue=True)
    submit_action(page, "confirm", {"effective_date": timezone.localdate().isoformat()})
    promotion.refresh_from_db()
    assert promotion.state == "effective"
    org.agent.refresh_from_db()
    assert org.agent.level == "intermediate"

    login(page, base, "agent")
    page.goto(f"{base}/promotions/{promotion.pk}/")
    assert page.locator("[data-testid=state]").inner_text().strip() != ""
