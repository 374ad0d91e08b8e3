"""Probation flow (转正): who does the next step, in whose inbox, until when.

Opening the case (PROB-1, at hire or by the backfill) starts two branches:
- exam (PROB-2): the trainers' queue records the skills exam; a failed exam comes back for a
  retake until it is passed (or the case closes);
- assessment (PROB-2/3): the department lead (their delegate while on leave, LEAVE-6; the GM
  office for a leadless department or a lead's own probation) assesses — convert or end
  employment — or extends; the task is due when the end date begins, with reminders 14 and 3
  days before it and an escalation notice to the GM office at it (PROB-5, the deadline engine).
  The GM office approves or rejects: a rejection or an approved extension reopens the
  assessment (with the new end date); an approved conversion or end goes to administration,
  which confirms the effective date; on it (a timer when ahead) the outcome takes effect.
An early conversion application (PROB-4) adds no task: it lets the lead convert before the end.
Rules live in approvals.probation; this module only routes.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.models import Task

from approvals.db import read_case, whole_transaction
from approvals.probation import common, outcome, selectors, services
from approvals.probation.models import Probation, ProbationState
from approvals.routing import deciding_role, queue_of
from org.levels import Role

from . import nodes
from .base import CaseFlowMixin
from .engine import OPEN_TASK_STATUSES, Action, start_flow
from .task_view import CaseTaskView

S = ProbationState


def _case(activation) -> Probation:
    """The case as this transaction left it (approvals.db.read_case: the instance the services
    changed, or read fresh)."""
    return read_case(
        Probation.objects.select_related("department__lead__user"),
        activation.process.artifact_object_id,
    )


def _state_is(*states):
    return lambda activation: _case(activation).state in states


def _exam_done(activation):
    case = _case(activation)
    return bool(case.exam_passed) or case.state not in (S.IN_PROBATION, S.AWAITING_APPROVAL)


def _lead_user(activation):
    case = _case(activation)
    return None if common.assessor_is_gm_office(case) else case.department.lead.user


def _lead_permission(activation):
    case = _case(activation)
    if not common.assessor_is_gm_office(case):
        return None
    return f"org.{deciding_role(Role.GM_OFFICE, case=case)}"


def _effective_now(activation):
    return _case(activation).effective_on <= timezone.localdate()


def _effective_at(activation):
    return common.start_of(_case(activation).effective_on)


class ProbationFlow(CaseFlowMixin, flow.Flow):
    """Probation conversion

    Skills exam, department assessment, GM approval and confirmation (PROB-1..PROB-5).
    """

    case_model = Probation
    resource = "probations"
    kind_label = _("Probation conversion")  # the kind of case, in lists
    process_summary_template = "{{ process.artifact }}"

    start = nodes.Start(this.start_case).Next(this.branches)
    branches = flow.Split().Always(this.exam).Always(this.assess)

    # --- PROB-2: the skills exam (retaken until passed) -----------------------------------------
    exam = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Record the probation skills exam"))
        .Permission(queue_of(Role.TRAINER))
        .onCreate(this.on_task_created)
        .Next(this.after_exam)
    )
    after_exam = nodes.If(_exam_done).Then(this.exam_end).Else(this.exam)
    exam_end = nodes.End()

    # --- PROB-2/3/5: the department assessment ---------------------------------------------------
    assess = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Assess the probation"))
        .Assign(_lead_user)
        .Permission(_lead_permission)
        .onCreate(this.on_task_created)
        .Next(this.approval)
    )
    approval = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Approve the probation outcome"))
        .Permission(queue_of(Role.GM_OFFICE))
        .onCreate(this.on_task_created)
        .Next(this.after_approval)
    )
    after_approval = (
        nodes.Switch()
        .Case(this.administer, _state_is(S.APPROVED))
        .Default(this.assess)  # rejected, or an extension approved: assess again
    )
    administer = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Confirm the probation outcome"))
        .Permission(queue_of(Role.ADMINISTRATION))
        .onCreate(this.on_task_created)
        .Next(this.effective_check)
    )
    effective_check = nodes.If(_effective_now).Then(this.take_effect).Else(this.wait_effective)
    wait_effective = flow.Timer(_effective_at).Next(this.take_effect)
    take_effect = nodes.Function(this.apply_outcome).Next(this.end)
    end = nodes.End()

    actions = {
        "record-exam": Action(
            services.probation_record_exam, nodes=("exam",), fields=("passed", "score", "notes")
        ),
        "assess": Action(
            services.probation_assess, nodes=("assess",), fields=("outcome", "reason")
        ),
        "extend": Action(services.probation_extend, nodes=("assess",), fields=("months", "reason")),
        "approve": Action(outcome.probation_approve, nodes=("approval",), fields=("comment",)),
        "reject": Action(outcome.probation_reject, nodes=("approval",), fields=("reason",)),
        "confirm": Action(
            outcome.probation_confirm, nodes=("administer",), fields=("effective_date",)
        ),
    }
    # The deadline (approvals.probation.common.WAITING_STEPS) each task answers.
    node_deadlines = {
        "assess": "assessment",
        "approval": "gm_review",
        "administer": "confirmation",
    }
    # PROB-5: the lead is reminded N days before the end date (policy), not the generic offsets;
    # at the end date the generic escalation tells the GM office.
    node_reminder_offsets = {"assess": lambda policy: policy.probation_reminder_hours}
    # LEAVE-6: the lead's assessment goes to the delegate while the lead is on leave.
    delegable_nodes = frozenset({"assess"})
    # The exam has no due time of its own (the conversion waits for it).
    quiet_nodes = {"exam"}
    node_actions = {
        "exam": ["record-exam"],
        "assess": ["assess", "extend"],
        "approval": ["approve", "reject"],
        "administer": ["confirm"],
    }

    def apply_outcome(self, activation):
        outcome.probation_take_effect(probation=_case(activation))
        # The case is closed: an exam task still open (an employment ended before the exam was
        # passed) has nothing left to wait for.
        for task in Task.objects.filter(
            process=activation.process,
            flow_task=self.exam,
            status__in=OPEN_TASK_STATUSES,
        ):
            task.flow_task.activation_class(task).cancel()

    @staticmethod
    def page_context(user, case):
        return selectors.case_evidence(user, case)

    def visible_cases(self, user):
        return selectors.probations_visible_to(user)

    def available_actions(self, user, case):
        return selectors.available_actions(user, case)


def probation_start(*, employee, actor=None) -> Probation:
    """PROB-1 entry point for hiring and backfill: open the employee's probation and start its
    flow (idempotent: an existing case is returned as is)."""
    with whole_transaction():
        probation, created = services.probation_open(employee=employee, actor=actor)
        if created:
            start_flow(flow_class=ProbationFlow, case=probation)
    return probation


def probations_open_missing() -> int:
    """PROB-1 backfill (load_org, seed_demo, `open_probations`, the scheduler's sweep): every
    active probationer without a probation gets one. Returns how many were opened."""
    opened = 0
    for employee in services.trainees_without_probation():
        probation_start(employee=employee)
        opened += 1
    return opened
