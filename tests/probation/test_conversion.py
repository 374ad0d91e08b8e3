"""PROB-2 / PROB-3: exam by the trainer, the lead's assessment, GM approval, confirmation by
administration; extension once; end of employment."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model

from approvals.probation.models import Probation
from org.models import Employee, LevelHistory

from .helpers import ENDS, act, inbox, local, read, score, sweep_timers

pytestmark = pytest.mark.django_db


def _exam(trainer, case, passed=True):
    return act(trainer, case.pk, "record-exam", {"passed": passed, "score": 88, "notes": "ok"})


def _good_months(trainee):
    score(trainee, dt.date(2026, 1, 1), 88)
    score(trainee, dt.date(2026, 2, 1), 92)
    score(trainee, dt.date(2026, 3, 1), 85)


@time_machine.travel(local(2026, 4, 1, 10, 0), tick=False)
def test_prob2_convert_approve_confirm_makes_junior_on_end_date(org, case, trainee, trainer):
    _good_months(trainee)
    body = _exam(trainer, case)
    assert body["exam"]["passed"] is True and body["exam"]["score"] == "88.0"
    body = act(org.lead, case.pk, "assess", {"outcome": "convert"})
    assert body["state"] == "awaiting_approval"
    assert body["assessment"]["outcome"] == "convert"
    body = act(org.gm, case.pk, "approve", {"comment": "同意"})
    assert body["state"] == "approved"
    body = act(org.admin, case.pk, "confirm", {})
    assert body["state"] == "confirmed"
    assert body["effective_date"] == ENDS.isoformat()  # regular conversion: at the end date
    assert Employee.objects.get(pk=trainee.pk).level == "probationer"
    with time_machine.travel(local(2026, 4, 10, 0, 0, 1), tick=False):
        sweep_timers()
    trainee.refresh_from_db()
    assert trainee.level == "junior"
    assert trainee.base_salary is not None
    history = LevelHistory.objects.filter(employee=trainee).last()
    assert (history.to_level, history.effective_on) == ("junior", ENDS)
    assert Probation.objects.get(pk=case.pk).state == "converted"


@time_machine.travel(local(2026, 4, 1, 10, 0), tick=False)
def test_prob2_convert_refused_without_passed_exam(org, case, trainee, trainer):
    _good_months(trainee)
    body = act(org.lead, case.pk, "assess", {"outcome": "convert"}, expect=400)
    assert body["code"] == "exam_not_passed" and body["rule"] == "PROB-2"
    assert "not been recorded" in body["detail"]
    _exam(trainer, case, passed=False)
    body = act(org.lead, case.pk, "assess", {"outcome": "convert"}, expect=400)
    assert "not passed" in body["detail"]
    assert Probation.objects.get(pk=case.pk).state == "in_probation"


@time_machine.travel(local(2026, 4, 1, 10, 0), tick=False)
def test_prob2_failed_exam_can_be_retaken(org, case, trainer):
    _exam(trainer, case, passed=False)
    assert "record-exam" in read(trainer, case.pk)["available_actions"]
    body = _exam(trainer, case, passed=True)
    assert body["exam"]["passed"] is True
    assert "record-exam" not in body["available_actions"]
    act(trainer, case.pk, "record-exam", {"passed": True}, expect=409)


@time_machine.travel(local(2026, 4, 1, 10, 0), tick=False)
def test_prob2_below_tier2_needs_reason_naming_months(org, case, trainee, trainer):
    score(trainee, dt.date(2026, 1, 1), 75)
    score(trainee, dt.date(2026, 2, 1), 88)
    score(trainee, dt.date(2026, 3, 1), 55)
    _exam(trainer, case)
    body = act(org.lead, case.pk, "assess", {"outcome": "convert"}, expect=400)
    assert body["code"] == "reason_required_below_tier" and body["rule"] == "PROB-2"
    assert "2026-01 (tier 3)" in body["detail"] and "2026-03 (tier 4)" in body["detail"]
    assert "2026-02" not in body["detail"]
    body = act(org.lead, case.pk, "assess", {"outcome": "convert", "reason": "进步明显"})
    assert body["assessment"]["below_tier"] is True


@time_machine.travel(local(2026, 4, 1, 10, 0), tick=False)
def test_prob2_refusal_in_chinese(org, case, trainee, trainer):
    score(trainee, dt.date(2026, 1, 1), 75)
    _exam(trainer, case)
    body = act(org.lead, case.pk, "assess", {"outcome": "convert"}, expect=400, language="zh-hans")
    assert "2026-01" in body["detail"] and "PROB-2" in body["detail"]


def test_prob2_only_the_trainer_records_the_exam(org, case, trainee):
    for person in (org.lead, org.gm, org.agent, trainee):
        body = act(person, case.pk, "record-exam", {"passed": True}, expect=_denied(person))
        assert body["code"] in ("wrong_role", "own_request", "not_found")
    assert Probation.objects.get(pk=case.pk).exam_at is None


def _denied(person):
    from approvals.permissions import has_oversight

    # People who cannot see the case get 404; those who can but may not act, 403.
    return 403 if has_oversight(person.user) or person.user.username in ("lead", "newbie") else 404


def test_prob2_trainer_of_another_department_cannot_record(org, case):
    from tests.orgdata import employee

    outsider = employee(
        "ops-trainer", department=org.other_dept_agent.department, roles=["trainer"]
    )
    act(outsider, case.pk, "record-exam", {"passed": True}, expect=404)
    assert Probation.objects.get(pk=case.pk).exam_at is None


def test_prob2_trainer_of_a_department_without_trainer_may_record(org, trainee):
    """Decision: a department with no trainer of its own is examined by any trainer."""
    from tests.orgdata import employee
    from workflows.probation import probation_start

    ops = org.other_dept_agent.department
    newcomer = employee("ops-newbie", department=ops, level="probationer")
    probation = probation_start(employee=newcomer)
    trainer = org.panel[2]
    body = act(trainer, probation.pk, "record-exam", {"passed": True})
    assert body["exam"]["passed"] is True


@pytest.mark.parametrize("body", [{}, {"passed": "maybe"}, {"passed": True, "score": 120}])
def test_prob2_bad_exam_input_saves_nothing(org, case, trainer, body):
    response = act(trainer, case.pk, "record-exam", body, expect=400)
    assert response["rule"] == "PROB-2"
    assert Probation.objects.get(pk=case.pk).exam_at is None


def test_prob2_only_the_lead_assesses(org, case, trainee, trainer):
    _exam(trainer, case)
    act(org.colleague, case.pk, "assess", {"outcome": "convert"}, expect=404)
    body = act(org.gm, case.pk, "assess", {"outcome": "convert"}, expect=403)
    assert body["code"] == "not_department_lead"
    body = act(trainee, case.pk, "assess", {"outcome": "convert"}, expect=403)
    assert body["code"] == "own_request"
    assert Probation.objects.get(pk=case.pk).state == "in_probation"


def test_prob2_lead_of_own_probation_is_assessed_by_gm_office(org):
    """Nobody assesses their own probation: a lead's own is the GM office's."""
    from tests.orgdata import employee
    from workflows.probation import probation_start

    ops = org.other_dept_agent.department
    boss = employee("ops-boss", department=ops, level="probationer", roles=["department_lead"])
    ops.lead = boss
    ops.save()
    probation = probation_start(employee=boss)
    assert "assess" not in read(boss, probation.pk)["available_actions"]
    act(boss, probation.pk, "assess", {"outcome": "end", "reason": "x"}, expect=403)
    body = act(org.gm, probation.pk, "assess", {"outcome": "end", "reason": "不合格"})
    assert body["state"] == "awaiting_approval"


def test_prob2_gm_reject_reopens_assessment(org, case, trainer):
    _exam(trainer, case)
    act(org.lead, case.pk, "assess", {"outcome": "convert"})
    body = act(org.gm, case.pk, "reject", {}, expect=400)
    assert body["code"] == "reason_required"
    act(org.lead, case.pk, "approve", {}, expect=403)
    body = act(org.gm, case.pk, "reject", {"reason": "再观察"})
    assert body["state"] == "in_probation" and body["assessment"] is None
    assert "assess" in read(org.lead, case.pk)["available_actions"]
    assert any(t["action"] == "assess" for t in inbox(org.lead) if t["case_id"] == case.pk)


def test_prob2_confirm_only_by_administration(org, case, trainer):
    _exam(trainer, case)
    act(org.lead, case.pk, "assess", {"outcome": "convert"})
    act(org.gm, case.pk, "approve", {})
    body = act(org.gm, case.pk, "confirm", {}, expect=403)
    assert body["code"] == "wrong_role"
    body = act(org.admin, case.pk, "confirm", {"effective_date": "2026-01-01"}, expect=400)
    assert body["code"] == "effective_date_in_past"


@time_machine.travel(local(2026, 3, 1, 10, 0), tick=False)
def test_prob4_regular_conversion_cannot_take_effect_before_end_date(org, case, trainer):
    _exam(trainer, case)
    act(org.lead, case.pk, "assess", {"outcome": "convert"})
    act(org.gm, case.pk, "approve", {})
    body = act(org.admin, case.pk, "confirm", {"effective_date": "2026-03-15"}, expect=400)
    assert body["code"] == "before_end_date" and body["rule"] == "PROB-4"
    assert "2026-04-10" in body["detail"]


def test_prob3_extend_once_moves_end_date_and_reopens(org, case, trainee):
    with time_machine.travel(local(2026, 4, 1, 10, 0), tick=False):
        body = act(org.lead, case.pk, "extend", {"months": 2}, expect=400)
        assert body["code"] == "reason_required"
        body = act(org.lead, case.pk, "extend", {"months": 4, "reason": "技能不足"}, expect=400)
        assert body["code"] == "invalid_extension" and "3" in body["detail"]
        body = act(org.lead, case.pk, "extend", {"months": 2, "reason": "技能不足"})
        assert body["assessment"] == {
            **body["assessment"],
            "outcome": "extend",
            "months": 2,
        }
        body = act(org.gm, case.pk, "approve", {})
        assert body["state"] == "in_probation"
        assert body["ends_on"] == "2026-06-10" and body["extended"] is True
        assert "extend" not in body["available_actions"]
        body = act(org.lead, case.pk, "extend", {"months": 1, "reason": "again"}, expect=400)
        assert body["code"] == "already_extended" and body["rule"] == "PROB-3"
        assert "2026-06-10" in body["detail"]
    body = read(org.lead, case.pk)
    due = [d for d in body["deadlines"] if d["name"] == "assessment" and not d["met_at"]]
    assert dt.datetime.fromisoformat(due[0]["due_at"]) == local(2026, 6, 10, 0, 0)


def test_prob3_end_employment_needs_reason_and_closes_login(org, case, trainee):
    with time_machine.travel(local(2026, 4, 1, 10, 0), tick=False):
        body = act(org.lead, case.pk, "assess", {"outcome": "end"}, expect=400)
        assert body["code"] == "reason_required" and body["rule"] == "PROB-3"
        act(org.lead, case.pk, "assess", {"outcome": "end", "reason": "多次考核不合格"})
        act(org.gm, case.pk, "approve", {})
        body = act(org.admin, case.pk, "confirm", {})
        assert body["effective_date"] == "2026-04-01"
    probation = Probation.objects.get(pk=case.pk)
    assert probation.state == "ended" and probation.closed_at is not None
    assert not get_user_model().objects.get(pk=trainee.user_id).is_active
    # The exam task, never done, is closed with the case; the process is finished.
    from workflows.engine import process_for
    from workflows.probation import ProbationFlow

    assert process_for(ProbationFlow, probation).status == "DONE"


def test_prob3_bad_outcome_refused(org, case):
    body = act(org.lead, case.pk, "assess", {"outcome": "promote"}, expect=400)
    assert body["code"] == "invalid_outcome"


def test_prob2_state_conflict_after_decision(org, case, trainer):
    _exam(trainer, case)
    act(org.lead, case.pk, "assess", {"outcome": "convert"})
    body = act(org.lead, case.pk, "assess", {"outcome": "convert"}, expect=409)
    assert body["code"] == "state_conflict"


def test_prob2_exam_may_be_recorded_while_a_proposal_awaits_the_gm_office(org, case, trainer):
    act(org.lead, case.pk, "extend", {"months": 1, "reason": "技能待提高"})
    assert read(trainer, case.pk)["available_actions"] == ["record-exam"]
    body = _exam(trainer, case)
    assert body["exam"]["passed"] is True and body["state"] == "awaiting_approval"
