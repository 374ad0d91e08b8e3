"""The engine reads a case's audit chain head with its lock statement and appends after it
(workflows/engine.py). Should another append have slipped in between, the chain's unique seq
refuses the action's event; the engine then runs the whole action again, and the case's chain
stays one unbroken sequence."""

import pytest

from approvals.history import know_audit_head
from audit.models import AuditEvent
from tests.orgdata import apply_for_promotion, build_org
from workflows import engine
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db


def _nominate(org, case):
    return engine.run_action(
        flow_class=PromotionFlow,
        actions=PromotionFlow.actions,
        case=case,
        name="nominate",
        actor=org.lead.user,
        comment="",
    )


def test_an_action_that_lost_the_race_on_the_audit_chain_is_run_again_whole(monkeypatch):
    org = build_org()
    case = apply_for_promotion(org.agent.user)
    real, seen = engine._remember_head, []

    def stale_first(case, row):
        seen.append(row.audit_seq)
        if len(seen) == 1:  # as if another append had moved the head after our read
            know_audit_head(case, row.audit_seq - 1, "0" * 64)
        else:
            real(case, row)

    monkeypatch.setattr(engine, "_remember_head", stale_first)
    case = _nominate(org, case)

    assert case.state == "nominated"
    assert seen == [1, 1]  # read twice: the first attempt was rolled back whole
    events = AuditEvent.objects.filter(case_type="promotion", case_id=case.pk).order_by("seq")
    assert [(e.seq, e.action) for e in events] == [(1, "submit"), (2, "nominate")]
    assert events[1].prev_hash == events[0].hash


def test_an_action_that_keeps_losing_the_race_is_refused_as_busy_and_changes_nothing(
    monkeypatch,
):
    org = build_org()
    case = apply_for_promotion(org.agent.user)
    monkeypatch.setattr(
        engine, "_remember_head", lambda case, row: know_audit_head(case, 0, "0" * 64)
    )
    with pytest.raises(engine.StateConflict) as exc:
        _nominate(org, case)
    assert exc.value.code == "case_busy"
    case.refresh_from_db()
    assert case.state == "submitted"
    assert AuditEvent.objects.filter(case_type="promotion", case_id=case.pk).count() == 1
