"""CASE-7 from the inbox page: the lead ticks several leave requests and decides them in one go;
each goes through its own service, a refusal does not stop the others, the page lists each."""

from django.test import Client

from approvals.leave.models import Leave
from tests.leave.helpers import act, ask


def client(emp, language="zh-hans"):
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(emp.user)
    return c


def test_case7_bulk_approval_from_the_inbox_lists_each_result(org, week_before):
    first = ask(org.agent)["id"]
    second = ask(org.colleague)["id"]
    trainer = next(p for p in org.panel if p.user.username == "trainer")
    withdrawn = ask(trainer)["id"]
    inbox = client(org.lead).get("/inbox/").content.decode()
    for pk in (first, second, withdrawn):
        assert f'value="leaves:{pk}"' in inbox  # a box to tick on each
    act(trainer, withdrawn, "cancel")  # meanwhile, one is cancelled
    response = client(org.lead).post(
        "/inbox/bulk/",
        {
            "decision": "approve",
            "text": "同意",
            "case": [f"leaves:{first}", f"leaves:{second}", f"leaves:{withdrawn}"],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="bulk-summary">已办理 2 项，未通过 1 项。' in page
    assert page.count('data-ok="1"') == 2 and page.count('data-ok="0"') == 1
    assert "已批准" in page  # the new state, in words
    states = dict(Leave.objects.values_list("pk", "state"))
    assert (states[first], states[second], states[withdrawn]) == (
        "approved",
        "approved",
        "cancelled",
    )


def test_case7_a_bulk_rejection_without_a_reason_refuses_each_and_changes_nothing(org, week_before):
    ids = [ask(org.agent)["id"], ask(org.colleague)["id"]]
    response = client(org.lead, "en").post(
        "/inbox/bulk/",
        {"decision": "reject", "text": "", "case": [f"leaves:{pk}" for pk in ids]},
    )
    assert response.content.decode().count('data-ok="0"') == 2
    assert set(Leave.objects.values_list("state", flat=True)) == {"pending"}


def test_case7_an_employee_cannot_decide_in_bulk(org, week_before):
    pk = ask(org.agent)["id"]
    response = client(org.colleague).post(
        "/inbox/bulk/", {"decision": "approve", "case": [f"leaves:{pk}"]}
    )
    assert response.content.decode().count('data-ok="0"') == 1
    assert Leave.objects.get(pk=pk).state == "pending"
