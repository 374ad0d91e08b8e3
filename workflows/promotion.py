"""Promotion flow (晋升): who does the next step, in whose inbox.

applicant applies → department lead nominates or declines (the GM office for a lead's own
application, PROMO-4; an anonymous vote may run meanwhile, PROMO-3.2) → GM office approves,
rejects or sends back (PROMO-3.3) → administration schedules a defence (each panel member gets a
scoring task; the join waits for all, PROMO-3.4) or confirms → the new level takes effect on the
effective date (a timer when the date is ahead, PROMO-3.5). Withdrawal cancels the open tasks.
Rules live in approvals.promotion; this module only routes.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from approvals.promotion import selectors, services
from approvals.promotion.models import DefenceScore, Promotion, PromotionState
from approvals.routing import deciding_role, queue_of
from org.levels import Role

from . import nodes
from .base import CaseFlowMixin, DataSplit, assigned_user
from .engine import Action
from .task_view import CaseTaskView

S = PromotionState


def _nominator_user(activation):
    promotion = activation.process.artifact
    if services.nominator_is_gm_office(promotion):
        return None  # queued for the GM office instead
    return promotion.department.lead.user


def _nominator_permission(activation):
    promotion = activation.process.artifact
    if not services.nominator_is_gm_office(promotion):
        return None
    return f"org.{deciding_role(Role.GM_OFFICE, case=promotion)}"


def _panel(activation):
    promotion = activation.process.artifact
    return [
        {"user": user_id}
        for user_id in DefenceScore.objects.filter(promotion=promotion)
        .order_by("pk")
        .values_list("panelist__user_id", flat=True)
    ]


def _state_is(*states):
    return lambda activation: activation.process.artifact.state in states


def _effective_now(activation):
    return activation.process.artifact.effective_on <= timezone.localdate()


def _effective_at(activation):
    day = activation.process.artifact.effective_on
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class PromotionFlow(CaseFlowMixin, flow.Flow):
    """Promotion

    Self-application, department nomination, GM review, defence and confirmation (PROMO-3).
    """

    case_model = Promotion
    resource = "promotions"
    kind_label = _("Promotion")  # the kind of case, in lists
    # The viewflow inbox's "process brief": the case itself (skip-level marked, PROMO-1).
    process_summary_template = "{{ process.artifact }}"

    start = nodes.Start(this.start_case).Next(this.nominate)

    nominate = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Department nomination"))
        .Assign(_nominator_user)
        .Permission(_nominator_permission)
        .onCreate(this.on_task_created)
        .Next(this.after_nomination)
    )
    after_nomination = nodes.If(_state_is(S.NOMINATED)).Then(this.gm_review).Else(this.end)

    gm_review = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("GM review"))
        .Permission(queue_of(Role.GM_OFFICE))
        .onCreate(this.on_task_created)
        .Next(this.after_gm_review)
    )
    after_gm_review = (
        nodes.Switch()
        .Case(this.administer, _state_is(S.APPROVED))
        .Case(this.nominate, _state_is(S.SUBMITTED))  # sent back to the lead
        .Default(this.end)
    )

    administer = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Arrange defence or confirm"))
        .Permission(queue_of(Role.ADMINISTRATION))
        .onCreate(this.on_task_created)
        .Next(this.after_administer)
    )
    after_administer = (
        nodes.Switch()
        .Case(this.panel, _state_is(S.DEFENCE_SCHEDULED))
        .Default(this.effective_check)
    )

    panel = DataSplit().Next(this.score_defence, data_source=_panel)
    score_defence = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Score the defence"))
        .Assign(assigned_user)
        .onCreate(this.on_task_created)
        .Next(this.panel_done)
    )
    panel_done = flow.Join().Next(this.after_defence)
    after_defence = nodes.If(_state_is(S.DEFENCE_PASSED)).Then(this.confirm).Else(this.end)

    confirm = (
        nodes.View(CaseTaskView.as_view())
        .Annotation(title=_("Confirm the promotion"))
        .Permission(queue_of(Role.ADMINISTRATION))
        .onCreate(this.on_task_created)
        .Next(this.effective_check)
    )

    effective_check = nodes.If(_effective_now).Then(this.take_effect).Else(this.wait_effective)
    wait_effective = flow.Timer(_effective_at).Next(this.take_effect)
    take_effect = nodes.Function(this.apply_new_level).Next(this.end)

    end = nodes.End()

    actions = {
        "withdraw": Action(services.promotion_withdraw, cancels_process=True, fields=("reason",)),
        "open-vote": Action(services.promotion_open_vote),
        "vote": Action(services.promotion_vote, fields=("support",)),
        "close-vote": Action(services.promotion_close_vote),
        "nominate": Action(services.promotion_nominate, nodes=("nominate",), fields=("comment",)),
        "decline": Action(services.promotion_decline, nodes=("nominate",), fields=("reason",)),
        "approve": Action(
            services.promotion_approve,
            nodes=("gm_review",),
            fields=("comment", "confirm_skip_level"),
        ),
        "reject": Action(services.promotion_reject, nodes=("gm_review",), fields=("reason",)),
        "send-back": Action(services.promotion_send_back, nodes=("gm_review",), fields=("reason",)),
        "schedule-defence": Action(
            services.promotion_schedule_defence, nodes=("administer",), fields=("at", "panel")
        ),
        "score-defence": Action(
            services.promotion_score_defence,
            nodes=("score_defence",),
            per_owner=True,
            fields=("score", "notes"),
        ),
        "confirm": Action(
            services.promotion_confirm, nodes=("administer", "confirm"), fields=("effective_date",)
        ),
    }
    # LEAVE-6: the lead's nomination goes to the delegate while the lead is on leave.
    delegable_nodes = frozenset({"nominate"})
    # The deadline (approvals.promotion.services.WAITING_STEPS) each task answers.
    node_deadlines = {
        "nominate": "nomination",
        "gm_review": "gm_review",
        "administer": "administration",
        "score_defence": "defence",
        "confirm": "confirmation",
    }
    # Which actions each task page offers (the service decides whether the caller may).
    node_actions = {
        "nominate": ["open-vote", "close-vote", "nominate", "decline"],
        "gm_review": ["approve", "reject", "send-back"],
        "administer": ["schedule-defence", "confirm"],
        "score_defence": ["score-defence"],
        "confirm": ["confirm"],
    }

    def apply_new_level(self, activation):
        services.promotion_take_effect(promotion=activation.process.artifact)

    def limited_reader(self, user, case):
        return selectors.is_voter_view(user, case)  # PROMO-3.2

    def visible_cases(self, user):
        return selectors.promotions_visible_to(user)

    def available_actions(self, user, case):
        return selectors.available_actions(user, case)
