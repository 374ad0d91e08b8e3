"""A state machine of missed-punch make-ups (PUNCH-1, issue 11): requested within 3 days with a
reason, at most 5 a month, approved or rejected by the lead — others try too."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from approvals.attendance.models import PunchState as S
from approvals.attendance.punch import punch_request
from workflows.attendance import PunchCorrectionFlow
from workflows.engine import start_flow

from .conftest import machine_settings
from .machine import GOOD_TEXT, TEXTS, ProcessMachine, run_machine


class PunchMachine(ProcessMachine):
    flow_class = PunchCorrectionFlow
    applicant_actions = {"approve", "reject"}
    text_fields = {"approve": "comment", "reject": "reason"}
    good_actors = {"approve": ["lead", "gm"], "reject": ["lead", "gm"]}

    def __init__(self):
        super().__init__()
        self.people["applicant"] = self.org.agent

    @initialize()
    def ask(self):
        """The agent missed this morning's punch (two hours ago) and asks for a make-up."""
        self.create("applicant", timezone.now() - dt.timedelta(hours=2), GOOD_TEXT)
        assert self.cases, self.log

    def create(self, who, missed_at, reason):
        actor = self.user(who)
        at = missed_at.isoformat() if hasattr(missed_at, "isoformat") else missed_at

        def call():
            case = punch_request(actor=actor, missed_at=at, reason=reason)
            start_flow(flow_class=PunchCorrectionFlow, case=case)
            return case

        case = self.attempt(f"{who} asks a make-up for {at}", call)
        if case is not None:
            self.cases.append(case)

    @rule(
        who=st.sampled_from(["applicant", "colleague", "lead", "bare"]),
        ago=st.sampled_from([-60, 0, 30, 60 * 24 * 2, 60 * 24 * 4, None]),
        reason=TEXTS,
    )
    def ask_again(self, who, ago, reason):
        """Another make-up: in the future, now, within or past the 3 days, or no time at all."""
        if len(self.cases) < 4:
            missed = None if ago is None else timezone.now() - dt.timedelta(minutes=ago)
            self.create(who, missed, reason)

    def expected_nodes(self, case):
        return {frozenset({"approval"})} if case.state == S.PENDING else {frozenset()}

    def finished(self, case):
        return case.state != S.PENDING


@pytest.mark.django_db
def test_punch_process_machine():
    """PUNCH-1: random right and wrong actions keep state, tasks and audit in step."""
    run_machine(PunchMachine, machine_settings())
