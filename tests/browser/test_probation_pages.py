"""A probation through the real pages in Debian's Chromium (Playwright): the trainer claims the
exam in 待领取 and records it (PROB-2), the probationer applies for early conversion from the
case page (PROB-4), the lead assesses from 待办, the GM office and administration each claim
their step and decide it; the probationer is a junior agent the same day."""

import datetime as dt

import pytest
from django.utils import timezone

from approvals.probation.models import Probation
from org.models import Employee
from tests.browser.pages import claim, click, login, open_case_from_list, submit_action
from tests.orgdata import build_org, employee
from tests.probation.helpers import score
from workflows.probation import probation_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_early_conversion_through_the_pages(live_server, browser_page):
    org = build_org()
    page, base = browser_page, live_server.url
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    trainee = employee("newbie", department=org.cs, level="probationer", name="新人")
    trainee.hired_on = last_month
    trainee.save()
    score(trainee, last_month, 95)
    probation = probation_start(employee=trainee)

    login(page, base, "trainer")
    claim(page, base, "probations", open=False)
    open_case_from_list(page, base, "inbox", "probations", probation.pk)
    submit_action(page, "record-exam", {"score": "92"}, select={"passed": "true"})
    probation.refresh_from_db()
    assert probation.exam_passed is True

    login(page, base, "newbie")
    click(page, f"#my-probation a[href='/probations/{probation.pk}/']")
    page.locator("#case-summary").wait_for()
    page.fill("#early-statement", "各月考核均为A，申请提前转正")
    click(page, "[data-action=apply-early]", "apply-early")
    page.locator("#case-summary").wait_for()
    assert "提前转正" in page.locator("#case-summary").inner_text()

    login(page, base, "lead")
    open_case_from_list(page, base, "inbox", "probations", probation.pk)
    submit_action(page, "assess", select={"outcome": "convert"})
    login(page, base, "gm")
    claim(page, base, "probations", open=False)
    open_case_from_list(page, base, "inbox", "probations", probation.pk)
    submit_action(page, "approve")
    login(page, base, "admin1")
    claim(page, base, "probations", open=False)
    open_case_from_list(page, base, "inbox", "probations", probation.pk)
    submit_action(page, "confirm")

    assert Probation.objects.get(pk=probation.pk).state == "converted"
    assert Employee.objects.get(pk=trainee.pk).level == "junior"
    login(page, base, "newbie")
    open_case_from_list(page, base, "mine", "probations", probation.pk)
    history = page.locator("#timeline").inner_text()
    assert "已申请提前转正" in history and "PROB-4" in history
