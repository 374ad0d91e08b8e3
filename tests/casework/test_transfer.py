"""CASE-1 transfer (转交) and claiming a queued step, through the API and the services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.deadlines import Deadline
from audit.models import AuditEvent
from casework.services import transfer_candidates
from notifications.models import OutboxMessage, Reminder
from tests.events import dispatched
from workflows.promotion import PromotionFlow

from .helpers import at_gm_review, claim, footprint, get, inbox, leave, post, task_id

pytestmark = pytest.mark.django_db


def _claimed_by_gm(org):
    case = at_gm_review(org)
    task = task_id(org.gm, "promotions", case["id"])
    claim(org.gm, task)
    return case, task


def test_claim_assigns_a_queued_step_to_the_claimer(org):
    """Claim: the GM review queued for the GM office becomes the claimer's; audit "claim"."""
    case = at_gm_review(org)
    task = task_id(org.gm, "promotions", case["id"])
    row = claim(org.gm, task)
    assert row["task_id"] == task and row["case_id"] == case["id"]
    stored = Task.objects.get(pk=task)
    assert (stored.owner_id, stored.status) == (org.gm.user_id, STATUS.ASSIGNED)
    event = AuditEvent.objects.filter(case_type="promotion", action="claim").get()
    assert event.actor_id == org.gm.user_id and event.data == {"task": task}


def test_claim_after_someone_else_claimed_first_is_a_409(org, gm2):
    case = at_gm_review(org)
    task = task_id(org.gm, "promotions", case["id"])
    claim(org.gm, task)
    body = claim(gm2, task, expect=409)
    assert body["code"] == "already_claimed"
    assert Task.objects.get(pk=task).owner_id == org.gm.user_id


def test_claim_of_a_step_not_queued_for_the_callers_role_is_403(org):
    case = at_gm_review(org)
    task = Task.objects.get(pk=task_id(org.gm, "promotions", case["id"]))
    before = footprint()
    assert claim(org.colleague, task.pk, expect=403)["code"] == "wrong_role"
    assert Task.objects.get(pk=task.pk).owner_id is None
    assert footprint() == before


def test_claim_by_a_party_of_the_case_is_403_own_request(org, gm2):
    """A GM office member's own leave is queued for the GM office; they never claim it."""
    case = leave(gm2)
    task = task_id(org.gm, "leaves", case["id"])
    assert claim(gm2, task, expect=403)["code"] == "own_request"


def test_a_queued_step_must_be_claimed_before_it_is_transferred(org, gm2):
    """CASE-1: the holder transfers; a queued, unclaimed step has no holder yet."""
    case = at_gm_review(org)
    body = post(org.gm, f"promotions/{case['id']}/transfer/", {"to": gm2.pk}, expect=403)
    assert (body["code"], body["rule"]) == ("claim_first", "CASE-1")


def test_transfer_moves_the_step_to_the_new_holder_and_is_audited(org, gm2):
    """CASE-1: owner = target, ASSIGNED; audit "transfer" with the comment, from, to, task."""
    case, task = _claimed_by_gm(org)
    data = post(org.gm, f"promotions/{case['id']}/transfer/", {"to": gm2.pk, "comment": "请你来审"})
    stored = Task.objects.get(pk=task)
    assert (stored.owner_id, stored.status) == (gm2.user_id, STATUS.ASSIGNED)
    assert [r["task_id"] for r in inbox(gm2)] == [task]
    assert [r for r in inbox(org.gm) if r["task_id"] == task] == []
    event = data["timeline"][-1]
    assert (event["action"], event["comment"]) == ("transfer", "请你来审")
    stored_event = AuditEvent.objects.get(action="transfer")
    assert stored_event.data == {"from": org.gm.user_id, "to": gm2.user_id, "task": task}
    assert stored_event.rules == ["CASE-1"]


def test_the_new_holder_completes_the_transferred_step_through_the_api(org, gm2):
    """CASE-1: the step is the new holder's; their decision completes it."""
    case, task = _claimed_by_gm(org)
    post(org.gm, f"promotions/{case['id']}/transfer/", {"to": gm2.pk})
    assert "approve" in get(gm2, f"promotions/{case['id']}/")["available_actions"]
    decided = post(gm2, f"promotions/{case['id']}/approve/", {"comment": "同意"})
    assert decided["state"] == "approved"
    stored = Task.objects.get(pk=task)
    assert (stored.status, stored.owner_id) == (STATUS.DONE, gm2.user_id)


def test_transfer_to_a_party_of_the_case_is_refused(org, gm2):
    """CASE-1: never to the applicant."""
    case, task = _claimed_by_gm(org)
    before = footprint()
    body = post(org.gm, f"promotions/{case['id']}/transfer/", {"to": org.agent.pk}, expect=400)
    assert (body["code"], body["rule"]) == ("target_is_party", "CASE-1")
    assert Task.objects.get(pk=task).owner_id == org.gm.user_id
    assert footprint() == before


def test_transfer_to_oneself_is_refused(org):
    case, _task = _claimed_by_gm(org)
    body = post(org.gm, f"promotions/{case['id']}/transfer/", {"to": org.gm.pk}, expect=400)
    assert (body["code"], body["rule"]) == ("transfer_to_self", "CASE-1")


def test_transfer_to_someone_who_may_not_decide_the_step_is_refused(org):
    """CASE-1: a plain employee may not decide a GM review."""
    case, task = _claimed_by_gm(org)
    before = footprint()
    body = post(org.gm, f"promotions/{case['id']}/transfer/", {"to": org.colleague.pk}, expect=400)
    assert (body["code"], body["rule"]) == ("target_cannot_decide", "CASE-1")
    assert "colleague" in body["detail"]
    assert Task.objects.get(pk=task).owner_id == org.gm.user_id
    assert footprint() == before


def test_transfer_by_someone_who_does_not_hold_the_step_is_403(org, gm2):
    case, _task = _claimed_by_gm(org)
    body = post(org.lead, f"promotions/{case['id']}/transfer/", {"to": gm2.pk}, expect=403)
    assert (body["code"], body["rule"]) == ("not_task_holder", "CASE-1")


def test_transfer_to_an_unknown_employee_is_a_404(org):
    case, _task = _claimed_by_gm(org)
    body = post(org.gm, f"promotions/{case['id']}/transfer/", {"to": 999999}, expect=404)
    assert body["code"] == "unknown_to"


def test_the_due_time_does_not_move_with_a_transfer(org, gm2, clock):
    """CASE-1: the step's deadline stays where it was."""
    import datetime as dt

    case, _task = _claimed_by_gm(org)
    due = Deadline.objects.get(case_id=case["id"], name="gm_review", met_at__isnull=True).due_at
    clock.shift(dt.timedelta(hours=5))
    post(org.gm, f"promotions/{case['id']}/transfer/", {"to": gm2.pk})
    deadline = Deadline.objects.get(case_id=case["id"], name="gm_review")
    assert (deadline.due_at, deadline.met_at) == (due, None)


def test_the_new_holder_is_told_and_reminded_and_the_old_holder_no_longer(org, gm2):
    """CASE-1: "task assigned" to the new holder with their reminders planned; the old
    holder's personal reminders of the step are cancelled (also for a claimed queue step)."""
    with dispatched():
        case, task = _claimed_by_gm(org)
    old = Reminder.objects.filter(task_id=task, recipient=org.gm.user).exclude(kind="escalation")
    assert old.filter(cancelled_at__isnull=True).exists()
    with dispatched():
        post(org.gm, f"promotions/{case['id']}/transfer/", {"to": gm2.pk})
    assert not old.filter(cancelled_at__isnull=True, sent_at__isnull=True).exists()
    mine = Reminder.objects.filter(task_id=task, recipient=gm2.user, cancelled_at__isnull=True)
    assert mine.exclude(kind="escalation").exists()
    assert OutboxMessage.objects.filter(
        recipient=gm2.user,
        template="task_assigned",
        dedupe_key=f"task:{task}:created:{gm2.user_id}",
    ).exists()


def test_transfer_candidates_are_those_who_may_decide_the_step(org, gm2):
    """CASE-1 picker: GM office colleagues for a GM review, never the holder or a party; a
    bounded number of queries."""
    case, _task = _claimed_by_gm(org)
    promotion = PromotionFlow.case_model.objects.get(pk=case["id"])
    with CaptureQueriesContext(connection) as queries:
        candidates = transfer_candidates(PromotionFlow, promotion, org.gm.user)
    assert candidates == [gm2]
    assert len(queries) < 30
    assert transfer_candidates(PromotionFlow, promotion, org.colleague.user) == []
