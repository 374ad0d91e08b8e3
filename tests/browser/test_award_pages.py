"""The award of the month through the real pages in Debian's Chromium (AWARD-1, AWARD-2):
administration opens last month's award for customer service on /awards/ and opens the vote;
three colleagues find it under 优秀员工 and vote on its form; administration closes the vote; the
lead reviews from 待办, administration and the GM office each claim their step and approve; every
employee (one of another department too) reads the awardee on the notice."""

import datetime as dt

import pytest
from django.utils import timezone

from approvals.award.models import Award
from tests.award.helpers import close_month
from tests.browser.pages import claim, click, goto, login, open_case_from_list, submit_action
from tests.orgdata import build_org, employee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_award_from_the_vote_to_the_notice(live_server, browser_page):
    org = build_org()
    page, base = browser_page, live_server.url
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    voters = [employee(f"voter{i}", department=org.cs, name=f"同事{i}") for i in range(3)]
    close_month(org.cs, month=last_month)

    login(page, base, "admin1")
    goto(page, f"{base}/awards/", "awards")
    form = page.locator("[data-testid=award-open-form]")
    form.locator("select[name=department]").select_option(str(org.cs.pk))
    form.locator("input[name=month]").fill(last_month.strftime("%Y-%m"))
    click(page, form.locator("button[type=submit]"), "award-opened")
    award = Award.objects.get()
    page.locator("[data-testid=award-candidates]").wait_for()
    submit_action(page, "open-vote")

    for voter in voters:
        login(page, base, voter.user.username)
        click(page, "[data-testid=nav-awards]", "awards")
        click(page, f"[data-testid=award-case][href='/awards/{award.pk}/']", "award-vote")
        form = page.locator("[data-testid=award-vote-form]")
        form.locator(f"[data-testid=award-candidate-option][value='{org.agent.pk}']").check()
        submit_action(page, "vote")
        assert page.locator("[data-testid=award-vote-form]").count() == 0  # one vote each

    login(page, base, "admin1")
    goto(page, f"{base}/awards/{award.pk}/", "award-close")
    submit_action(page, "close-vote")

    login(page, base, "lead")
    open_case_from_list(page, base, "inbox", "awards", award.pk)
    submit_action(page, "review")
    login(page, base, "admin2")
    claim(page, base, "awards", case_id=award.pk)
    submit_action(page, "assess")
    login(page, base, "gm")
    claim(page, base, "awards", case_id=award.pk)
    submit_action(page, "approve")
    assert Award.objects.get().state == "published"

    login(page, base, "outsider")
    click(page, "[data-testid=nav-awards]", "notice")
    notices = page.locator("[data-testid=award-notices]").inner_text()
    assert "agent" in notices and last_month.strftime("%Y-%m") in notices
