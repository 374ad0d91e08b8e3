"""Helpers shared by the promotion services: locking, the policy of the case, required text,
the audit + deadline bookkeeping every transition does."""

from approvals.db import lock_case
from approvals.deadlines import deadlines_move
from approvals.history import log_step
from approvals.inputs import date_value, moment
from approvals.inputs import required_text as _required_text  # noqa: F401  (re-exported)
from policy.services import policy_of

from .models import Promotion, PromotionState

S = PromotionState

# The step each state waits for; each has a response time (PROMO-5, default 3 working days).
WAITING_STEPS = {
    S.SUBMITTED: "nomination",
    S.NOMINATED: "gm_review",
    S.APPROVED: "administration",
    # The panel's scores: due a response time after the defence itself (counted from defence_at).
    S.DEFENCE_SCHEDULED: "defence",
    S.DEFENCE_PASSED: "confirmation",
}


# --- helpers ----------------------------------------------------------------------------------


def _locked(promotion: Promotion) -> Promotion:
    """Re-read the case under a row lock; everything after sees the committed state. The case
    row and the applicant's (`of`: the new level is written to it when the promotion takes
    effect); never the department's or its lead's, which made every action in a department
    wait for every other one."""
    return lock_case(
        Promotion,
        promotion.pk,
        related=(
            "employee__user",
            "department__lead",
        ),
        of=(
            "self",
            "employee",
        ),
    )


def _policy(promotion: Promotion):
    """A request is judged by the policy version it stored when it was submitted (issue 11,
    finding 11: never found again by date)."""
    return policy_of(promotion)


def _log(
    promotion,
    action,
    actor,
    from_state,
    to_state,
    rules,
    comment="",
    data=None,
    notify=True,
    on_behalf_of=None,
):
    if from_state != to_state:
        policy = _policy(promotion)
        deadlines_move(
            case_type="promotion",
            case_id=promotion.pk,
            waiting=WAITING_STEPS,
            from_state=from_state,
            to_state=to_state,
            days=policy.review_days,
            mode=policy.review_day_mode,
            counted_from=promotion.defence_at if to_state == S.DEFENCE_SCHEDULED else None,
        )
    log_step(
        promotion,
        action,
        actor,
        from_state,
        to_state,
        rules,
        comment=comment,
        data=data,
        on_behalf_of=on_behalf_of,
        notify=notify,
    )


def nominator_is_gm_office(promotion: Promotion) -> bool:
    """PROMO-4: a department lead's own application (or one from a department without a lead) is
    nominated by the GM office instead of the lead."""
    lead_id = promotion.department.lead_id
    return lead_id is None or lead_id == promotion.employee_id


# Bodies' dates and times are read one way for every process (approvals.inputs).
_parse_datetime = moment
_parse_date = date_value
