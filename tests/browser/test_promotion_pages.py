"""The promotion process through the real pages in Debian's Chromium (Playwright):
the agent applies, the lead nominates from the inbox, the GM approves from the queue, the panel
scores the defence, administration confirms (PROMO-3)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from approvals.promotion.models import Promotion
from tests.orgdata import build_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass12345")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


TASK_LINK = re.compile(r"^/workflow/flows/promotion/\d+/\w+/\d+/$")


def open_task_from_inbox(page, base, *, queue=False):
    """Open the task listed in the user's viewflow inbox, or take it from the role queue first
    (viewflow's assign page), and land on its page."""
    page.goto(f"{base}/workflow/{'queue' if queue else 'inbox'}/")
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    [task_url] = [h for h in hrefs if TASK_LINK.match(h)]
    page.goto(base + task_url)
    if "/assign/" in page.url:
        page.locator("form button[type=submit], form button:not([type])").last.click()
        page.wait_for_load_state("networkidle")
        page.goto(base + task_url)
    page.locator("#case-summary").wait_for()


def submit_action(page, action, fill=None):
    form = page.locator(f"form[data-action='{action}']")
    for name, value in (fill or {}).items():
        form.locator(f"[name='{name}']").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


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
