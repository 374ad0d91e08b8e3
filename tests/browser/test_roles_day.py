"""A day in the life of the demo organisation (org.demo: Chinese names, so any English on a page
is the product's), through the real pages in Debian's Chromium, each person clicking from their
lists as they would:

- a promotion: 黄磊 applies, the lead 张伟 nominates from 待办, the GM office (王芳) claims it in
  待领取, copies 高燕 in and approves, administration (李娜) claims and confirms; 高燕 finds it
  under 抄送我的 and reads it without any action offered (CASE-4);
- a penalty: 张伟 serves it, 吴霞 signs and objects within the window, the GM office upholds it
  with a reason (APPEAL-1/2);
- leave in bulk (CASE-7): three requests rejected without a reason are each refused, then
  approved in one go; a second bulk where one request was withdrawn meanwhile is done for one
  and refused for the other;
- casework on a promotion at the GM step: transfer to a second GM-office user (CASE-1), who asks
  陈静's opinion (CASE-2), answered from her notice before the decision; the applicant urges, and
  a second urge the same day is refused (CASE-3);
- attachments (CASE-6): a small PDF is listed and downloads; a file over 10 MB is refused with
  the limit and nothing is listed.
"""

import datetime as dt

import pytest
from django.utils import timezone, translation

from approvals.leave.models import Leave
from approvals.leave.services import leave_submit
from approvals.penalty.models import Penalty
from approvals.promotion.models import Promotion
from approvals.promotion.services import promotion_submit
from audit.models import AuditEvent
from casework.models import Attachment, Consultation, Urge
from org.demo import DEMO_PASSWORD, demo_seed
from org.levels import Role
from org.models import Department, Employee
from policy.deadlines import is_working_day
from tests.browser.pages import (
    bulk,
    check_page,
    claim,
    click,
    login,
    nav,
    open_case_from_list,
    path_of,
    rows,
    submit_action,
    watch_also,
)
from tests.orgdata import employee
from workflows.engine import run_action, start_flow
from workflows.leave import LeaveFlow
from workflows.promotion import PromotionFlow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def people():
    """The demo organisation, and a second GM-office member (孙丽) to hand a step to."""
    demo_seed()
    second = employee(
        "sun.li",
        department=Department.objects.get(code="gmo"),
        level=None,
        name="孙丽",
        roles=["gm_office"],
    )
    second.user.set_password(DEMO_PASSWORD)
    second.user.save()
    return {e.user.username: e for e in Employee.objects.select_related("user")}


def as_(page, base, username):
    login(page, base, username, DEMO_PASSWORD)


def working_days(count: int, after: int = 7) -> list[dt.date]:
    """`count` working days from `after` days ahead (company calendar)."""
    day, found = timezone.localdate() + dt.timedelta(days=after), []
    while len(found) < count:
        if is_working_day(day):
            found.append(day)
        day += dt.timedelta(days=1)
    return found


def local_input(day: dt.date, hour: int) -> str:
    return f"{day:%Y-%m-%d}T{hour:02d}:00"


def nominated_promotion(people, who="huang.lei"):
    promotion = promotion_submit(
        actor=people[who].user, target_level="intermediate", statement="申请晋升中级"
    )
    start_flow(flow_class=PromotionFlow, case=promotion)
    run_action(
        flow_class=PromotionFlow,
        actions=PromotionFlow.actions,
        case=promotion,
        name="nominate",
        actor=people["zhang.wei"].user,
        comment="推荐",
    )
    return promotion


def pending_leave(person, day: dt.date) -> Leave:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    leave = leave_submit(
        actor=person.user,
        kind="personal",
        start=start,
        end=start + dt.timedelta(hours=9),
        reason="家中有事",
    )
    start_flow(flow_class=LeaveFlow, case=leave)
    return leave


def zh(label) -> str:
    """A label in Chinese: a lazy label, or a callable reading one (a model's get_*_display()
    formats in the active language, so it must run inside the override)."""
    with translation.override("zh-hans"):
        return str(label() if callable(label) else label)


def test_a_promotion_from_application_to_confirmation_with_a_cc(live_server, browser_page, people):
    page, base = browser_page, live_server.url

    as_(page, base, "huang.lei")
    page.select_option("#target_level", "intermediate")
    page.fill("#statement", "近五个月考核优秀，申请晋升中级客服")
    click(page, "#apply button[type=submit]", "apply")
    promotion = Promotion.objects.get(employee=people["huang.lei"])
    assert path_of(page) == f"/promotions/{promotion.pk}/"
    assert page.locator("[data-testid=holder]").all_inner_texts() == ["张伟"]
    nav(page, "mine")
    assert rows(page, "promotions", promotion.pk).count() == 1

    as_(page, base, "zhang.wei")
    assert page.locator("[data-testid=nav-inbox] .count").inner_text().strip() == "1"
    open_case_from_list(page, base, "inbox", "promotions", promotion.pk)
    assert "近五个月考核优秀" in page.locator("#case-summary").inner_text()
    submit_action(page, "nominate", {"comment": "工作认真，推荐晋升"})
    assert Promotion.objects.get(pk=promotion.pk).state == "nominated"
    # it waits in the GM office's queue
    assert page.locator("#now [data-testid=holder]").all_inner_texts() == [zh(Role.GM_OFFICE.label)]

    as_(page, base, "wang.fang")
    claim(page, base, "promotions", open=False)
    open_case_from_list(page, base, "inbox", "promotions", promotion.pk)
    assert page.locator("#now [data-testid=holder]").all_inner_texts() == ["王芳"]
    submit_action(page, "cc", check={"people": people["gao.yan"].pk}, fill={"comment": "请知悉"})
    assert "高燕" in page.locator("#cc").inner_text()
    submit_action(page, "approve", {"comment": "同意晋升"})
    assert Promotion.objects.get(pk=promotion.pk).state == "approved"

    as_(page, base, "li.na")
    claim(page, base, "promotions", open=False)
    open_case_from_list(page, base, "inbox", "promotions", promotion.pk)
    submit_action(page, "confirm", {"effective_date": timezone.localdate().isoformat()})
    promotion.refresh_from_db()
    assert promotion.state == "effective"
    assert Employee.objects.get(pk=people["huang.lei"].pk).level == "intermediate"
    nav(page, "done")
    assert rows(page, "promotions", promotion.pk).count() == 1

    # 高燕 was copied in: she reads the case, and can do nothing on it.
    as_(page, base, "gao.yan")
    open_case_from_list(page, base, "copied", "promotions", promotion.pk)
    assert page.locator("#actions").count() == 0
    assert page.locator("form[data-action]").count() == 0
    assert page.locator("[data-testid=case-state]").inner_text() == zh(promotion.get_state_display)
    nav(page, "inbox")
    assert rows(page, "promotions").count() == 0

    as_(page, base, "huang.lei")
    open_case_from_list(page, base, "mine", "promotions", promotion.pk)
    history = page.locator("#timeline").inner_text()
    assert "同意晋升" in history and "工作认真" in history

    # The same page in English when asked, back to Chinese, then signing out.
    click(page, "header button[name=language]", "english")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "My page" in page.locator("header nav").inner_text()
    click(page, "header button[name=language]", "chinese")
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    assert "我的主页" in page.locator("header nav").inner_text()
    click(page, "header form[action='/accounts/logout/'] button", "logged-out")
    assert "我的主页" not in page.locator("header").inner_text()


def test_a_penalty_signed_objected_and_upheld(live_server, browser_page, people):
    page, base = browser_page, live_server.url

    as_(page, base, "zhang.wei")
    click(page, "#department-penalties a[href='/penalties/new/']")
    page.select_option("#employee", str(people["wu.xia"].pk))
    page.fill("#facts", "12月1日未按规定回复客户投诉")
    page.fill("#rule", "客服规范第5条")
    page.fill("#evidence", "工单记录")
    page.select_option("#sanction", "written_warning")
    click(page, "#penalty-new button[type=submit]", "served")
    penalty = Penalty.objects.get(employee=people["wu.xia"])
    assert path_of(page) == f"/penalties/{penalty.pk}/"

    as_(page, base, "wu.xia")
    assert page.locator("#my-penalties [data-testid=penalty-state]").count() == 1
    open_case_from_list(page, base, "inbox", "penalties", penalty.pk)
    submit_action(page, "sign")
    assert page.locator("[data-testid=receipt]").inner_text() == zh(
        Penalty.objects.get(pk=penalty.pk).get_receipt_display
    )
    due = page.locator("[data-testid=objection-due]").inner_text().strip()
    assert due and Penalty.objects.get(pk=penalty.pk).objection_due > timezone.now()
    submit_action(page, "object", {"reason": "当天系统故障，工单无法提交"})
    penalty.refresh_from_db()
    assert (penalty.state, penalty.receipt) == ("objected", "signed")
    assert "当天系统故障" in page.locator("[data-testid=objection]").inner_text()

    # The lead issued the slip: the GM office answers the objection.
    as_(page, base, "wang.fang")
    claim(page, base, "penalties", open=False)
    open_case_from_list(page, base, "inbox", "penalties", penalty.pk)
    error = submit_action(page, "respond", select={"decision": "uphold"}, refused=True)
    assert "APPEAL-2" in error  # an answer needs its reason
    assert page.locator("form[data-action=respond] select[name=decision]").input_value() == "uphold"
    submit_action(
        page, "respond", {"reason": "系统日志显示当天工单系统正常"}, select={"decision": "uphold"}
    )
    penalty.refresh_from_db()
    assert (penalty.state, penalty.sanction) == ("final", "written_warning")

    as_(page, base, "wu.xia")
    click(page, f"#my-penalties a[href='/penalties/{penalty.pk}/']")
    assert "系统日志显示" in page.locator("[data-testid=answer]").inner_text()
    assert page.locator("form[data-action=object]").count() == 0


def test_leave_decided_in_bulk_from_the_inbox(live_server, browser_page, people):
    page, base = browser_page, live_server.url
    askers = ["xu.tao", "wu.xia", "lin.fang"]
    days = working_days(5)
    for username, day in zip(askers, days, strict=False):
        as_(page, base, username)
        click(page, "#my-leaves a[href='/leaves/new/']")
        page.select_option("#kind", "personal")
        page.fill("#start", local_input(day, 9))
        page.fill("#end", local_input(day, 18))
        page.fill("#reason", "家中有事")
        click(page, "#leave-new button[type=submit]", "sent")
        page.locator("#case-summary").wait_for()
    leaves = list(Leave.objects.filter(state="pending").order_by("pk"))
    assert [x.employee.user.username for x in leaves] == askers

    as_(page, base, "zhang.wei")
    nav(page, "inbox")
    due = rows(page, "leaves").locator("[data-testid=countdown]").all_inner_texts()
    assert len(due) == 3 and all("还剩" in t for t in due), due
    # the filters: by name, then by kind
    page.fill("#f-q", "徐涛")
    click(page, "form.filters button[type=submit]", "filtered")
    assert rows(page).count() == 1 and rows(page, "leaves", leaves[0].pk).count() == 1
    page.fill("#f-q", "")
    page.select_option("#f-kind", "promotions")
    click(page, "form.filters button[type=submit]", "filtered")
    assert rows(page).count() == 0
    nav(page, "inbox")
    picks = [("leaves", x.pk) for x in leaves]
    for _resource, pk in picks:
        assert page.locator(f"input[name=case][value='leaves:{pk}']").count() == 1
    # A rejection needs a reason: each is refused, none is decided.
    result = bulk(page, picks, "reject", "")
    assert result == {str(x.pk): False for x in leaves}
    refused = page.locator("#bulk-result tr[data-ok='0']")
    assert refused.count() == 3 and all(t.strip() for t in refused.all_inner_texts())
    assert "0" in page.locator("[data-testid=bulk-summary]").inner_text()
    assert set(Leave.objects.values_list("state", flat=True)) == {"pending"}

    result = bulk(page, picks, "approve", "同意")
    assert result == {str(x.pk): True for x in leaves}
    assert page.locator("#bulk-result tr[data-ok='1']").count() == 3
    assert set(Leave.objects.values_list("state", flat=True)) == {"approved"}
    nav(page, "inbox")
    assert rows(page, "leaves").count() == 0

    # A mixed bulk: one of the two ticked requests is withdrawn before the lead presses approve.
    song, guo = (
        pending_leave(people[u], day)
        for u, day in zip(["song.jia", "guo.peng"], days[3:], strict=True)
    )
    nav(page, "inbox")
    page.locator(f"input[name=case][value='leaves:{song.pk}']").check()
    page.locator(f"input[name=case][value='leaves:{guo.pk}']").check()
    run_action(
        flow_class=LeaveFlow,
        actions=LeaveFlow.actions,
        case=song,
        name="cancel",
        actor=people["song.jia"].user,
        reason="计划有变",
    )
    result = bulk(page, [], "approve", "同意")
    assert result == {str(song.pk): False, str(guo.pk): True}
    assert page.locator(f"#bulk-result tr[data-case='{song.pk}']").inner_text().strip()
    assert (Leave.objects.get(pk=song.pk).state, Leave.objects.get(pk=guo.pk).state) == (
        "cancelled",
        "approved",
    )


def test_transfer_consult_and_urge_before_the_decision(live_server, browser_page, people):
    page, base = browser_page, live_server.url
    promotion = nominated_promotion(people)

    # The GM office's 王芳 claims the step and hands it to 孙丽.
    as_(page, base, "wang.fang")
    claim(page, base, "promotions", open=False)
    open_case_from_list(page, base, "inbox", "promotions", promotion.pk)
    submit_action(
        page, "transfer", select={"to": str(people["sun.li"].pk)}, fill={"comment": "请孙丽处理"}
    )
    assert page.locator("#now [data-testid=holder]").all_inner_texts() == ["孙丽"]
    # she no longer holds the step: no transfer or consultation of it is hers to start
    assert page.locator("form[data-action=transfer], form[data-action=consult]").count() == 0
    nav(page, "inbox")
    assert rows(page, "promotions").count() == 0

    # The applicant urges (CASE-3); the same day again, from a page left open, is refused.
    as_(page, base, "huang.lei")
    open_case_from_list(page, base, "mine", "promotions", promotion.pk)
    earlier = page.context.new_page()
    watch_also(earlier, page)
    earlier.goto(page.url)
    check_page(earlier, "second-tab")
    submit_action(page, "urge")
    assert Urge.objects.count() == 1
    error = submit_action(earlier, "urge", refused=True)
    assert "CASE-3" in error  # names when the next urge is possible
    assert Urge.objects.count() == 1
    earlier.close()

    # 孙丽 was told; she asks 陈静 (the trainer) for an opinion.
    as_(page, base, "sun.li")
    assert int(page.locator("[data-testid=unread-count]").inner_text()) >= 1
    open_case_from_list(page, base, "inbox", "promotions", promotion.pk)
    submit_action(
        page,
        "consult",
        select={"to": str(people["chen.jing"].pk)},
        fill={"question": "黄磊的业务技能是否达到中级要求？"},
    )
    assert "黄磊的业务技能" in page.locator("#consultations").inner_text()

    # 陈静 answers from the notice the bell shows her.
    as_(page, base, "chen.jing")
    nav(page, "notices")
    click(page, page.locator("[data-testid=notices] a").first, "notice")
    assert path_of(page) == f"/promotions/{promotion.pk}/"
    submit_action(page, "consult-reply", {"answer": "技能考核优秀，达到中级要求"})
    assert Consultation.objects.get().answered_at is not None
    assert page.locator("form[data-action=consult-reply]").count() == 0

    # 孙丽 reads the answer, then decides.
    as_(page, base, "sun.li")
    open_case_from_list(page, base, "inbox", "promotions", promotion.pk)
    assert "技能考核优秀" in page.locator("#consultations").inner_text()
    assert "技能考核优秀" in page.locator("#timeline").inner_text()
    submit_action(page, "approve", {"comment": "参考培训师意见，同意"})
    promotion.refresh_from_db()
    assert promotion.state == "approved"
    approval = AuditEvent.objects.get(case_type="promotion", case_id=promotion.pk, action="approve")
    assert approval.actor_id == people["sun.li"].user_id
    history = page.locator("#timeline").inner_text()
    assert "请孙丽处理" in history  # the transfer's note


def test_an_attachment_is_listed_and_a_file_over_10_mb_is_refused(
    live_server, browser_page, people
):
    page, base = browser_page, live_server.url
    leave = pending_leave(people["huang.lei"], working_days(1)[0])

    as_(page, base, "huang.lei")
    open_case_from_list(page, base, "mine", "leaves", leave.pk)
    submit_action(
        page,
        "attach",
        files={"file": {"name": "病假条.pdf", "mimeType": "application/pdf", "buffer": PDF}},
    )
    listed = page.locator("#attachments [data-testid=attachment]")
    assert listed.count() == 1 and "病假条.pdf" in listed.inner_text()
    download = page.request.get(base + listed.locator("a").get_attribute("href"))
    assert download.status == 200 and download.body() == PDF

    big = PDF[:-6] + b"0" * (10 * 1024 * 1024 + 1) + b"%%EOF\n"
    error = submit_action(
        page,
        "attach",
        files={"file": {"name": "扫描件.pdf", "mimeType": "application/pdf", "buffer": big}},
        refused=True,
    )
    assert "10.0 MB" in error
    assert page.locator("#attachments [data-testid=attachment]").count() == 1
    assert Attachment.objects.count() == 1

    # The lead sees the file on the request in their 待办.
    as_(page, base, "zhang.wei")
    open_case_from_list(page, base, "inbox", "leaves", leave.pk)
    assert "病假条.pdf" in page.locator("#attachments").inner_text()
