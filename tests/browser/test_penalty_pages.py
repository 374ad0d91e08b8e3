"""A penalty through the real pages in Debian's Chromium (Playwright): the lead serves a slip
from 我的主页, the employee signs it and objects from 待办 (APPEAL-1), the GM office claims the
answer in 待领取 and reduces the sanction from 待办 (APPEAL-2), and the employee sees the answer
and the final sanction."""

import pytest

from approvals.penalty.models import Penalty
from approvals.penalty.services import penalty_serve
from performance.models import ScoreEvent
from tests.browser.pages import claim, click, login, open_case_from_list, submit_action
from tests.orgdata import build_org
from workflows.engine import start_flow
from workflows.penalty import PenaltyFlow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_penalty_objection_and_answer_through_the_pages(live_server, browser_page):
    org = build_org()
    page, base = browser_page, live_server.url

    # The lead serves the slip from the home page's link.
    login(page, base, "lead")
    click(page, "#department-penalties a[href='/penalties/new/']")
    page.select_option("#employee", str(org.agent.pk))
    page.fill("#facts", "3月2日迟到25分钟")
    page.fill("#rule", "考勤制度第3条")
    page.fill("#evidence", "打卡记录")
    page.select_option("#sanction", "written_warning")
    click(page, "#penalty-new button[type=submit]")
    page.locator("#case-summary").wait_for()
    penalty = Penalty.objects.get(employee=org.agent)
    assert penalty.state == "served"

    # The employee signs, then objects, from the inbox.
    login(page, base, "agent")
    assert page.locator("#my-penalties [data-testid=penalty-state]").count() == 1
    open_case_from_list(page, base, "inbox", "penalties", penalty.pk)
    submit_action(page, "sign")
    assert page.locator("[data-testid=receipt]").inner_text().strip()
    open_case_from_list(page, base, "inbox", "penalties", penalty.pk)
    assert page.locator("[data-testid=objection-due]").inner_text().strip()
    submit_action(page, "object", {"reason": "当天系统故障, 打卡机无法使用"})
    penalty.refresh_from_db()
    assert (penalty.state, penalty.receipt) == ("objected", "signed")

    # The lead issued it, so the GM office answers, from its queue.
    login(page, base, "gm")
    claim(page, base, "penalties", open=False)
    open_case_from_list(page, base, "inbox", "penalties", penalty.pk)
    assert "当天系统故障" in page.locator("[data-testid=objection]").inner_text()
    submit_action(
        page,
        "respond",
        {"reason": "考虑系统故障, 减为口头警告"},
        select={"decision": "reduce", "reduced_to": "verbal_warning"},
    )
    penalty.refresh_from_db()
    assert (penalty.state, penalty.sanction) == ("final", "verbal_warning")
    assert ScoreEvent.objects.get().fine == 10

    # The employee sees the answer on the case page, reached from 我的主页.
    login(page, base, "agent")
    click(page, f"#my-penalties a[href='/penalties/{penalty.pk}/']")
    assert "减为口头警告" in page.locator("[data-testid=answer]").inner_text()
    history = page.locator("#timeline").inner_text()
    assert "提出异议" in history and "异议已答复" in history and "APPEAL-2" in history


def test_an_objection_refused_on_the_page_shows_the_rule_and_keeps_nothing(
    live_server, browser_page
):
    """APPEAL-1 on the page: an empty reason is refused with the rule named, nothing saved."""
    org = build_org()
    page, base = browser_page, live_server.url
    penalty = penalty_serve(
        actor=org.lead.user,
        employee=org.agent,
        facts="f",
        rule="r",
        sanction="verbal_warning",
        evidence="e",
    )
    start_flow(flow_class=PenaltyFlow, case=penalty)
    login(page, base, "agent")
    open_case_from_list(page, base, "inbox", "penalties", penalty.pk)
    error = submit_action(page, "object", {"reason": ""}, refused=True)
    assert "APPEAL-1" in error
    penalty.refresh_from_db()
    assert penalty.state == "served"
    assert page.locator("form[data-action='object']").count() == 1  # still offered
