"""Each person involved gets an email when a task lands in their inbox and when the case is
decided (through the outbox; the scheduler delivers)."""

import pytest

from approvals.promotion import services
from notifications.models import OutboxMessage
from tests.events import dispatched
from tests.orgdata import build_org
from workflows.engine import run_action, start_flow
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db


def test_task_and_decision_notices():
    org = build_org()
    with dispatched():
        promotion = services.promotion_submit(
            actor=org.agent.user, target_level="intermediate", statement="s"
        )
        start_flow(flow_class=PromotionFlow, case=promotion)
    assert list(OutboxMessage.objects.values_list("to_email", "template")) == [
        ("lead@example.com", "task_assigned")
    ]
    with dispatched():
        run_action(
            flow_class=PromotionFlow,
            actions=PromotionFlow.actions,
            case=promotion,
            name="nominate",
            actor=org.lead.user,
        )
    assert OutboxMessage.objects.filter(
        to_email="gm@example.com", template="task_assigned"
    ).exists()
    with dispatched():
        run_action(
            flow_class=PromotionFlow,
            actions=PromotionFlow.actions,
            case=promotion,
            name="reject",
            actor=org.gm.user,
            reason="不符合",
        )
    decided = set(
        OutboxMessage.objects.filter(template="case_decided").values_list("to_email", flat=True)
    )
    assert decided == {"agent@example.com", "lead@example.com", "gm@example.com"}


def test_a_failing_notice_does_not_fail_the_committed_action(org, monkeypatch, caplog):
    """The decision is committed before the notices run: a receiver that raises is logged, and
    the person who acted still gets their answer."""
    from notifications import receivers

    def broken(**kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(receivers, "notify", broken)
    with dispatched():
        promotion = services.promotion_submit(
            actor=org.agent.user, target_level="intermediate", statement="s"
        )
        start_flow(flow_class=PromotionFlow, case=promotion)
    assert services.Promotion.objects.get(pk=promotion.pk).state == "submitted"
    assert "template missing" in caplog.text
