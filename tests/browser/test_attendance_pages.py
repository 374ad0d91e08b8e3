"""A shift swap and a missed-punch make-up through the real pages in Debian's Chromium: the agent
asks from 我的主页's links (a refusal is shown on the form first), the colleague consents from
their 待办, the lead approves from theirs (SWAP-1); the lead rejects a make-up (PUNCH-1)."""

import datetime as dt

import pytest
from django.utils import timezone

from approvals.attendance.models import PunchCorrection, ShiftSwap
from tests.browser.pages import click, login, open_case_from_list, submit_action
from tests.orgdata import build_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local_input(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def test_swap1_and_punch1_through_the_pages(live_server, browser_page):
    org = build_org()
    page, base = browser_page, live_server.url
    soon = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    soon += dt.timedelta(days=3)

    login(page, base, "agent")
    click(page, "#my-attendance a[href='/shift-swaps/new/']")
    page.select_option("#colleague", str(org.colleague.pk))
    page.fill("#shift_start", _local_input(soon))
    page.fill("#shift_end", _local_input(soon - dt.timedelta(hours=1)))  # ends before it starts
    page.fill("#colleague_shift_start", _local_input(soon + dt.timedelta(days=1)))
    page.fill("#colleague_shift_end", _local_input(soon + dt.timedelta(days=1, hours=9)))
    click(page, "#shift-swap-new button[type=submit]", "refused")
    assert "SWAP-1" in page.locator("#form-error").inner_text()
    assert not ShiftSwap.objects.exists()
    page.fill("#shift_end", _local_input(soon + dt.timedelta(hours=9)))
    click(page, "#shift-swap-new button[type=submit]")
    page.locator("#case-summary").wait_for()
    swap = ShiftSwap.objects.get()

    login(page, base, "colleague")
    open_case_from_list(page, base, "inbox", "shift-swaps", swap.pk)
    submit_action(page, "consent")
    login(page, base, "lead")
    open_case_from_list(page, base, "inbox", "shift-swaps", swap.pk)
    submit_action(page, "approve")
    swap.refresh_from_db()
    assert swap.state == "approved"

    login(page, base, "agent")
    click(page, "#my-attendance a[href='/punch-corrections/new/']")
    page.fill("#missed_at", _local_input(timezone.now() - dt.timedelta(hours=2)))
    page.fill("#reason", "打卡机故障")
    click(page, "#punch-correction-new button[type=submit]")
    page.locator("#case-summary").wait_for()
    punch = PunchCorrection.objects.get()
    login(page, base, "lead")
    open_case_from_list(page, base, "inbox", "punch-corrections", punch.pk)
    submit_action(page, "reject", {"reason": "考勤记录正常"})
    assert PunchCorrection.objects.get().state == "rejected"
    login(page, base, "agent")
    assert page.locator("#my-attendance [data-testid=punch-state]").inner_text() == "已驳回"
