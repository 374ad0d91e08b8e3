"""A state machine of leave requests (LEAVE-1, LEAVE-2, LEAVE-4, LEAVE-5, issue 11).

The agent asks for leave (good and bad requests: end before start, past start, overlaps...);
right and wrong people approve, reject and cancel while the clock runs past the start, where the
timer hands an undecided request to the GM office (LEAVE-5).
"""

import datetime as dt

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from approvals.leave.models import LeaveState as S
from approvals.leave.services import leave_submit
from audit.models import AuditEvent
from tests.penalty.helpers import local
from workflows.engine import start_flow
from workflows.leave import LeaveFlow

from .conftest import machine_settings
from .machine import GOOD_TEXT, TEXTS, ProcessMachine, run_machine

MON_9, MON_18 = local(2026, 3, 9, 9, 0), local(2026, 3, 9, 18, 0)
FINISHED = {S.APPROVED, S.REJECTED, S.CANCELLED}


class LeaveMachine(ProcessMachine):
    flow_class = LeaveFlow
    free_actions = ("cancel",)
    applicant_actions = {"approve", "reject"}
    text_fields = {"approve": "comment", "reject": "reason", "cancel": "reason"}
    good_actors = {"approve": ["lead", "gm"], "reject": ["lead", "gm"], "cancel": ["applicant"]}

    def __init__(self):
        super().__init__()
        self.people["applicant"] = self.org.agent

    @initialize(kind=st.sampled_from(["personal", "sick"]), emergency=st.booleans())
    def ask(self, kind, emergency):
        """The agent asks a week ahead for Monday (LEAVE-1), or records an emergency (LEAVE-2)
        that started a few minutes ago."""
        if emergency:
            start = local(2026, 3, 2, 9, 30)
            self.create("applicant", kind, start, start + dt.timedelta(hours=8), GOOD_TEXT, True)
        else:
            self.create("applicant", kind, MON_9, MON_18, GOOD_TEXT, False)
        assert self.cases, self.log

    def create(self, who, kind, start, end, reason, emergency):
        actor = self.user(who)
        iso = lambda v: v.isoformat() if hasattr(v, "isoformat") else v  # noqa: E731

        def call():
            case = leave_submit(
                actor=actor,
                kind=kind,
                start=iso(start),
                end=iso(end),
                reason=reason,
                emergency=emergency,
            )
            start_flow(flow_class=LeaveFlow, case=case)
            return case

        case = self.attempt(f"{who} asks {kind} {start}..{end} emergency={emergency}", call)
        if case is not None:
            self.cases.append(case)

    @rule(
        who=st.sampled_from(["applicant", "colleague", "lead", "bare", "gm"]),
        kind=st.sampled_from(["personal", "annual", "holiday", "", None]),
        span=st.sampled_from(
            [
                (MON_9, MON_18),  # overlaps the first request (LEAVE-4)
                (MON_18, MON_9),  # ends before it starts
                (local(2026, 3, 1, 9, 0), local(2026, 3, 1, 18, 0)),  # in the past
                (local(2026, 3, 10, 9, 0), local(2026, 3, 10, 18, 0)),
                ("tomorrow", "later"),
                (None, None),
            ]
        ),
        reason=TEXTS,
        emergency=st.sampled_from([False, True, "yes"]),
    )
    def ask_again(self, who, kind, span, reason, emergency):
        if len(self.cases) < 3:
            self.create(who, kind, *span, reason, emergency)

    def expected_nodes(self, case):
        if case.state != S.PENDING:
            return {frozenset()}
        overdue = AuditEvent.objects.filter(
            case_type="leave", case_id=case.pk, action="decision-overdue"
        ).exists()
        return {frozenset({"decide_gm" if overdue else "decide"})}

    def finished(self, case):
        return case.state in FINISHED


@pytest.mark.django_db
def test_leave_process_machine():
    """LEAVE-1/4/5: random right and wrong actions keep state, tasks and audit in step."""
    run_machine(LeaveMachine, machine_settings())
