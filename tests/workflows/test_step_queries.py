"""Issue 12: the statements of each step of a promotion case, pinned. One action is one short
transaction (the process and its task locked in one statement, the case row, the transition,
the deadlines, the audit event, the next task, the outbox event); a change here shows in the
whole table at once. The issue's budget is 12 statements per human step on average over a
promotion case, BEGIN and COMMIT included; the figures pinned here are today's, above it, so
that every step towards it (or away) is visible.

Inside a pytest-django test the engine's transaction is a savepoint: SAVEPOINT and RELEASE stand
where BEGIN and COMMIT are in production, so the counts are the same. They are the same on SQLite
and PostgreSQL. `benchmarks/promotion.py` prints the same figures outside a test."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.orgdata import apply_for_promotion, build_org
from workflows.engine import run_action
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db

PROMOTION_STEPS = {"apply": 25, "nominate": 14, "approve": 17, "confirm": 23}


def _act(name, actor, **payload):
    # A fresh user, as a request's (read by the authentication, before the action): its roles
    # are read inside the action, as in the API.
    actor = fresh(actor)

    def step(case):
        return run_action(
            flow_class=PromotionFlow,
            actions=PromotionFlow.actions,
            case=case,
            name=name,
            actor=actor,
            **payload,
        )

    return step


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_promo3_statements_per_step_of_a_promotion_case():
    org = build_org()
    # Warm what every process caches once (content types, the policy version, the calendar).
    warm = apply_for_promotion(org.agent.user)
    _act("withdraw", org.agent.user, reason="试")(warm)
    applicant = fresh(org.agent.user)
    steps = [
        ("apply", lambda _: apply_for_promotion(applicant)),
        ("nominate", _act("nominate", org.lead.user, comment="")),
        ("approve", _act("approve", org.gm.user, comment="")),
        (
            "confirm",
            _act("confirm", org.admin.user, effective_date=timezone.localdate().isoformat()),
        ),
    ]
    counts, case = {}, None
    for name, step in steps:
        step_case = case
        with CaptureQueriesContext(connection) as ctx:
            case = step(step_case)
        counts[name] = len(ctx.captured_queries)
    case.refresh_from_db()
    assert case.state == "effective"
    assert counts == PROMOTION_STEPS, counts
    per_step = sum(counts.values()) / len(counts)
    assert per_step == sum(PROMOTION_STEPS.values()) / 4  # 19.75 today; the budget is 12
