"""A state machine of probation conversion (PROB-1..3, issue 11).

The trainee's probation is open; trainers record the exam (failed ones are retaken), the lead
assesses or extends, the GM office approves or rejects, administration confirms — and every
wrong person tries every step, with good and bad bodies, while the clock moves.
"""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import strategies as st
from hypothesis.stateful import initialize

from approvals.probation.models import ProbationState as S
from tests.orgdata import employee
from tests.probation.helpers import HIRED
from workflows.probation import ProbationFlow, probation_start

from .conftest import machine_settings
from .machine import GOOD_TEXT, TEXTS, ProcessMachine, run_machine

# From the flow: the assessment branch's node for each state.
ASSESS_NODE = {
    S.IN_PROBATION: {"assess"},
    S.AWAITING_APPROVAL: {"approval"},
    S.APPROVED: {"administer"},
    S.CONFIRMED: set(),  # the timer waits for the effective date
}


class ProbationMachine(ProcessMachine):
    flow_class = ProbationFlow
    applicant_actions = {"record-exam", "assess", "extend", "approve", "reject", "confirm"}
    text_fields = {"approve": "comment", "reject": "reason"}
    good_actors = {
        "record-exam": ["trainer"],
        "assess": ["lead"],
        "extend": ["lead"],
        "approve": ["gm"],
        "reject": ["gm"],
        "confirm": ["admin", "admin2"],
    }

    def __init__(self):
        super().__init__()
        trainee = employee("newbie", department=self.org.cs, level="probationer")
        trainee.hired_on = HIRED
        trainee.save()
        self.people["applicant"] = trainee

    @initialize()
    def open_case(self):
        """PROB-1: the trainee's probation (hired 2026-01-10, ends 2026-04-10)."""
        case = self.attempt(
            "open probation", lambda: probation_start(employee=self.people["applicant"])
        )
        assert case is not None, self.log
        self.cases.append(case)

    def payload(self, name, data, good):
        if name in self.text_fields:
            return super().payload(name, data, good)
        today = timezone.localdate()
        text = GOOD_TEXT if good else data.draw(TEXTS)
        if name == "record-exam":
            if good:
                passed = data.draw(st.booleans())
                return {"passed": passed, "score": 85 if passed else 40, "notes": GOOD_TEXT}
            return {
                "passed": data.draw(st.sampled_from([None, "yes", 1, True])),
                "score": data.draw(st.sampled_from([None, -5, 101, "abc", 59.5])),
                "notes": text,
            }
        if name == "assess":
            outcome = st.sampled_from(
                ["convert", "end"] if good else ["convert", "extend", "", None]
            )
            return {"outcome": data.draw(outcome), "reason": text}
        if name == "extend":
            months = st.sampled_from([1, 3] if good else [0, 4, -1, "two", None, 10**20])
            return {"months": data.draw(months), "reason": text}
        if name == "confirm":
            days = st.sampled_from(
                [None, (today + dt.timedelta(days=1)).isoformat()]
                if good
                else ["2026-13-01", (today - dt.timedelta(days=3)).isoformat(), "0001-01-01", 7]
            )
            return {"effective_date": data.draw(days)}
        return {}

    def expected_nodes(self, case):
        if case.state not in ASSESS_NODE:
            return {frozenset()}
        assess = frozenset(ASSESS_NODE[case.state])
        if case.exam_passed:
            return {assess}
        if case.state in (S.IN_PROBATION, S.AWAITING_APPROVAL):
            return {assess | {"exam"}}
        # Approved or confirmed without a passed exam (an employment to end): a failed exam
        # recorded now closes the exam branch (ProbationFlow._exam_done); until then it is open.
        return {assess | {"exam"}, assess}

    def finished(self, case):
        return case.state in (S.CONVERTED, S.ENDED)


@pytest.mark.django_db
def test_probation_process_machine():
    """PROB-1..3: random right and wrong actions keep state, tasks and audit in step."""
    run_machine(ProbationMachine, machine_settings())
