"""Attendance flows (调班、补卡): who does the next step, in whose inbox.

- ShiftSwapFlow (SWAP-1): the colleague's consent task → (consented) the approval task of the
  department lead, or of the GM office queue when the requester or the colleague is the lead →
  end. A refusal, a rejection or the requester's cancellation ends the process.
- PunchCorrectionFlow (PUNCH-1): the approval task of the department lead (GM office queue for
  a lead's own) → end.
The lead's approval is delegable (LEAVE-6). A GM-office queue whose only member is a party goes
to the policy's fallback role (issue 11, finding 10: approvals.routing). Rules live in approvals.attendance; this module
only routes.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from approvals.attendance import punch, selectors, swap
from approvals.attendance.common import approver_for
from approvals.attendance.models import PunchCorrection, ShiftSwap, SwapState
from approvals.db import read_case
from approvals.routing import deciding_role
from org.levels import Role

from . import nodes
from .base import CaseFlowMixin
from .engine import Action
from .task_view import CaseTaskView

GM_OFFICE = f"org.{Role.GM_OFFICE}"


def _approver_user(model):
    def assign(activation):
        lead = approver_for(read_case(model.objects, activation.process.artifact_object_id))
        return lead.user if lead else None

    return assign


def _approver_permission(model):
    def permission(activation):
        case = read_case(model.objects, activation.process.artifact_object_id)
        if approver_for(case):
            return None
        # Finding 10: the fallback role's queue when the GM office's only member is a party.
        return f"org.{deciding_role(Role.GM_OFFICE, case=case)}"

    return permission


def _colleague_user(activation):
    return read_case(ShiftSwap.objects, activation.process.artifact_object_id).colleague.user


def _consented(activation):
    case = read_case(ShiftSwap.objects, activation.process.artifact_object_id)
    return case.state == SwapState.AWAITING_APPROVAL


class ShiftSwapFlow(CaseFlowMixin, flow.Flow):
    """Shift swap

    The colleague consents, then the department lead approves (SWAP-1).
    """

    case_model = ShiftSwap
    resource = "shift-swaps"
    kind_label = _("Shift swap")  # the kind of case, in lists
    process_summary_template = "{{ process.artifact }}"

    start = nodes.Start(this.start_case).Next(this.consent)
    consent = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Consent to the shift swap"))
        .Assign(_colleague_user)
        .onCreate(this.on_task_created)
        .Next(this.after_consent)
    )
    after_consent = nodes.If(_consented).Then(this.approval).Else(this.end)
    approval = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Approve the shift swap"))
        .Assign(_approver_user(ShiftSwap))
        .Permission(_approver_permission(ShiftSwap))
        .onCreate(this.on_task_created)
        .Next(this.end)
    )
    end = nodes.End()

    actions = {
        "consent": Action(swap.swap_consent, nodes=("consent",), fields=("comment",)),
        "refuse": Action(swap.swap_refuse, nodes=("consent",), fields=("reason",)),
        "approve": Action(swap.swap_approve, nodes=("approval",), fields=("comment",)),
        "reject": Action(swap.swap_reject, nodes=("approval",), fields=("reason",)),
        "cancel": Action(swap.swap_cancel, fields=("reason",), cancels_process=True),
    }
    node_deadlines: dict = {}
    # LEAVE-6: the lead's approval goes to the delegate while the lead is on leave; the
    # colleague's consent is personal.
    delegable_nodes = frozenset({"approval"})
    escalating_nodes: set = set()
    quiet_nodes: set = set()
    node_actions = {"consent": ["consent", "refuse"], "approval": ["approve", "reject"]}

    def parties(self, case) -> set[int]:
        """The colleague is a party too: never the one who approves in the lead's place."""
        return {case.employee_id, case.colleague_id}

    def visible_cases(self, user):
        return selectors.swaps_visible_to(user)

    def available_actions(self, user, case):
        return selectors.swap_actions(user, case)


class PunchCorrectionFlow(CaseFlowMixin, flow.Flow):
    """Missed-punch make-up

    The department lead (GM office for a lead's own) approves the make-up (PUNCH-1).
    """

    case_model = PunchCorrection
    resource = "punch-corrections"
    kind_label = _("Missed-punch make-up")  # the kind of case, in lists
    process_summary_template = "{{ process.artifact }}"

    start = nodes.Start(this.start_case).Next(this.approval)
    approval = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Approve the missed-punch make-up"))
        .Assign(_approver_user(PunchCorrection))
        .Permission(_approver_permission(PunchCorrection))
        .onCreate(this.on_task_created)
        .Next(this.end)
    )
    end = nodes.End()

    actions = {
        "approve": Action(punch.punch_approve, nodes=("approval",), fields=("comment",)),
        "reject": Action(punch.punch_reject, nodes=("approval",), fields=("reason",)),
    }
    node_deadlines: dict = {}
    delegable_nodes = frozenset({"approval"})  # LEAVE-6
    escalating_nodes: set = set()
    quiet_nodes: set = set()
    node_actions = {"approval": ["approve", "reject"]}

    def visible_cases(self, user):
        return selectors.punches_visible_to(user)

    def available_actions(self, user, case):
        return selectors.punch_actions(user, case)
