"""Refusals across the probation steps (PROB-2, PROB-3, security rules): nobody acts on their
own case or outside their role, nothing is saved by a refused action, and a step taken twice
is a conflict."""

import pytest

from approvals.probation.models import Probation
from audit.models import AuditEvent
from tests.orgdata import employee
from workflows.probation import probation_start

from .helpers import act

pytestmark = pytest.mark.django_db


def _events(case):
    return AuditEvent.objects.filter(case_type="probation", case_id=case.pk).count()


def _to_approval(org, case, trainer):
    act(trainer, case.pk, "record-exam", {"passed": True})
    act(org.lead, case.pk, "assess", {"outcome": "convert"})


def test_security_gm_office_member_cannot_decide_own_probation(org):
    """A GM-office member on probation: the GM office assesses and approves, never they."""
    gmo = org.gm.department
    newcomer = employee("gm-new", department=gmo, level="probationer", roles=["gm_office"])
    case = probation_start(employee=newcomer)
    body = act(newcomer, case.pk, "assess", {"outcome": "end", "reason": "x"}, expect=403)
    assert body["code"] == "own_request"
    act(org.gm, case.pk, "assess", {"outcome": "end", "reason": "试用不合格"})
    before = _events(case)
    body = act(newcomer, case.pk, "approve", {}, expect=403)
    assert body["code"] == "own_request"
    body = act(newcomer, case.pk, "reject", {"reason": "不同意"}, expect=403)
    assert body["code"] == "own_request"
    assert _events(case) == before
    assert Probation.objects.get(pk=case.pk).state == "awaiting_approval"


def test_security_trainer_on_probation_cannot_record_own_exam(org):
    newcomer = employee("trainer-new", department=org.cs, level="probationer", roles=["trainer"])
    case = probation_start(employee=newcomer)
    body = act(newcomer, case.pk, "record-exam", {"passed": True}, expect=403)
    assert body["code"] == "own_request"
    assert Probation.objects.get(pk=case.pk).exam_at is None


def test_prob2_lead_cannot_approve_or_confirm(org, case, trainer):
    _to_approval(org, case, trainer)
    before = _events(case)
    for action in ("approve", "confirm"):
        body = act(org.lead, case.pk, action, {}, expect=403)
        assert body["code"] == "wrong_role"
    assert _events(case) == before


def test_prob3_extend_while_awaiting_approval_conflicts(org, case, trainer):
    _to_approval(org, case, trainer)
    body = act(org.lead, case.pk, "extend", {"months": 1, "reason": "x"}, expect=409)
    assert body["code"] == "state_conflict"


def test_prob3_confirm_twice_conflicts(org, case, trainer):
    _to_approval(org, case, trainer)
    act(org.gm, case.pk, "approve", {})
    act(org.admin, case.pk, "confirm", {"effective_date": "2030-01-01"})
    body = act(org.admin, case.pk, "confirm", {}, expect=409)
    assert body["code"] == "state_conflict"


def test_prob3_bad_effective_date_saves_nothing(org, case, trainer):
    _to_approval(org, case, trainer)
    act(org.gm, case.pk, "approve", {})
    before = _events(case)
    body = act(org.admin, case.pk, "confirm", {"effective_date": "next week"}, expect=400)
    assert body["code"] == "invalid_date"
    assert _events(case) == before
    assert Probation.objects.get(pk=case.pk).state == "approved"


@pytest.mark.parametrize("months", [0, -1, "two", 1.5, True, None])
def test_prob3_extension_months_must_be_whole_and_within_policy(org, case, months):
    body = act(org.lead, case.pk, "extend", {"months": months, "reason": "x"}, expect=400)
    assert body["code"] == "invalid_extension" and body["rule"] == "PROB-3"
    assert Probation.objects.get(pk=case.pk).state == "in_probation"


def test_prob3_text_reason_must_be_text(org, case):
    body = act(org.lead, case.pk, "assess", {"outcome": "end", "reason": ["x"]}, expect=400)
    assert body["code"] == "reason_required"
