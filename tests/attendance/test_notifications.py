"""Who is told (SWAP-1, PUNCH-1): the colleague when a swap awaits their consent, the lead when
it awaits approval, the requester when it is decided (refused, approved, rejected)."""

import pytest
import time_machine
from django.core import mail

from notifications.scheduler import sweep
from tests.attendance.helpers import PUNCHES, SWAPS, act, local, request_punch, request_swap
from tests.events import dispatched

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 2, 10, 0)


def delivered(action):
    mail.outbox.clear()
    with dispatched():
        result = action()
    sweep()
    return result, sorted(m.to[0] for m in mail.outbox)


def test_swap1_the_colleague_then_the_lead_then_the_requester_are_told(org):
    with time_machine.travel(NOW, tick=False):
        case, to = delivered(lambda: request_swap(org.agent, org.colleague))
        assert to == [org.colleague.user.email]
        _, to = delivered(lambda: act(SWAPS, org.colleague, case["id"], "consent"))
        assert to == [org.lead.user.email]
        _, to = delivered(lambda: act(SWAPS, org.lead, case["id"], "approve"))
        assert org.agent.user.email in to and org.colleague.user.email in to


def test_punch1_the_lead_is_told_and_the_requester_hears_the_decision(org):
    with time_machine.travel(NOW, tick=False):
        case, to = delivered(lambda: request_punch(org.agent, "2026-03-01T18:00:00+08:00"))
        assert to == [org.lead.user.email]
        reject = lambda: act(PUNCHES, org.lead, case["id"], "reject", {"reason": "无"})  # noqa: E731
        _, to = delivered(reject)
        assert org.agent.user.email in to
