"""Leave flow (请假): who decides, in whose inbox, until when.

The request goes to the employee's department lead (the GM office queue for a lead's own leave
or a department without a lead, LEAVE-1). Its decision deadline is the leave's start (an
emergency's: the end of the day after it was recorded, LEAVE-2); reminders come before it and,
when it passes undecided, the timer hands the request to the GM office (LEAVE-5). While the lead
is on leave, the delegate decides for them (LEAVE-6). A GM-office queue whose only member is
the requester is the policy's fallback role's queue instead (issue 11, finding 10:
approvals.routing). Cancelling ends the process.
Rules live in approvals.leave; this module only routes.
"""

import datetime as dt

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from approvals.db import read_case
from approvals.deadlines import Deadline
from approvals.leave import selectors, services
from approvals.leave.models import Leave, LeaveState
from approvals.routing import deciding_role
from org.levels import Role

from . import nodes
from .base import CaseFlowMixin
from .engine import Action
from .task_view import CaseTaskView

S = LeaveState
AFTER = dt.timedelta(microseconds=1)
GM_OFFICE = f"org.{Role.GM_OFFICE}"


def _case(activation) -> Leave:
    return read_case(
        Leave.objects.select_related("employee__department"), activation.process.artifact_object_id
    )


def _decider_user(activation):
    lead = services.decider_of(_case(activation))
    return lead.user if lead is not None else None


def _decider_permission(activation):
    case = _case(activation)
    return None if services.decider_of(case) else _gm_office_queue(activation)


def _gm_office_queue(activation):
    """The GM office's queue, or the policy's fallback role's when the GM office's only member
    is the requester (issue 11, finding 10)."""
    return f"org.{deciding_role(Role.GM_OFFICE, case=_case(activation))}"


def _decision_overdue(activation):
    """The stored decision deadline; its last instant still belongs to the lead."""
    deadline = Deadline.objects.filter(
        case_type=services.CASE_TYPE,
        case_id=activation.process.artifact_object_id,
        name=services.DEADLINE,
    ).latest("pk")
    return deadline.due_at + AFTER


class LeaveFlow(CaseFlowMixin, flow.Flow):
    """Leave request

    Leave approved in advance by the department lead; emergencies decided afterwards (LEAVE-*).
    """

    case_model = Leave
    resource = "leaves"
    kind_label = _("Leave")  # the kind of case, in lists
    process_summary_template = "{{ process.artifact }}"

    start = nodes.Start(this.start_case).Next(this.decide)
    decide = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Decide the leave request"))
        .Assign(_decider_user)
        .Permission(_decider_permission)
        .onCreate(this.on_task_created)
        .OnTimeout(_decision_overdue, this.overdue, title=_("Undecided at its deadline"))
        .Next(this.end)
    )
    overdue = nodes.Function(this.escalate_overdue).Next(this.after_overdue)
    after_overdue = nodes.If(this.still_pending).Then(this.decide_gm).Else(this.end)
    decide_gm = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Decide the overdue leave request"))
        .Permission(_gm_office_queue)
        .onCreate(this.on_task_created)
        .Next(this.end)
    )
    end = nodes.End()

    actions = {
        "approve": Action(
            services.leave_approve, nodes=("decide", "decide_gm"), fields=("comment",)
        ),
        "reject": Action(services.leave_reject, nodes=("decide", "decide_gm"), fields=("reason",)),
        "cancel": Action(
            services.leave_cancel,
            fields=("reason",),
            cancels_process=lambda leave: leave.state == S.CANCELLED,
        ),
    }
    node_deadlines = {"decide": services.DEADLINE, "decide_gm": services.DEADLINE}
    # LEAVE-6: a lead on leave hands the decisions to their delegate.
    delegable_nodes = frozenset({"decide"})
    # The lead's step escalates by its own timer (LEAVE-5); the GM office's is already overdue.
    escalating_nodes = {"decide", "decide_gm"}
    node_actions = {"decide": ["approve", "reject"], "decide_gm": ["approve", "reject"]}

    def escalate_overdue(self, activation):
        services.leave_escalate(leave=_case(activation))

    def still_pending(self, activation):
        return _case(activation).state == S.PENDING

    def visible_cases(self, user):
        return selectors.leaves_visible_to(user)

    def available_actions(self, user, case):
        return selectors.available_actions(user, case)
