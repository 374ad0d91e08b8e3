"""Attendance through the real pages in Debian's Chromium (Playwright): the lead imports the
roster of a day (ATT-1), administration imports the attendance machine's punches, which are
checked at once (ATT-2); the lead confirms the two findings (ATT-3): a late arrival reaches the
agent's ledger as a deduction (SCORE-3), an absence (LEAVE-3) reaches the pay sheet as a fine once
administration has closed the month (PAY-1)."""

import datetime as dt

import pytest
from django.utils import timezone

from approvals.attendance.models import Finding, FindingKind, FindingState
from tests.browser.pages import click, goto, login
from tests.orgdata import build_org, employee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _day_of_last_month() -> dt.date:
    first = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return first.replace(day=10)


def _upload(page, tmp_path, name: str, text: str, *, field: str, submit: str, report: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    page.set_input_files(f"[data-testid={field}]", str(path))
    click(page, f"[data-testid={submit}]", submit)
    page.locator(f"[data-testid={report}]").wait_for()


@pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)
def test_roster_punches_findings_to_the_ledger_and_the_pay_sheet(
    live_server, browser_page, tmp_path
):
    org = build_org()
    page, base = browser_page, live_server.url
    day = _day_of_last_month()
    month = day.strftime("%Y-%m")
    late = employee("xiaowang", department=org.cs, level="junior", name="小王")
    absent = employee("xiaoli", department=org.cs, level="junior", name="小李")

    # ATT-1: the lead imports the day's roster from the week grid's page.
    login(page, base, "lead")
    goto(page, f"{base}/roster/?department={org.cs.pk}", "roster")
    roster = f"username,date,start,end\nxiaowang,{day},09:00,18:00\nxiaoli,{day},09:00,18:00\n"
    _upload(
        page,
        tmp_path,
        "roster.csv",
        roster,
        field="roster-file",
        submit="roster-submit",
        report="roster-report",
    )

    # ATT-2: administration imports the punches; the day is checked at once.
    login(page, base, "admin1")
    goto(page, f"{base}/roster/?department={org.cs.pk}", "roster-admin")
    punches = f"username,time\nxiaowang,{day} 09:12\nxiaowang,{day} 18:03\n"
    _upload(
        page,
        tmp_path,
        "punches.csv",
        punches,
        field="punch-file",
        submit="punch-submit",
        report="punch-report",
    )
    found = dict(Finding.objects.values_list("employee__user__username", "kind"))
    assert found == {"xiaowang": FindingKind.LATE, "xiaoli": FindingKind.ABSENCE}

    # ATT-3: the lead finds them waiting in 待办 and follows the block to the findings page.
    login(page, base, "lead")
    goto(page, f"{base}/inbox/", "inbox-findings")
    group = page.locator("[data-testid=findings-group]")
    assert group.count() == 1 and "2" in group.inner_text()
    click(page, group.locator("a"), "inbox-to-findings")
    assert page.locator("[data-testid=finding-row][data-state=proposed]").count() == 2
    for finding in Finding.objects.order_by("pk"):
        goto(page, f"{base}/findings/?month={month}&department={org.cs.pk}", "findings")
        row = page.locator(f"[data-testid=finding-row][data-finding='{finding.pk}']")
        row.locator("[data-testid=finding-reason]").fill("已核实")
        click(page, row.locator("[data-testid=finding-confirm]"), f"confirm-{finding.kind}")
    assert set(Finding.objects.values_list("state", flat=True)) == {FindingState.CONFIRMED}

    # SCORE-3: the agent sees the lateness in their month (12 minutes late: 3 points).
    login(page, base, "xiaowang")
    goto(page, f"{base}/ledger/me/?month={month}", "ledger-me")
    assert page.locator("[data-testid=running-score]").inner_text().strip() == "77"

    # PAY-1: once the month is closed, the absence's fine is on the pay sheet.
    login(page, base, "admin1")
    goto(page, f"{base}/months/", "months")
    click(page, f"[data-testid=month-row][data-month='{month}'] [data-testid=close-button]")
    click(page, "[data-testid=close-confirm]", "close-confirm")
    goto(page, f"{base}/pay/?month={month}", "pay")
    row = page.locator(f"[data-testid=pay-row][data-username='{absent.user.username}']")
    assert row.locator("[data-line=fines]").inner_text().strip() == "-30.00"
    mine = page.locator(f"[data-testid=pay-row][data-username='{late.user.username}']")
    assert mine.locator("td.num").first.inner_text().strip() == "77.0"
