"""The services directly: SWAP-1 and PUNCH-1 refusals leave nothing saved."""

import pytest
import time_machine

from approvals.attendance import punch, swap
from approvals.attendance.models import PunchCorrection, ShiftSwap, SwapState
from approvals.errors import InvalidInput, NotAllowed, PolicyViolation, StateConflict
from audit.models import AuditEvent
from tests.penalty.helpers import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 2, 10, 0)  # Monday


def shifts(**over):
    body = {
        "shift_start": "2026-03-05T09:00:00+08:00",
        "shift_end": "2026-03-05T18:00:00+08:00",
        "colleague_shift_start": "2026-03-06T09:00:00+08:00",
        "colleague_shift_end": "2026-03-06T18:00:00+08:00",
    }
    body.update(over)
    return body


@time_machine.travel(NOW, tick=False)
def test_swap1_request_then_consent_then_lead_approves(org):
    case = swap.swap_request(actor=org.agent.user, colleague=org.colleague.pk, **shifts())
    assert case.state == SwapState.AWAITING_CONSENT
    case = swap.swap_consent(shiftswap=case, actor=org.colleague.user)
    assert case.state == SwapState.AWAITING_APPROVAL
    case = swap.swap_approve(shiftswap=case, actor=org.lead.user)
    assert case.state == SwapState.APPROVED
    actions = list(
        AuditEvent.objects.filter(case_type="shiftswap", case_id=case.pk).values_list(
            "action", flat=True
        )
    )
    assert actions == ["submit", "consent", "approve"]


@time_machine.travel(NOW, tick=False)
def test_swap1_refusals_save_nothing(org):
    cases = [
        ({"colleague": org.agent.pk}, "colleague_is_self"),
        ({"colleague": org.other_dept_agent.pk}, "colleague_other_department"),
        (
            {"colleague": org.colleague.pk, **shifts(shift_start="2026-03-02T09:00:00+08:00")},
            "shift_in_past",
        ),
        (
            {
                "colleague": org.colleague.pk,
                **shifts(colleague_shift_end="2026-03-06T08:00:00+08:00"),
            },
            "end_before_start",
        ),
        ({"colleague": org.colleague.pk, **shifts(shift_start="next week")}, "invalid_datetime"),
    ]
    for body, code in cases:
        body = {**shifts(), **body}
        with pytest.raises((InvalidInput, PolicyViolation)) as exc:
            swap.swap_request(actor=org.agent.user, **body)
        assert exc.value.code == code
        assert exc.value.rule in ("SWAP-1", None)
    org.colleague.user.is_active = False
    org.colleague.user.save()
    with pytest.raises(PolicyViolation) as exc:
        swap.swap_request(actor=org.agent.user, colleague=org.colleague.pk, **shifts())
    assert exc.value.code == "colleague_inactive"
    assert not ShiftSwap.objects.exists()
    assert not AuditEvent.objects.filter(case_type="shiftswap").exists()


@time_machine.travel(NOW, tick=False)
def test_swap1_the_colleague_cannot_approve_and_nobody_consents_to_their_own(org):
    case = swap.swap_request(actor=org.agent.user, colleague=org.colleague.pk, **shifts())
    with pytest.raises(NotAllowed) as exc:
        swap.swap_consent(shiftswap=case, actor=org.agent.user)
    assert exc.value.code == "own_request"
    with pytest.raises(NotAllowed):
        swap.swap_consent(shiftswap=case, actor=org.lead.user)
    case = swap.swap_consent(shiftswap=case, actor=org.colleague.user)
    with pytest.raises(NotAllowed) as exc:
        swap.swap_approve(shiftswap=case, actor=org.colleague.user)
    assert exc.value.code == "colleague_approves"
    with pytest.raises(NotAllowed) as exc:
        swap.swap_approve(shiftswap=case, actor=org.agent.user)
    assert exc.value.code == "own_request"
    with pytest.raises(StateConflict) as exc:
        swap.swap_consent(shiftswap=case, actor=org.colleague.user)
    assert "“待审批”" in exc.value.detail  # the state it is in, in the default language


@time_machine.travel(NOW, tick=False)
def test_punch1_request_and_lead_approves(org):
    case = punch.punch_request(
        actor=org.agent.user, missed_at="2026-03-01T18:00:00+08:00", reason="忘记打卡"
    )
    case = punch.punch_approve(punchcorrection=case, actor=org.lead.user)
    assert case.state == "approved"
    assert PunchCorrection.objects.get().decided_by == org.lead


@time_machine.travel(NOW, tick=False)
def test_swap1_another_departments_employee_is_not_named_in_the_refusal(org):
    with pytest.raises(PolicyViolation) as exc:
        swap.swap_request(actor=org.agent.user, colleague=org.other_dept_agent.pk, **shifts())
    assert exc.value.code == "colleague_other_department"
    assert org.other_dept_agent.name not in exc.value.detail


@time_machine.travel(NOW, tick=False)
def test_swap1_and_punch1_go_to_the_gm_office_in_a_department_without_a_lead(org):
    from approvals.attendance.common import approver_for

    org.cs.lead = None
    org.cs.save()
    case = swap.swap_request(actor=org.agent.user, colleague=org.colleague.pk, **shifts())
    case = swap.swap_consent(shiftswap=case, actor=org.colleague.user)
    assert approver_for(case) is None
    assert swap.swap_approve(shiftswap=case, actor=org.gm.user).state == "approved"
    made_up = punch.punch_request(
        actor=org.agent.user, missed_at="2026-03-01T18:00:00+08:00", reason="忘记打卡"
    )
    with pytest.raises(NotAllowed) as exc:
        punch.punch_approve(punchcorrection=made_up, actor=org.colleague.user)
    assert exc.value.code == "wrong_role"
    assert punch.punch_approve(punchcorrection=made_up, actor=org.gm.user).state == "approved"
