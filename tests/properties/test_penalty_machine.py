"""A state machine of penalty slips and appeals (PEN-1..3, APPEAL-1..4, issue 11).

The lead serves a slip; the employee signs or refuses, objects or lets the window lapse; witnesses
sign; the objection is answered or escalates when overdue; the GM office approves what needs it —
and every wrong person tries every step, with good and bad bodies, while the clock moves.
"""

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize

from approvals.penalty.models import PenaltyState as S
from approvals.penalty.models import Receipt, Witness
from approvals.penalty.services import penalty_serve
from workflows.engine import start_flow
from workflows.penalty import PenaltyFlow

from .conftest import machine_settings
from .machine import GOOD_TEXT, TEXTS, ProcessMachine, run_machine

# From the flow: the objection branch's node for each state (None: that branch has ended).
OBJECTION_NODE = {S.SERVED: "object", S.OBJECTED: "respond", S.ESCALATED: "respond_gm"}
SANCTIONS = ["verbal_warning", "written_warning", "final_warning", "dismissal"]


class PenaltyMachine(ProcessMachine):
    flow_class = PenaltyFlow
    free_actions = ("replace-witness", "escalate")
    applicant_actions = {
        "respond",
        "approve",
        "reject",
        "name-witnesses",
        "witness",
        "replace-witness",
        "escalate",
    }
    # PEN-3: the issuer is never a witness; APPEAL-2: the issuer's slip is answered by the GM
    # office, not by the issuer; the GM approval (PEN-1, APPEAL-4) is not the issuer's either.
    forbidden_actions = {"lead": {"witness", "respond", "approve", "reject"}}
    text_fields = {"object": "reason", "approve": "comment", "reject": "reason"}
    good_actors = {
        "sign": ["applicant"],
        "refuse-to-sign": ["applicant"],
        "object": ["applicant"],
        "name-witnesses": ["lead"],
        "witness": ["colleague", "trainer", "nobody"],
        "replace-witness": ["lead"],
        "respond": ["gm", "lead"],
        "escalate": ["lead"],
        "approve": ["gm"],
        "reject": ["gm"],
    }

    def __init__(self):
        super().__init__()
        self.people["applicant"] = self.org.agent

    @initialize(sanction=st.sampled_from(SANCTIONS))
    def serve(self, sanction):
        """The lead serves the agent a slip (PEN-2)."""
        actor = self.user("lead")

        def call():
            case = penalty_serve(
                actor=actor,
                employee=self.org.agent.pk,
                facts="2026-03-02 迟到 25 分钟",
                rule="考勤制度 第3条",
                sanction=sanction,
                evidence="打卡记录截图",
            )
            start_flow(flow_class=PenaltyFlow, case=case)
            return case

        case = self.attempt(f"lead serves {sanction}", call)
        assert case is not None, self.log
        self.cases.append(case)

    def ids(self, *names):
        return [self.people[n].pk for n in names]

    def payload(self, name, data, good):
        if name in self.text_fields:
            return super().payload(name, data, good)
        witnesses = st.sampled_from(
            [
                self.ids("colleague", "trainer"),
                self.ids("colleague", "nobody"),
                self.ids("colleague"),
                self.ids("applicant", "colleague"),
                self.ids("lead", "trainer"),
                [10**9, 1],
                "两位同事",
                None,
            ]
        )
        if name == "refuse-to-sign":
            return {"witnesses": data.draw(st.sampled_from([None, []]) if good else witnesses)}
        if name == "name-witnesses":
            return {"witnesses": self.ids("colleague", "trainer") if good else data.draw(witnesses)}
        if name == "replace-witness":
            people = st.sampled_from(["colleague", "trainer", "nobody", "applicant", "lead"])
            return {
                "witness": self.people[data.draw(people)].pk,
                "replacement": self.people[data.draw(people)].pk if good else data.draw(witnesses),
            }
        if name == "respond":
            if good:
                decision = data.draw(st.sampled_from(["uphold", "reduce", "revoke"]))
                return {"decision": decision, "reason": GOOD_TEXT, "reduced_to": "verbal_warning"}
            return {
                "decision": data.draw(st.sampled_from(["uphold", "reduce", "annul", None])),
                "reason": data.draw(TEXTS),
                "reduced_to": data.draw(st.sampled_from([None, "dismissal", "verbal_warning", 3])),
            }
        if name == "escalate":
            to = st.sampled_from(
                ["final_warning", "dismissal"] if good else [None, "fine", *SANCTIONS]
            )
            return {"to": data.draw(to), "reason": GOOD_TEXT if good else data.draw(TEXTS)}
        return {}

    def receipt_nodes(self, case) -> frozenset:
        """From the flow's receipt branch (PEN-3)."""
        if case.receipt == Receipt.PENDING:
            return frozenset({"sign"})
        if case.receipt == Receipt.REFUSED:
            named = Witness.objects.filter(penalty=case).exists()
            return frozenset({"witness" if named else "name_witnesses"})
        return frozenset()  # signed, or witnessed by two

    def expected_nodes(self, case):
        receipt = self.receipt_nodes(case)
        if case.state in OBJECTION_NODE:
            return {receipt | {OBJECTION_NODE[case.state]}}
        if case.state == S.DECIDED:
            # Decided waits only for the receipt branch; with it done the join concludes.
            return {receipt} if receipt else {frozenset({"<concluded>"})}
        if case.state == S.AWAITING_APPROVAL:
            return {frozenset({"approval"})}
        return {frozenset()}

    def finished(self, case):
        return case.state in (S.FINAL, S.REVOKED)


@pytest.mark.django_db
def test_penalty_process_machine():
    """PEN-3/APPEAL-1..4: random right and wrong actions keep state, tasks and audit in step."""
    run_machine(PenaltyMachine, machine_settings())
