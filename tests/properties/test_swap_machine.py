"""A state machine of shift swaps (SWAP-1, issue 11): the colleague consents or refuses, the
lead approves or rejects, the requester cancels — and everybody else tries too."""

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from approvals.attendance.models import SwapState as S
from approvals.attendance.swap import swap_request
from workflows.attendance import ShiftSwapFlow
from workflows.engine import start_flow

from .conftest import machine_settings
from .machine import GOOD_TEXT, TEXTS, ProcessMachine, run_machine

NODES = {
    S.AWAITING_CONSENT: {frozenset({"consent"})},
    S.AWAITING_APPROVAL: {frozenset({"approval"})},
}
THU = ("2026-03-05T09:00:00+08:00", "2026-03-05T18:00:00+08:00")
FRI = ("2026-03-06T09:00:00+08:00", "2026-03-06T18:00:00+08:00")


class SwapMachine(ProcessMachine):
    flow_class = ShiftSwapFlow
    free_actions = ("cancel",)
    applicant_actions = {"consent", "refuse", "approve", "reject"}
    # The colleague is a party too: never the one who approves (ShiftSwapFlow.parties).
    forbidden_actions = {"colleague": {"approve", "reject"}}
    text_fields = {
        "consent": "comment",
        "refuse": "reason",
        "approve": "comment",
        "reject": "reason",
        "cancel": "reason",
    }
    good_actors = {
        "consent": ["colleague"],
        "refuse": ["colleague"],
        "approve": ["lead", "gm"],
        "reject": ["lead", "gm"],
        "cancel": ["applicant"],
    }

    def __init__(self):
        super().__init__()
        self.people["applicant"] = self.org.agent

    @initialize()
    def ask(self):
        """The agent asks to swap Thursday's shift for the colleague's Friday."""
        self.create("applicant", "colleague", THU, FRI, GOOD_TEXT)
        assert self.cases, self.log

    def create(self, who, colleague, mine, theirs, reason):
        actor = self.user(who)
        other = self.people[colleague].pk if colleague in self.people else colleague

        def call():
            case = swap_request(
                actor=actor,
                colleague=other,
                shift_start=mine[0],
                shift_end=mine[1],
                colleague_shift_start=theirs[0],
                colleague_shift_end=theirs[1],
                reason=reason,
            )
            start_flow(flow_class=ShiftSwapFlow, case=case)
            return case

        case = self.attempt(f"{who} asks a swap with {colleague} {mine} {theirs}", call)
        if case is not None:
            self.cases.append(case)

    @rule(
        who=st.sampled_from(["applicant", "colleague", "lead", "nobody", "bare"]),
        colleague=st.sampled_from(["colleague", "applicant", "nobody", "lead", None, "abc", 10**9]),
        mine=st.sampled_from([THU, FRI, (THU[1], THU[0]), ("2026-02-01T09:00:00+08:00", THU[1])]),
        theirs=st.sampled_from([FRI, THU, (None, None)]),
        reason=TEXTS,
    )
    def ask_again(self, who, colleague, mine, theirs, reason):
        if len(self.cases) < 3:
            self.create(who, colleague, mine, theirs, reason)

    def expected_nodes(self, case):
        return NODES.get(case.state, {frozenset()})

    def finished(self, case):
        return case.state not in NODES


@pytest.mark.django_db
def test_swap_process_machine():
    """SWAP-1: random right and wrong actions keep state, tasks and audit in step."""
    run_machine(SwapMachine, machine_settings())
