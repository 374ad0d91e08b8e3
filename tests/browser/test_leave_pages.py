"""A leave request through the real pages in Debian's Chromium (Playwright): the employee asks
for annual leave from 我的主页 (a wrong date is refused in Chinese, nothing saved, what was
typed kept), the lead approves it from 待办 (LEAVE-1), and the employee sees it approved and the
days taken from the balance (LEAVE-4)."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from approvals.leave.models import Leave, LeaveBalance, LeaveState
from policy.deadlines import is_working_day
from tests.browser.pages import click, login, open_case_from_list, submit_action
from tests.orgdata import build_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def local_input(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_leave_request_approved_from_the_inbox(live_server, browser_page):
    org = build_org()
    year = timezone.localdate().year
    LeaveBalance.objects.create(employee=org.agent, year=year, entitled=5)
    page, base = browser_page, live_server.url
    # a working day (DEADLINE-1's calendar) about a week ahead, 09:00–18:00 company time, within
    # this year: a weekend day is no day of leave (LEAVE-4), and the suite runs on any day
    today = timezone.localdate()
    ahead = [today + dt.timedelta(days=n) for n in range(1, 15)]
    working = [d for d in ahead if d.year == year and is_working_day(d)]
    day = next((d for d in working if d >= today + dt.timedelta(days=7)), working[-1])
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    end = start + dt.timedelta(hours=9)

    login(page, base, "agent")
    assert "剩余 5 天" in page.locator("[data-testid=leave-balance]").inner_text()
    click(page, "#my-leaves a[href='/leaves/new/']")
    page.select_option("#kind", "annual")
    page.fill("#start", local_input(end))
    page.fill("#end", local_input(start))
    page.fill("#reason", "回老家")
    click(page, "#leave-new button[type=submit]", "refused")
    assert "结束" in page.locator("#form-error").inner_text()
    assert Leave.objects.count() == 0
    assert page.locator("#reason").input_value() == "回老家"  # the form keeps what was typed

    page.fill("#start", local_input(start))
    page.fill("#end", local_input(end))
    click(page, "#leave-new button[type=submit]")
    page.locator("#case-summary").wait_for()
    leave = Leave.objects.get(employee=org.agent)
    assert leave.state == "pending" and leave.start == start

    login(page, base, "lead")
    assert page.locator("#department-leaves").count() == 1
    open_case_from_list(page, base, "inbox", "leaves", leave.pk)
    assert "回老家" in page.locator("#case-summary").inner_text()
    submit_action(page, "approve", {"comment": "同意"})
    leave.refresh_from_db()
    assert leave.state == "approved" and leave.decided_by == org.lead
    assert page.locator("#now [data-testid=holder]").count() == 0

    login(page, base, "agent")
    state = page.locator("#my-leaves [data-testid=leave-state]").inner_text()
    with translation.override("zh-hans"):
        assert state == str(LeaveState.APPROVED.label) != "Approved"
    assert "剩余 4 天" in page.locator("[data-testid=leave-balance]").inner_text()
    assert LeaveBalance.objects.get(employee=org.agent, year=year).taken == 1
