"""The monthly ledger and the pay it drives, through the real pages in Debian's Chromium
(Playwright): the trainer records two events of an agent's month (SCORE-9), the agent sees their
running score event by event and their 12-month chart (SCORE-5), administration closes the month
(SCORE-10), imports the month's sales and exports the pay sheet; the downloaded Excel opens with
openpyxl and holds the figures PAY-1 makes of that month (SCORE-6, SCORE-8)."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from performance.models import Assessment
from tests.browser.pages import check_page, click, goto, login
from tests.orgdata import build_org, employee, give_scores

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _record(page, *, employee_pk: int, code: str, note: str, points: str = "") -> None:
    page.select_option("[data-testid=record-employee]", str(employee_pk))
    page.select_option("[data-testid=record-code]", code)
    page.fill("[data-testid=record-points]", points)
    page.fill("[data-testid=record-note]", note)
    click(page, "[data-testid=record-submit]", f"record-{code}")


@pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)
def test_trainer_records_agent_follows_admin_closes_and_exports(
    live_server, browser_page, tmp_path
):
    build_org()
    page, base = browser_page, live_server.url
    month = _last_month()
    label = month.strftime("%Y-%m")
    from org.models import Department

    cs = Department.objects.get(code="cs")
    agent = employee("xiaowang", department=cs, level="junior", name="小王")
    # Two earlier months imported as final figures (SCORE-1), the last one left to the ledger:
    # the chart has their points.
    give_scores(agent, [86, 91, None])

    # SCORE-9: the trainer records a bonus and a deduction within its range.
    login(page, base, "trainer")
    goto(page, f"{base}/ledger/?month={label}", "ledger")
    _record(page, employee_pk=agent.pk, code="exam_full_marks", note="月度技能考试满分")
    _record(page, employee_pk=agent.pk, code="late_or_early", points="3", note="迟到 12 分钟")
    row = page.locator(f"[data-testid=ledger-row][data-employee='{agent.pk}']")
    assert row.locator("[data-testid=running-score]").inner_text().strip() == "82"
    assert row.locator("[data-testid=event-count]").inner_text().strip() == "2"

    # The agent sees the month fill event by event (80 + 5 = 85, then 85 − 3 = 82).
    login(page, base, "xiaowang")
    goto(page, f"{base}/ledger/me/?month={label}", "ledger-me")
    after = [t.strip() for t in page.locator("[data-testid=score-after]").all_inner_texts()]
    assert after == ["85", "82"], after
    assert page.locator("[data-testid=running-score]").inner_text().strip() == "82"
    goto(page, f"{base}/", "home")
    chart = page.locator("[data-testid=score-chart]")
    chart.wait_for()
    assert chart.locator("svg").count() == 1
    assert int(chart.get_attribute("data-closed")) == 2  # the two imported months
    check_page(page, "home-chart")

    # SCORE-10: administration closes the month from its page.
    login(page, base, "admin1")
    goto(page, f"{base}/months/", "months")
    click(page, f"[data-testid=month-row][data-month='{label}'] [data-testid=close-button]")
    click(page, "[data-testid=close-confirm]", "close-confirm")
    closed = Assessment.objects.get(employee=agent, month=month)
    assert closed.closed_at is not None and closed.score == Decimal("82.0")

    # PAY-1: sales imported from a file, then the sheet exported as Excel.
    sales = tmp_path / "sales.csv"
    sales.write_text(f"username,month,amount\nxiaowang,{label},30000\n", encoding="utf-8")
    goto(page, f"{base}/pay/?month={label}", "pay")
    page.set_input_files("[data-testid=sales-file]", str(sales))
    click(page, "[data-testid=sales-submit]", "sales-import")
    page.locator("[data-testid=sales-report]").wait_for()
    with page.expect_download() as download:
        page.click("[data-testid=export-xlsx]")
    path = tmp_path / "pay.xlsx"
    download.value.save_as(path)

    sheet = openpyxl.load_workbook(path, read_only=True).active
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    (mine,) = [r for r in table[1:] if r[0] == "xiaowang"]
    score, base_pay, float_, performance, sales_, commission, fines, rewards, total = mine[4:13]
    assert Decimal(str(score)) == Decimal("82")
    assert Decimal(str(base_pay)) == Decimal("2200")  # junior (ORG-3)
    assert Decimal(str(float_)) == Decimal("20")  # SCORE-6: 10 per point above 80
    assert Decimal(str(performance)) == Decimal("180.40")  # SCORE-8: 2200 × 10% × 0.82
    assert Decimal(str(sales_)) == Decimal("30000")
    assert Decimal(str(commission)) == Decimal("270")  # SCORE-8: 0.9% of 30,000
    assert Decimal(str(fines)) == Decimal("0") and Decimal(str(rewards)) == Decimal("0")
    assert Decimal(str(total)) == Decimal("2670.40")
