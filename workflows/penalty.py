"""Penalty flow (处罚与申诉): who does the next step, in whose inbox, until when.

Serving the slip starts two parallel branches:
- receipt (PEN-3): the employee signs or refuses; a slip still unsigned when the objection window
  closes counts as refused. A refused slip needs witnesses: the issuer names them (unless named
  with the refusal), each named witness gets a signing task; the branch ends with two signatures.
- objection (APPEAL-1/2): the employee's "object" task is open until the window's last instant;
  its timer (the stored due time) lapses the window. An objection goes to the responder (the
  lead, or the GM office when the lead issued it) with the response deadline as timer; when it
  passes, the case escalates to the GM office queue.
Both branches join; the slip is then concluded: final, or first to the GM office for a dismissal
proposal or a raised refused slip (PEN-1, APPEAL-4). A revoked slip ends the process.
Rules live in approvals.penalty; this module only routes.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.models import Task

from approvals.db import read_case
from approvals.penalty import appeal, selectors, services
from approvals.penalty.models import Penalty, PenaltyState, Receipt
from approvals.routing import deciding_role, queue_of
from org.levels import Role
from org.models import Employee

from . import nodes
from .base import CaseFlowMixin, DataSplit, announce_task, assigned_user
from .engine import OPEN_TASK_STATUSES, Action
from .task_view import CaseTaskView

S = PenaltyState
# A timer fires when its time is <= now; the window's last instant still belongs to the employee.
AFTER = dt.timedelta(microseconds=1)


def _case(activation) -> Penalty:
    """The case as this transaction left it (approvals.db.read_case): routing runs in a chain of
    nodes sharing one process object, whose cached artifact may predate the services' changes."""
    return read_case(Penalty.objects, activation.process.artifact_object_id)


def _employee_user(activation):
    return activation.process.artifact.employee.user


def _issuer_user(activation):
    issuer = activation.process.artifact.issuer
    return issuer.user if issuer else None


def _issuer_permission(activation):
    case = activation.process.artifact
    return None if case.issuer_id else f"org.{deciding_role(Role.GM_OFFICE, case=case)}"


def _objection_closes(activation):
    return _case(activation).objection_due + AFTER


def _response_overdue(activation):
    return _case(activation).objection.response_due + AFTER


def _responder_user(activation):
    responder = appeal.responder_for(_case(activation))
    return responder.user if responder else None


def _responder_permission(activation):
    case = _case(activation)
    if appeal.responder_for(case):
        return None
    return f"org.{deciding_role(Role.GM_OFFICE, case=case)}"


def _witnesses(activation):
    penalty = _case(activation)
    return [
        {"user": user_id}
        for user_id in penalty.witnesses.order_by("pk").values_list("witness__user_id", flat=True)
    ]


def _receipt_is(*receipts):
    return lambda activation: _case(activation).receipt in receipts


def _state_is(*states):
    return lambda activation: _case(activation).state in states


def _has_witnesses(activation):
    return _case(activation).witnesses.exists()


def _hand_over_witness_task(process, payload) -> None:
    """PEN-3 replacement: the replaced witness's open signing task goes to the replacement
    (owner and task data), who is told as for any new task."""
    [old_id], [new_id] = (
        services.witness_ids(payload["witness"]),
        services.witness_ids(payload["replacement"]),
    )
    old_user = Employee.objects.get(pk=old_id).user_id
    new_user = get_user_model().objects.get(employee__pk=new_id)
    task = (
        Task.objects.select_for_update()
        .filter(
            process=process,
            flow_task=PenaltyFlow.instance.node("witness"),
            status__in=OPEN_TASK_STATUSES,
            owner_id=old_user,
        )
        .first()
    )
    if task is None:
        return  # not yet at the signing step: the split will create the task for the new name
    task.owner = new_user
    task.data = {**(task.data or {}), "user": new_user.pk}
    task.save(update_fields=["owner", "data"])
    announce_task(PenaltyFlow, task.pk)


class PenaltyFlow(CaseFlowMixin, flow.Flow):
    """Penalty and appeal

    Penalty slip, signature or witnesses, objection, response and outcome (PEN-*, APPEAL-*).
    """

    case_model = Penalty
    resource = "penalties"
    kind_label = _("Penalty")  # the kind of case, in lists
    process_summary_template = "{{ process.artifact }}"

    start = nodes.Start(this.start_case).Next(this.branches)
    branches = flow.Split().Always(this.sign).Always(this.object)

    # --- receipt (PEN-3) ----------------------------------------------------------------------
    sign = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Sign the penalty slip"))
        .Assign(_employee_user)
        .onCreate(this.on_task_created)
        .OnTimeout(_objection_closes, this.unsigned, title=_("Unsigned when the window closed"))
        .Next(this.after_receipt)
    )
    unsigned = nodes.Function(this.record_unsigned).Next(this.after_receipt)
    after_receipt = (
        nodes.Switch()
        .Case(this.decided, _receipt_is(Receipt.SIGNED))
        .Case(this.witnesses, _has_witnesses)
        .Default(this.name_witnesses)
    )
    name_witnesses = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Name two witnesses"))
        .Assign(_issuer_user)
        .Permission(_issuer_permission)
        .onCreate(this.on_task_created)
        .Next(this.witnesses)
    )
    witnesses = DataSplit().Next(this.witness, data_source=_witnesses)
    witness = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Sign as witness"))
        .Assign(assigned_user)
        .onCreate(this.on_task_created)
        .Next(this.witnessed)
    )
    witnessed = flow.Join().Next(this.decided)

    # --- objection and response (APPEAL-1, APPEAL-2) --------------------------------------------
    object = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Object to the penalty"))
        .Assign(_employee_user)
        .onCreate(this.on_task_created)
        .OnTimeout(_objection_closes, this.lapse, title=_("Objection window closed"))
        .Next(this.respond)
    )
    lapse = nodes.Function(this.close_window).Next(this.decided)
    respond = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Answer the objection"))
        .Assign(_responder_user)
        .Permission(_responder_permission)
        .onCreate(this.on_task_created)
        .OnTimeout(_response_overdue, this.overdue, title=_("Response overdue"))
        .Next(this.decided)
    )
    overdue = nodes.Function(this.escalate_overdue).Next(this.respond_gm)
    respond_gm = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Answer the overdue objection"))
        .Permission(queue_of(Role.GM_OFFICE))
        .onCreate(this.on_task_created)
        .Next(this.decided)
    )

    # --- outcome (APPEAL-3, PEN-1, APPEAL-4) ----------------------------------------------------
    decided = flow.Join().Next(this.conclude)
    conclude = nodes.Function(this.conclude_case).Next(this.after_conclude)
    after_conclude = nodes.If(_state_is(S.AWAITING_APPROVAL)).Then(this.approval).Else(this.end)
    approval = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Approve the sanction"))
        .Permission(queue_of(Role.GM_OFFICE))
        .onCreate(this.on_task_created)
        .Next(this.end)
    )
    end = nodes.End()

    actions = {
        "sign": Action(services.penalty_sign, nodes=("sign",)),
        "refuse-to-sign": Action(services.penalty_refuse, nodes=("sign",), fields=("witnesses",)),
        "name-witnesses": Action(
            services.penalty_name_witnesses, nodes=("name_witnesses",), fields=("witnesses",)
        ),
        "witness": Action(services.penalty_witness, nodes=("witness",), per_owner=True),
        "replace-witness": Action(
            services.penalty_replace_witness,
            fields=("witness", "replacement"),
            then=lambda process, case, payload: _hand_over_witness_task(process, payload),
        ),
        "object": Action(appeal.penalty_object, nodes=("object",), fields=("reason",)),
        "respond": Action(
            appeal.penalty_respond,
            nodes=("respond", "respond_gm"),
            fields=("decision", "reason", "reduced_to"),
            cancels_process=lambda case: case.state == S.REVOKED,
        ),
        "escalate": Action(services.penalty_raise, fields=("to", "reason")),
        "approve": Action(appeal.penalty_approve, nodes=("approval",), fields=("comment",)),
        "reject": Action(appeal.penalty_reject, nodes=("approval",), fields=("reason",)),
    }
    node_deadlines = {
        "sign": "objection",
        "object": "objection",
        "respond": "response",
        "respond_gm": "response",
    }
    # LEAVE-6: the steps a lead on leave hands to the delegate (personal ones never move).
    delegable_nodes = frozenset({"respond"})
    # Overdue handling is the flow's own (timers above): no generic escalation notice for these.
    escalating_nodes = {"sign", "object", "respond", "respond_gm"}
    # Objecting is the employee's right, not a duty: no reminders for it (signing has them).
    quiet_nodes = {"object"}
    node_actions = {
        "sign": ["sign", "refuse-to-sign"],
        "name_witnesses": ["name-witnesses"],
        "witness": ["witness"],
        "object": ["object"],
        "respond": ["respond"],
        "respond_gm": ["respond"],
        "approval": ["approve", "reject"],
    }

    def record_unsigned(self, activation):
        services.penalty_record_unsigned(penalty=_case(activation))

    def close_window(self, activation):
        appeal.penalty_window_lapse(penalty=_case(activation))

    def escalate_overdue(self, activation):
        appeal.penalty_escalate_overdue(penalty=_case(activation))

    def conclude_case(self, activation):
        appeal.penalty_conclude(penalty=_case(activation))

    def limited_reader(self, user, case):
        from approvals.penalty.selectors import is_witness_view

        return is_witness_view(user, case)  # PEN-3

    def visible_cases(self, user):
        return selectors.penalties_visible_to(user)

    def available_actions(self, user, case):
        return selectors.available_actions(user, case)
