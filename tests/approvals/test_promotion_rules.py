"""Promotion policy rules, each cited by ID, including every refusal; a refused action leaves no
partial state behind."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.errors import InvalidInput, NotAllowed, PolicyViolation, StateConflict
from approvals.promotion import services
from approvals.promotion.models import DefenceScore, Promotion, VoteParticipation
from audit.models import AuditEvent
from tests.orgdata import build_org, employee, give_scores, grant_role
from workflows.engine import run_action, start_flow
from workflows.inbox import inbox_for
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db


def apply(emp, target="intermediate", reason=None):
    promotion = services.promotion_submit(
        actor=emp.user, target_level=target, statement="statement", skip_level_reason=reason
    )
    start_flow(flow_class=PromotionFlow, case=promotion)
    return promotion


def do(actor_emp, promotion, name, **payload):
    return run_action(
        flow_class=PromotionFlow,
        actions=PromotionFlow.actions,
        case=promotion,
        name=name,
        actor=actor_emp.user,
        **payload,
    )


def to_approved(org, target="intermediate", applicant=None):
    promotion = apply(applicant or org.agent, target)
    do(org.lead, promotion, "nominate")
    return do(org.gm, promotion, "approve")


def open_tasks(promotion):
    return Task.objects.filter(
        process__artifact_object_id=promotion.pk,
        flow_task_type="HUMAN",
        status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED],
    )


# --- PROMO-2 eligibility and PROMO-1 skip-level ----------------------------------------------


def test_promo2_ineligible_application_refused_and_nothing_saved():
    org = build_org()
    with pytest.raises(PolicyViolation) as exc:
        apply(org.colleague)
    assert exc.value.code == "not_eligible" and exc.value.rule == "PROMO-2"
    assert Promotion.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_promo1_ineligible_may_apply_as_skip_level_with_reason_and_is_marked():
    org = build_org()
    promotion = apply(org.colleague, reason="处理过重大客诉，表现突出")
    assert promotion.skip_level is True and promotion.eligible is False
    assert promotion.skip_level_reason


def test_promo1_two_steps_up_needs_a_justification():
    org = build_org()
    with pytest.raises(PolicyViolation) as exc:
        apply(org.agent, target="senior")
    assert exc.value.code == "skip_level_reason_required" and exc.value.rule == "PROMO-1"
    assert Promotion.objects.count() == 0


def test_promo1_gm_must_confirm_skip_level_explicitly():
    org = build_org()
    promotion = apply(org.colleague, reason="特殊技能")
    do(org.lead, promotion, "nominate")
    with pytest.raises(PolicyViolation) as exc:
        do(org.gm, promotion, "approve")
    assert exc.value.code == "skip_level_not_confirmed" and exc.value.rule == "PROMO-1"
    promotion.refresh_from_db()
    assert promotion.state == "nominated"
    assert open_tasks(promotion).get().flow_task.name == "gm_review"
    promotion = do(org.gm, promotion, "approve", confirm_skip_level=True)
    assert promotion.state == "approved"


def test_promo2_probation_to_junior_is_not_a_promotion():
    org = build_org()
    newbie = employee("newbie", department=org.cs, level="probationer")
    with pytest.raises(PolicyViolation) as exc:
        apply(newbie, target="junior")
    assert exc.value.code == "use_probation_conversion"


def test_promotion_must_be_upwards():
    org = build_org()
    with pytest.raises(PolicyViolation) as exc:
        apply(org.agent, target="junior")
    assert exc.value.code == "not_a_promotion"


def test_unknown_level_is_invalid_input():
    org = build_org()
    with pytest.raises(InvalidInput) as exc:
        apply(org.agent, target="expert")
    assert exc.value.code == "unknown_level"


def test_one_open_application_at_a_time():
    org = build_org()
    apply(org.agent)
    with pytest.raises(PolicyViolation) as exc:
        apply(org.agent)
    assert exc.value.code == "application_open"


# --- PROMO-3 roles; PROMO-4 self-review ------------------------------------------------------


def test_promo3_wrong_role_cannot_nominate_or_approve():
    org = build_org()
    promotion = apply(org.agent)
    with pytest.raises(NotAllowed) as exc:
        do(org.colleague, promotion, "nominate")
    assert exc.value.code == "wrong_role"
    with pytest.raises(NotAllowed):
        do(org.gm, promotion, "nominate")  # the GM office only nominates a lead's own application
    do(org.lead, promotion, "nominate")
    with pytest.raises(NotAllowed) as exc:
        do(org.lead, promotion, "approve")
    assert exc.value.code == "wrong_role"
    with pytest.raises(NotAllowed):
        do(org.admin, promotion, "approve")
    promotion.refresh_from_db()
    assert promotion.state == "nominated"


def test_promo4_lead_application_is_nominated_by_gm_office_and_never_by_the_lead():
    org = build_org()
    org.lead.level = "senior"
    org.lead.save()
    give_scores(org.lead, [95] * 12)
    promotion = apply(org.lead, target="reserve_supervisor")
    assert [t["action"] for t in inbox_for(org.lead.user)] == []
    assert [t["action"] for t in inbox_for(org.gm.user)] == ["nominate"]
    with pytest.raises(NotAllowed) as exc:
        do(org.lead, promotion, "nominate")
    assert exc.value.code == "own_request" and exc.value.rule == "PROMO-4"
    promotion = do(org.gm, promotion, "nominate")
    assert promotion.state == "nominated"


def test_promo4_nobody_reviews_their_own_case_even_with_the_role():
    """A GM office member on the ladder applying: they cannot approve their own application."""
    org = build_org()
    grant_role(org.agent.user, "gm_office")
    promotion = apply(org.agent)
    do(org.lead, promotion, "nominate")
    with pytest.raises(NotAllowed) as exc:
        do(org.agent, promotion, "approve")
    assert exc.value.code == "own_request"


def test_applicant_cannot_sit_on_own_panel():
    org = build_org()
    grant_role(org.agent.user, "defence_panel")
    promotion = to_approved(org)
    at = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(NotAllowed) as exc:
        do(
            org.admin,
            promotion,
            "schedule-defence",
            at=at,
            panel=[org.agent.pk, org.panel[1].pk, org.panel[2].pk],
        )
    assert exc.value.code == "own_request"


# --- PROMO-4 withdrawal ----------------------------------------------------------------------


def test_promo4_withdraw_before_gm_decision_cancels_open_tasks():
    org = build_org()
    promotion = apply(org.agent)
    do(org.lead, promotion, "nominate")
    promotion = do(org.agent, promotion, "withdraw", reason="改主意了")
    assert promotion.state == "withdrawn"
    assert not open_tasks(promotion).exists()
    assert inbox_for(org.gm.user) == []


def test_promo4_withdraw_after_gm_decision_is_too_late():
    org = build_org()
    promotion = to_approved(org)
    with pytest.raises(PolicyViolation) as exc:
        do(org.agent, promotion, "withdraw")
    assert exc.value.code == "withdraw_too_late" and exc.value.rule == "PROMO-4"
    promotion.refresh_from_db()
    assert promotion.state == "approved"
    assert open_tasks(promotion).get().flow_task.name == "administer"


def test_only_the_applicant_withdraws():
    org = build_org()
    promotion = apply(org.agent)
    with pytest.raises(NotAllowed):
        do(org.lead, promotion, "withdraw")


# --- PROMO-3.2 anonymous vote ----------------------------------------------------------------


def test_promo3_vote_is_anonymous_and_nobody_votes_twice():
    org = build_org()
    voters = [employee(f"v{i}", department=org.cs) for i in range(3)]
    promotion = apply(org.agent)
    do(org.lead, promotion, "open-vote")
    do(voters[0], promotion, "vote", support=True)
    do(voters[1], promotion, "vote", support=False)
    with pytest.raises(PolicyViolation) as exc:
        do(voters[0], promotion, "vote", support=False)
    assert exc.value.code == "already_voted"
    promotion.refresh_from_db()
    assert (promotion.votes_for, promotion.votes_against) == (1, 1)
    # No stored row links a voter to a ballot: participation has no ballot field and no time,
    # and no audit event is written per ballot.
    assert {f.name for f in VoteParticipation._meta.get_fields()} == {"id", "promotion", "voter"}
    assert not AuditEvent.objects.filter(action="vote").exists()


def test_promo3_vote_refusals():
    org = build_org()
    promotion = apply(org.agent)
    with pytest.raises(StateConflict):
        do(org.colleague, promotion, "vote", support=True)  # not open yet
    do(org.lead, promotion, "open-vote")
    with pytest.raises(NotAllowed) as exc:
        do(org.agent, promotion, "vote", support=True)
    assert exc.value.code == "own_request"
    with pytest.raises(NotAllowed) as exc:
        do(org.other_dept_agent, promotion, "vote", support=True)
    assert exc.value.code == "not_a_voter"
    with pytest.raises(NotAllowed):
        do(org.colleague, promotion, "open-vote")
    do(org.lead, promotion, "close-vote")
    with pytest.raises(StateConflict):
        do(org.colleague, promotion, "vote", support=True)


def test_promo3_vote_only_for_intermediate_and_senior():
    org = build_org()
    senior = employee("senior1", department=org.cs, level="senior")
    give_scores(senior, [95] * 12)
    promotion = apply(senior, target="reserve_supervisor")
    with pytest.raises(PolicyViolation) as exc:
        do(org.lead, promotion, "open-vote")
    assert exc.value.code == "vote_not_available"


def test_promo3_tally_shown_to_lead_and_gm_not_to_applicant():
    """PROMO-3.2: once the vote is closed with enough ballots, the lead and the GM office read
    the tally; nobody else does."""
    from approvals.promotion.selectors import may_see_tally

    org = build_org()
    promotion = apply(org.agent)
    do(org.lead, promotion, "open-vote")
    for i in range(3):
        do(employee(f"v{i}", department=org.cs), promotion, "vote", support=True)
    promotion = do(org.lead, promotion, "close-vote")
    assert may_see_tally(org.lead.user, promotion)
    assert may_see_tally(org.gm.user, promotion)
    assert not may_see_tally(org.agent.user, promotion)
    assert not may_see_tally(org.colleague.user, promotion)
    assert not may_see_tally(org.admin.user, promotion)  # administration: not named by PROMO-3.2


# --- PROMO-3.3 GM review ---------------------------------------------------------------------


def test_promo3_reasons_required_for_decline_reject_send_back():
    org = build_org()
    promotion = apply(org.agent)
    with pytest.raises(InvalidInput) as exc:
        do(org.lead, promotion, "decline", reason="  ")
    assert exc.value.code == "reason_required"
    do(org.lead, promotion, "nominate")
    for name in ("reject", "send-back"):
        with pytest.raises(InvalidInput):
            do(org.gm, promotion, name, reason="")
    promotion.refresh_from_db()
    assert promotion.state == "nominated"


def test_promo3_send_back_returns_to_the_lead():
    org = build_org()
    promotion = apply(org.agent)
    do(org.lead, promotion, "nominate")
    promotion = do(org.gm, promotion, "send-back", reason="请补充材料")
    assert promotion.state == "submitted"
    assert [t["action"] for t in inbox_for(org.lead.user)] == ["nominate"]


def test_decided_step_cannot_be_decided_again():
    """A second decision on a decided step is a 409 state conflict, and changes nothing."""
    org = build_org()
    promotion = apply(org.agent)
    do(org.lead, promotion, "nominate")
    with pytest.raises(StateConflict):
        do(org.lead, promotion, "decline", reason="x")
    assert Promotion.objects.get().state == "nominated"


# --- PROMO-3.4 defence -----------------------------------------------------------------------


def test_promo3_defence_needs_a_panel_of_three():
    org = build_org()
    promotion = to_approved(org)
    at = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(PolicyViolation) as exc:
        do(org.admin, promotion, "schedule-defence", at=at, panel=[p.pk for p in org.panel[:2]])
    assert exc.value.code == "panel_too_small" and exc.value.rule == "PROMO-3"
    assert "3" in exc.value.detail
    assert DefenceScore.objects.count() == 0
    assert Promotion.objects.get().state == "approved"


def test_promo3_cannot_confirm_with_fewer_than_three_scores():
    org = build_org()
    promotion = to_approved(org)
    do(
        org.admin,
        promotion,
        "schedule-defence",
        at=timezone.now() + dt.timedelta(hours=1),
        panel=[p.pk for p in org.panel],
    )
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2), tick=False):
        do(org.panel[0], promotion, "score-defence", score=90)
        do(org.panel[1], promotion, "score-defence", score=90)
        with pytest.raises(PolicyViolation) as exc:
            services.promotion_confirm(promotion=promotion, actor=org.admin.user)
    assert exc.value.code == "defence_incomplete"
    assert "2" in exc.value.detail and "3" in exc.value.detail


def test_promo3_defence_fails_below_pass_mark_and_ends_the_case():
    org = build_org()
    promotion = to_approved(org)
    do(
        org.admin,
        promotion,
        "schedule-defence",
        at=timezone.now() + dt.timedelta(hours=1),
        panel=[p.pk for p in org.panel],
    )
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2), tick=False):
        for member, score in zip(org.panel, [60, 70, 79], strict=True):  # mean 69.67 < 70
            promotion = do(member, promotion, "score-defence", score=score)
    assert promotion.state == "defence_failed"
    assert not open_tasks(promotion).exists()


def test_promo3_defence_scores_refusals():
    org = build_org()
    promotion = to_approved(org)
    do(
        org.admin,
        promotion,
        "schedule-defence",
        at=timezone.now() + dt.timedelta(hours=1),
        panel=[p.pk for p in org.panel],
    )
    with pytest.raises(InvalidInput):
        do(org.panel[0], promotion, "score-defence", score=101)
    with pytest.raises(NotAllowed) as exc:
        do(org.colleague, promotion, "score-defence", score=80)
    assert exc.value.code == "not_on_panel"
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2), tick=False):
        do(org.panel[0], promotion, "score-defence", score=80)
        with pytest.raises(StateConflict) as exc:
            do(org.panel[0], promotion, "score-defence", score=85)
    assert exc.value.code == "already_scored"


def test_finding10_a_defence_is_scored_only_from_its_scheduled_time():
    """Issue 11, finding 10 (PROMO-3.4): a score given before the defence is held is refused with
    its time, nothing is recorded; from the scheduled minute on it is accepted."""
    org = build_org()
    promotion = to_approved(org)
    at = timezone.now() + dt.timedelta(days=1)
    do(org.admin, promotion, "schedule-defence", at=at, panel=[p.pk for p in org.panel])
    with (
        time_machine.travel(at - dt.timedelta(seconds=1), tick=False),
        pytest.raises(PolicyViolation) as exc,
    ):
        do(org.panel[0], promotion, "score-defence", score=80)
    assert exc.value.code == "defence_not_held" and exc.value.rule == "PROMO-3"
    assert timezone.localtime(at).strftime("%Y-%m-%d %H:%M") in exc.value.detail
    assert not DefenceScore.objects.filter(score__isnull=False).exists()
    with time_machine.travel(at, tick=False):
        do(org.panel[0], promotion, "score-defence", score=80)
    assert DefenceScore.objects.filter(score__isnull=False).count() == 1


def test_finding10_the_defence_step_falls_due_after_the_defence():
    """Issue 11, finding 10 (PROMO-5): the panel's scores are due a response time after the
    defence itself, not after the day it was scheduled; the confirmation after them."""
    from approvals.deadlines import Deadline

    org = build_org()
    promotion = to_approved(org)
    at = timezone.now() + dt.timedelta(days=20)
    do(org.admin, promotion, "schedule-defence", at=at, panel=[p.pk for p in org.panel])
    scoring = Deadline.objects.get(case_type="promotion", case_id=promotion.pk, name="defence")
    assert scoring.due_at > at
    assert not Deadline.objects.filter(
        case_type="promotion", case_id=promotion.pk, name="administration", met_at__isnull=True
    ).exists()
    with time_machine.travel(at + dt.timedelta(hours=1), tick=False):
        for member in org.panel:
            promotion = do(member, promotion, "score-defence", score=80)
    scoring.refresh_from_db()
    assert scoring.met_at is not None
    confirmation = Deadline.objects.get(
        case_type="promotion", case_id=promotion.pk, name="confirmation"
    )
    assert confirmation.due_at > at


def test_promo3_reserve_supervisor_requires_a_defence():
    org = build_org()
    senior = employee("senior1", department=org.cs, level="senior")
    give_scores(senior, [95] * 12)
    promotion = to_approved(org, target="reserve_supervisor", applicant=senior)
    with pytest.raises(PolicyViolation) as exc:
        do(org.admin, promotion, "confirm")
    assert exc.value.code == "defence_required"


# --- PROMO-3.5 confirmation ------------------------------------------------------------------


def test_promo3_default_effective_date_is_first_of_next_month():
    org = build_org()
    promotion = to_approved(org)
    with time_machine.travel(dt.datetime(2026, 11, 22, 10, tzinfo=dt.UTC)):
        promotion = do(org.admin, promotion, "confirm")
    assert promotion.effective_on == dt.date(2026, 12, 1)


def test_effective_date_in_the_past_is_refused():
    org = build_org()
    promotion = to_approved(org)
    with pytest.raises(InvalidInput) as exc:
        do(org.admin, promotion, "confirm", effective_date="2001-01-01")
    assert exc.value.code == "effective_date_in_past"
    assert Promotion.objects.get().state == "approved"


# --- PROMO-6 cool-down -----------------------------------------------------------------------


def test_promo6_rejected_applicant_waits_out_the_cool_down():
    org = build_org()
    with time_machine.travel(dt.datetime(2026, 11, 10, 2, tzinfo=dt.UTC)):
        give_scores(org.agent, [85, 92, 88, 93, 86])
        promotion = apply(org.agent)
        do(org.lead, promotion, "nominate")
        do(org.gm, promotion, "reject", reason="时机未到")
    with time_machine.travel(dt.datetime(2027, 2, 9, 2, tzinfo=dt.UTC)):
        give_scores(org.agent, [85, 92, 88, 93, 86])
        with pytest.raises(PolicyViolation) as exc:
            apply(org.agent)
        assert exc.value.code == "cool_down" and exc.value.rule == "PROMO-6"
        assert "2027-02-10" in exc.value.detail
    with time_machine.travel(dt.datetime(2027, 2, 10, 2, tzinfo=dt.UTC)):
        give_scores(org.agent, [85, 92, 88, 93, 86])
        assert apply(org.agent).state == "submitted"


# --- audit -----------------------------------------------------------------------------------


def test_every_transition_writes_an_audit_event_with_rules_and_policy_version():
    org = build_org()
    promotion = apply(org.agent)
    do(org.lead, promotion, "nominate", comment="ok")
    events = list(AuditEvent.objects.filter(case_type="promotion", case_id=promotion.pk))
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("submit", "", "submitted"),
        ("nominate", "submitted", "nominated"),
    ]
    assert all(e.policy_version and e.rules for e in events)
    assert events[1].actor == org.lead.user
    import audit

    assert audit.verify().ok


# --- policy versions -------------------------------------------------------------------------


def test_case_is_judged_by_the_policy_in_force_when_it_was_submitted():
    """A new policy version (defence required for intermediate from now on) applies to new
    applications, not to one already under way."""
    from policy.models import PolicyVersion
    from policy.services import policy_in_force

    org = build_org()
    old_case = to_approved(org)
    data = dict(policy_in_force().data, code="2027-strict")
    data["promotion"] = dict(
        data["promotion"],
        defence={
            **data["promotion"]["defence"],
            "required": ["intermediate", "reserve_supervisor"],
        },
    )
    PolicyVersion.objects.create(
        code="2027-strict", name="strict", effective_from=timezone.now(), data=data
    )

    assert do(org.admin, old_case, "confirm").state in ("confirmed", "effective")
    assert old_case.policy_version != "2027-strict"

    give_scores(org.colleague, [85, 92, 88, 93, 86])
    new_case = to_approved(org, applicant=org.colleague)
    assert new_case.policy_version == "2027-strict"
    with pytest.raises(PolicyViolation) as exc:
        do(org.admin, new_case, "confirm")
    assert exc.value.code == "defence_required"
