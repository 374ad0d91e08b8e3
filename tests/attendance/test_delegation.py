"""LEAVE-6 for SWAP-1 and PUNCH-1: the lead's approval is delegable; while the lead is on approved
leave the delegate finds it in their inbox, decides for the lead, and the history says so."""

import datetime as dt

import pytest
import time_machine
from viewflow.workflow.models import Task

from approvals.attendance.models import PunchCorrection
from approvals.leave.models import Leave
from audit.models import AuditEvent
from notifications.scheduler import sweep
from tests.attendance.helpers import PUNCHES, SWAPS, act, local, request_punch, request_swap, tasks
from tests.attendance.helpers import lead_on_leave as on_leave
from tests.events import dispatched
from workflows.attendance import PunchCorrectionFlow, ShiftSwapFlow

pytestmark = pytest.mark.django_db

MONDAY, FRIDAY = local(2026, 3, 2, 9, 0), local(2026, 3, 6, 18, 0)


def lead_on_leave(org, delegate):
    return on_leave(org, delegate, MONDAY, FRIDAY)


def test_leave6_the_approval_nodes_are_delegable():
    assert ShiftSwapFlow.delegable_nodes == {"approval"}  # the colleague's consent is personal
    assert PunchCorrectionFlow.delegable_nodes == {"approval"}


def test_leave6_punch1_delegate_approves_for_the_lead(org, deputy):
    lead_on_leave(org, deputy)
    with time_machine.travel(MONDAY + dt.timedelta(hours=2), tick=False):
        case = request_punch(org.agent, "2026-03-02T09:00:00+08:00")
        assert tasks(org.lead, PUNCHES) == []
        assert [t["case_id"] for t in tasks(deputy, PUNCHES)] == [case["id"]]
        case = act(PUNCHES, deputy, case["id"], "approve")
    assert case["state"] == "approved"
    assert case["timeline"][-1]["actor"] == "代理人"
    assert case["timeline"][-1]["on_behalf_of"] == "lead"
    event = AuditEvent.objects.filter(case_type="punchcorrection").last()
    assert event.on_behalf_of == org.lead.user and "LEAVE-6" in event.rules
    assert PunchCorrection.objects.get().decided_by == deputy


def test_leave6_swap1_delegate_rejects_for_the_lead_but_not_after_the_leave(org, deputy):
    lead_on_leave(org, deputy)
    with time_machine.travel(MONDAY + dt.timedelta(hours=2), tick=False):
        first = request_swap(org.agent, org.colleague)
        act(SWAPS, org.colleague, first["id"], "consent")
        assert [t["case_id"] for t in tasks(deputy, SWAPS)] == [first["id"]]
        case = act(SWAPS, deputy, first["id"], "reject", {"reason": "人手不足"})
        assert case["timeline"][-1]["on_behalf_of"] == "lead"
        second = request_swap(
            org.agent,
            org.colleague,
            shift_start="2026-03-12T09:00:00+08:00",
            shift_end="2026-03-12T18:00:00+08:00",
        )
        act(SWAPS, org.colleague, second["id"], "consent")
    with time_machine.travel(FRIDAY + dt.timedelta(hours=1), tick=False):
        error = act(SWAPS, deputy, second["id"], "approve", expect=404)  # no longer sees it
        assert error["code"] == "not_found"
        assert act(SWAPS, org.lead, second["id"], "approve")["state"] == "approved"


def test_leave6_an_open_punch_approval_moves_to_the_delegate_and_back(org, deputy):
    with time_machine.travel(MONDAY - dt.timedelta(hours=12), tick=False):
        case = request_punch(org.agent, "2026-03-01T18:00:00+08:00")
    lead_on_leave(org, deputy)
    task = Task.objects.get(flow_task=PunchCorrectionFlow.instance.node("approval"))
    assert task.owner_id == org.lead.user_id
    with time_machine.travel(MONDAY, tick=False), dispatched():
        assert sweep().steps["delegation"] == 1
    assert [t["case_id"] for t in tasks(deputy, PUNCHES)] == [case["id"]]
    with time_machine.travel(FRIDAY, tick=False):
        assert sweep().steps["delegation"] == 1
    assert tasks(deputy, PUNCHES) == []
    assert [t["case_id"] for t in tasks(org.lead, PUNCHES)] == [case["id"]]


def test_leave6_the_colleagues_consent_never_moves(org, deputy):
    """A colleague on leave keeps their consent task: consenting is personal."""
    with time_machine.travel(MONDAY - dt.timedelta(hours=12), tick=False):
        case = request_swap(
            org.agent,
            org.colleague,
            shift_start="2026-03-12T09:00:00+08:00",
            shift_end="2026-03-12T18:00:00+08:00",
            colleague_shift_start="2026-03-13T09:00:00+08:00",
            colleague_shift_end="2026-03-13T18:00:00+08:00",
        )
    leave = lead_on_leave(org, deputy)
    Leave.objects.filter(pk=leave.pk).update(employee=org.colleague)
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        sweep()
        assert [t["case_id"] for t in tasks(org.colleague, SWAPS)] == [case["id"]]
        assert tasks(deputy, SWAPS) == []


def test_leave6_swap1_the_swap_colleague_is_never_handed_its_approval(org):
    """The lead's delegate is the colleague of the swap: the approval stays with the lead (the
    colleague cannot approve a swap they are party to), instead of waiting with nobody able."""
    lead_on_leave(org, org.colleague)
    with time_machine.travel(MONDAY + dt.timedelta(hours=2), tick=False):
        case = request_swap(org.agent, org.colleague)
        act(SWAPS, org.colleague, case["id"], "consent")
        sweep()
        assert tasks(org.colleague, SWAPS) == []
        [task] = Task.objects.filter(flow_task=ShiftSwapFlow.instance.node("approval"))
        assert task.owner == org.lead.user
