"""Award of the month flow (月度优秀员工): who does the next step, in whose inbox.

administration opens the month's award (candidates listed, AWARD-1) → administration's vote step:
it opens the anonymous department vote and closes it (the shortlist: top two, ties included,
AWARD-2) → lead review (the GM office when the lead is a candidate or the department has none) →
company assessment (administration) → GM approval → published (notice, mail, pay). Each step is a
task with its due time; a step that leaves nobody ends the case. Rules live in approvals.award;
this module only routes.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from approvals.award import selectors, services
from approvals.award.models import Award, AwardState
from approvals.db import read_case
from approvals.routing import deciding_role, queue_of
from org.levels import Role

from . import nodes
from .base import CaseFlowMixin
from .engine import Action
from .task_view import CaseTaskView

S = AwardState
DECISION_FIELDS = ("decision", "reason", "decisions")


def _case(activation) -> Award:
    return read_case(
        Award.objects.select_related("department__lead__user"),
        activation.process.artifact_object_id,
    )


def _state_is(*states):
    return lambda activation: _case(activation).state in states


def _lead_user(activation):
    award = _case(activation)
    return None if services.lead_review_by_gm_office(award) else award.department.lead.user


def _lead_permission(activation):
    award = _case(activation)
    if not services.lead_review_by_gm_office(award):
        return None
    return f"org.{deciding_role(Role.GM_OFFICE, case=award)}"


class AwardFlow(CaseFlowMixin, flow.Flow):
    """Award of the month

    Candidates, anonymous department vote, lead review, company assessment, GM approval and the
    public notice (AWARD-1, AWARD-2).
    """

    case_model = Award
    resource = "awards"
    kind_label = _("Award of the month")
    process_summary_template = "{{ process.artifact }}"

    start = nodes.Start(this.start_case).Next(this.vote)

    vote = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Department vote"))
        .Permission(queue_of(Role.ADMINISTRATION))
        .onCreate(this.on_task_created)
        .Next(this.after_vote)
    )
    after_vote = nodes.If(_state_is(S.LEAD_REVIEW)).Then(this.lead_review).Else(this.end)

    lead_review = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Lead review"))
        .Assign(_lead_user)
        .Permission(_lead_permission)
        .onCreate(this.on_task_created)
        .Next(this.after_review)
    )
    after_review = nodes.If(_state_is(S.ASSESSMENT)).Then(this.assessment).Else(this.end)

    assessment = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Company assessment"))
        .Permission(queue_of(Role.ADMINISTRATION))
        .onCreate(this.on_task_created)
        .Next(this.after_assessment)
    )
    after_assessment = nodes.If(_state_is(S.GM_APPROVAL)).Then(this.gm_approval).Else(this.end)

    gm_approval = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("GM approval"))
        .Permission(queue_of(Role.GM_OFFICE))
        .onCreate(this.on_task_created)
        .Next(this.end)
    )

    end = nodes.End()

    actions = {
        "open-vote": Action(services.award_open_vote),
        "vote": Action(services.award_vote, fields=("candidate",)),
        "close-vote": Action(services.award_close_vote, nodes=("vote",)),
        "review": Action(services.award_review, nodes=("lead_review",), fields=DECISION_FIELDS),
        "assess": Action(services.award_assess, nodes=("assessment",), fields=DECISION_FIELDS),
        "approve": Action(services.award_approve, nodes=("gm_approval",), fields=DECISION_FIELDS),
    }
    delegable_nodes = frozenset({"lead_review"})
    node_deadlines = {
        "vote": "vote",
        "lead_review": "lead_review",
        "assessment": "assessment",
        "gm_approval": "gm_approval",
    }
    node_actions = {
        "vote": ["open-vote", "close-vote"],
        "lead_review": ["review"],
        "assessment": ["assess"],
        "gm_approval": ["approve"],
    }

    def parties(self, case) -> set[int]:
        """The opener is no party (they may assess); a candidate is refused by the services
        (own candidacy, AWARD-1), so no query per inbox row here."""
        return set()

    def limited_reader(self, user, case):
        return selectors.is_voter_view(user, case)  # AWARD-2

    def visible_cases(self, user):
        return selectors.awards_visible_to(user)

    def available_actions(self, user, case):
        return selectors.available_actions(user, case)
