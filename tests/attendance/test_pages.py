"""Pages of SWAP-1 and PUNCH-1: the employee's forms (refusals shown on the form in the user's
language, nothing saved), the case pages (404 for others), the inbox task pages with their
ActionForm actions, and the home page lists."""

import pytest
import time_machine
from django.test import Client

from approvals.attendance.models import PunchCorrection, ShiftSwap
from tests.attendance.helpers import local, request_punch, request_swap

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("monday")]


@pytest.fixture
def monday():
    with time_machine.travel(local(2026, 3, 2, 20, 0), tick=False):
        yield


def client(emp, language=None):
    c = Client(headers={"accept-language": language} if language else {})
    c.force_login(emp.user)
    return c


SWAP_FORM = {
    "shift_start": "2026-03-05T09:00",
    "shift_end": "2026-03-05T18:00",
    "colleague_shift_start": "2026-03-06T09:00",
    "colleague_shift_end": "2026-03-06T18:00",
    "reason": "家里有事",
}


def test_swap1_new_page_creates_the_swap_with_local_times(org):
    page = client(org.agent).get("/shift-swaps/new/")
    assert page.status_code == 200
    assert f'value="{org.colleague.pk}"' in page.text
    assert f'value="{org.other_dept_agent.pk}"' not in page.text  # same department only
    assert f'value="{org.agent.pk}"' not in page.text
    response = client(org.agent).post(
        "/shift-swaps/new/", {**SWAP_FORM, "colleague": org.colleague.pk}
    )
    swap = ShiftSwap.objects.get()
    assert response.status_code == 302 and response.url == f"/shift-swaps/{swap.pk}/"
    assert swap.shift_start == local(2026, 3, 5, 9, 0)  # the form's time is local time
    assert client(org.agent).get(response.url).status_code == 200


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "You cannot swap a shift with yourself."), ("zh-hans", "不能与自己调班。")],
)
def test_swap1_new_page_shows_the_refusal_in_the_users_language(org, language, text):
    response = client(org.agent, language).post(
        "/shift-swaps/new/", {**SWAP_FORM, "colleague": org.agent.pk}
    )
    assert response.status_code == 400
    assert text in response.text and "SWAP-1" in response.text
    assert 'value="2026-03-05T09:00"' in response.text  # what was typed is kept
    assert not ShiftSwap.objects.exists()


def test_punch1_new_page_creates_and_refuses(org):
    assert client(org.agent).get("/punch-corrections/new/").status_code == 200
    response = client(org.agent, "en").post(
        "/punch-corrections/new/", {"missed_at": "2026-02-20T18:00", "reason": "忘记"}
    )
    assert response.status_code == 400
    assert "window closed" in response.text and "PUNCH-1" in response.text
    assert not PunchCorrection.objects.exists()
    response = client(org.agent).post(
        "/punch-corrections/new/", {"missed_at": "2026-03-02T18:00", "reason": "忘记打卡"}
    )
    punch = PunchCorrection.objects.get()
    assert response.url == f"/punch-corrections/{punch.pk}/"
    assert punch.missed_at == local(2026, 3, 2, 18, 0)


def test_case_pages_are_404_for_others(org):
    swap = request_swap(org.agent, org.colleague)["id"]
    punch = request_punch(org.agent, "2026-03-02T18:00:00+08:00")["id"]
    assert client(org.colleague).get(f"/shift-swaps/{swap}/").status_code == 200
    assert client(org.other_dept_agent).get(f"/shift-swaps/{swap}/").status_code == 404
    assert client(org.colleague).get(f"/punch-corrections/{punch}/").status_code == 404
    assert client(org.lead).get(f"/punch-corrections/{punch}/").status_code == 200


def test_swap1_case_page_consent_then_approve(org):
    """Each step is decided on the case page; each person is offered only their own step."""
    case_id = request_swap(org.agent, org.colleague)["id"]
    url = f"/shift-swaps/{case_id}/"
    assert 'data-action="consent"' not in client(org.lead).get(url).text  # the colleague's step
    page = client(org.colleague).get(url)
    assert page.status_code == 200 and 'data-action="consent"' in page.text
    assert 'data-action="refuse"' in page.text and 'data-action="approve"' not in page.text
    response = client(org.colleague).post(url, {"action": "consent", "comment": "好"})
    assert response.status_code == 302
    # Rejecting without a reason is refused on the page (400, the typed form kept); nothing changes.
    response = client(org.lead).post(url, {"action": "reject", "reason": ""})
    assert response.status_code == 400
    assert ShiftSwap.objects.get().state == "awaiting_approval"
    client(org.lead).post(url, {"action": "approve"})
    assert ShiftSwap.objects.get().state == "approved"


def test_swap1_the_lead_cannot_consent_for_the_colleague(org):
    case_id = request_swap(org.agent, org.colleague)["id"]
    response = client(org.lead).post(f"/shift-swaps/{case_id}/", {"action": "consent"})
    assert response.status_code == 400
    assert ShiftSwap.objects.get().state == "awaiting_consent"


def test_swap1_requester_cancels_on_the_case_page(org):
    case_id = request_swap(org.agent, org.colleague)["id"]
    page = client(org.agent).get(f"/shift-swaps/{case_id}/")
    assert 'data-action="cancel"' in page.text
    assert 'data-action="cancel"' not in client(org.colleague).get(f"/shift-swaps/{case_id}/").text
    client(org.colleague).post(f"/shift-swaps/{case_id}/", {"action": "cancel"})
    assert ShiftSwap.objects.get().state == "awaiting_consent"
    client(org.agent).post(f"/shift-swaps/{case_id}/", {"action": "cancel"})
    assert ShiftSwap.objects.get().state == "cancelled"


def test_punch1_case_page_approve(org):
    case_id = request_punch(org.agent, "2026-03-02T18:00:00+08:00")["id"]
    url = f"/punch-corrections/{case_id}/"
    assert 'data-action="approve"' not in client(org.agent).get(url).text
    page = client(org.lead).get(url)
    assert 'data-action="approve"' in page.text and 'data-action="reject"' in page.text
    client(org.lead).post(url, {"action": "reject", "reason": "无异常记录"})
    assert PunchCorrection.objects.get().state == "rejected"


def test_home_lists_attendance_requests_and_links(org):
    swap = request_swap(org.agent, org.colleague)["id"]
    punch = request_punch(org.agent, "2026-03-02T18:00:00+08:00")["id"]
    for person in (org.agent, org.colleague, org.lead):
        page = client(person).get("/").text
        assert 'href="/shift-swaps/new/"' in page and 'href="/punch-corrections/new/"' in page
        assert f'href="/shift-swaps/{swap}/"' in page
    assert f'href="/punch-corrections/{punch}/"' in client(org.agent).get("/").text
    assert f'href="/punch-corrections/{punch}/"' in client(org.lead).get("/").text
    assert f'href="/punch-corrections/{punch}/"' not in client(org.colleague).get("/").text
