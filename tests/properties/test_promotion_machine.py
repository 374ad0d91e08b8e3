"""A state machine of the promotion process (PROMO-3, PROMO-4, issue 11).

Right and wrong people nominate, vote, review, schedule and score defences, confirm and withdraw
with good and bad bodies while the clock moves; the invariants of tests/properties/machine.py
hold after every step.
"""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from approvals.promotion.models import PromotionState as S
from approvals.promotion.services import promotion_submit
from workflows.engine import start_flow
from workflows.promotion import PromotionFlow

from .conftest import machine_settings
from .machine import GOOD_TEXT, TEXTS, ProcessMachine, run_machine

FINISHED = {S.EFFECTIVE, S.DECLINED, S.REJECTED, S.DEFENCE_FAILED, S.WITHDRAWN}
# From the flow: each state's open task nodes (the score_defence tasks: one per unscored member).
NODES = {
    S.SUBMITTED: {frozenset({"nominate"})},
    S.NOMINATED: {frozenset({"gm_review"})},
    S.APPROVED: {frozenset({"administer"})},
    S.DEFENCE_SCHEDULED: {frozenset({"score_defence"})},
    S.DEFENCE_PASSED: {frozenset({"confirm"})},
    S.CONFIRMED: {frozenset()},  # the timer waits for the effective date
}
PANEL = ("admin", "admin2", "trainer")
DECIDING = {
    "open-vote",
    "close-vote",
    "nominate",
    "decline",
    "approve",
    "reject",
    "send-back",
    "schedule-defence",
    "score-defence",
    "confirm",
}


class PromotionMachine(ProcessMachine):
    flow_class = PromotionFlow
    free_actions = ()  # withdrawal and the votes come through act_any (else they end most runs)
    applicant_actions = DECIDING
    good_actors = {
        "withdraw": ["applicant"],
        "open-vote": ["lead"],
        "close-vote": ["lead"],
        "vote": ["colleague", "trainer", "applicant", "lead"],
        "nominate": ["lead", "gm"],
        "decline": ["lead", "gm"],
        "approve": ["gm"],
        "reject": ["gm"],
        "send-back": ["gm"],
        "schedule-defence": ["admin", "admin2"],
        "score-defence": list(PANEL),
        "confirm": ["admin", "admin2"],
    }

    def __init__(self):
        super().__init__()
        self.people["applicant"] = self.org.agent

    @initialize(skip=st.sampled_from([None, "特殊贡献"]))
    def apply(self, skip):
        """The eligible agent applies for intermediate (or senior, as skip-level)."""
        target = "senior" if skip else "intermediate"
        self.create("applicant", target, GOOD_TEXT, skip)
        assert self.cases, self.log

    def create(self, who, target, statement, skip):
        actor = self.user(who)

        def call():
            case = promotion_submit(
                actor=actor, target_level=target, statement=statement, skip_level_reason=skip
            )
            start_flow(flow_class=PromotionFlow, case=case)
            return case

        case = self.attempt(f"{who} applies {target!r}", call)
        if case is not None:
            self.cases.append(case)

    @rule(
        who=st.sampled_from(["applicant", "colleague", "lead", "gm", "bare", "nobody"]),
        level=st.sampled_from(["intermediate", "senior", "junior", "ceo", ""]),
        statement=TEXTS,
        skip=st.sampled_from([None, "", "特殊贡献"]),
    )
    def apply_again(self, who, level, statement, skip):
        """Another application, good or bad (one open per person and level, PROMO-6...)."""
        if len(self.cases) < 3:
            self.create(who, level, statement, skip)

    def payload(self, name, data, good):
        today = timezone.localdate()
        soon = timezone.now() + dt.timedelta(days=2)
        ids = {who: self.people[who].pk for who in (*PANEL, "applicant", "colleague")}
        if good:
            return {
                "withdraw": {"reason": GOOD_TEXT},
                "vote": {"support": data.draw(st.booleans())},
                "nominate": {"comment": GOOD_TEXT},
                "decline": {"reason": GOOD_TEXT},
                "approve": {"comment": GOOD_TEXT, "confirm_skip_level": True},
                "reject": {"reason": GOOD_TEXT},
                "send-back": {"reason": GOOD_TEXT},
                "schedule-defence": {
                    "at": soon.isoformat(),
                    "panel": [ids[p] for p in PANEL],
                },
                "score-defence": {
                    "score": data.draw(st.sampled_from(["85", 70, "60.5", 95])),
                    "notes": GOOD_TEXT,
                },
                "confirm": {"effective_date": None},
            }.get(name, {})
        text = data.draw(TEXTS)
        return {
            "withdraw": {"reason": text},
            "vote": {"support": data.draw(st.sampled_from([True, False, None, "yes", 2]))},
            "nominate": {"comment": text},
            "decline": {"reason": text},
            "approve": {
                "comment": text,
                "confirm_skip_level": data.draw(st.sampled_from([None, False, True, "x"])),
            },
            "reject": {"reason": text},
            "send-back": {"reason": text},
            "schedule-defence": {
                "at": data.draw(
                    st.sampled_from(
                        [
                            None,
                            "tomorrow",
                            (timezone.now() - dt.timedelta(days=1)).isoformat(),
                            (timezone.now() + dt.timedelta(days=4000)).isoformat(),
                            soon.isoformat(),
                        ]
                    )
                ),
                "panel": data.draw(
                    st.sampled_from(
                        [
                            None,
                            [],
                            "1,2",
                            [ids["admin"]],
                            [ids["admin"], ids["admin2"], ids["applicant"]],
                            [ids["admin"], ids["admin2"], ids["colleague"]],
                            [ids["admin"], ids["admin"], ids["trainer"]],
                            [ids["admin"], ids["admin2"], 10**9],
                            [ids[p] for p in PANEL],
                        ]
                    )
                ),
            },
            "score-defence": {
                "score": data.draw(st.sampled_from([None, -1, 101, "abc", "NaN", 1e308, "69.99"])),
                "notes": text,
            },
            "confirm": {
                "effective_date": data.draw(
                    st.sampled_from(
                        [
                            "2026-02-30",
                            "soon",
                            (today - dt.timedelta(days=1)).isoformat(),
                            (today + dt.timedelta(days=1)).isoformat(),
                            (today + dt.timedelta(days=40000)).isoformat()
                            if today.year < 9000
                            else "x",
                        ]
                    )
                )
            },
        }.get(name, {})

    def expected_nodes(self, case):
        return NODES.get(case.state, {frozenset()})

    def finished(self, case):
        return case.state in FINISHED


@pytest.mark.django_db
def test_promotion_process_machine():
    """PROMO-3/PROMO-4: random right and wrong actions keep state, tasks and audit in step."""
    run_machine(PromotionMachine, machine_settings())
