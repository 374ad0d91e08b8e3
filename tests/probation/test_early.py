"""PROB-4: early conversion on the probationer's application (grade A months, exam passed)."""

import datetime as dt

import pytest
import time_machine

from approvals.probation.models import Probation
from org.models import Employee

from .helpers import act, apply_early, local, read, score, sweep_timers

pytestmark = pytest.mark.django_db

MARCH = local(2026, 3, 5, 10, 0)


def _excellent(trainee):
    score(trainee, dt.date(2026, 1, 1), 93)
    score(trainee, dt.date(2026, 2, 1), 95)


@time_machine.travel(MARCH, tick=False)
def test_prob4_early_conversion_same_steps_effective_today(org, case, trainee, trainer):
    _excellent(trainee)
    act(trainer, case.pk, "record-exam", {"passed": True, "score": 96})
    assert read(trainee, case.pk)["may_apply_early"] is True
    body = apply_early(trainee)
    assert body["id"] == case.pk
    assert body["early_application"]["statement"]
    assert body["may_apply_early"] is False
    act(org.lead, case.pk, "assess", {"outcome": "convert"})
    act(org.gm, case.pk, "approve", {})
    body = act(org.admin, case.pk, "confirm", {})
    assert body["effective_date"] == "2026-03-05"  # before the end date 2026-04-10
    sweep_timers()
    assert Employee.objects.get(pk=trainee.pk).level == "junior"
    assert Probation.objects.get(pk=case.pk).state == "converted"


@time_machine.travel(MARCH, tick=False)
def test_prob4_refusal_names_months_below_grade_a_and_missing_exam(org, case, trainee):
    score(trainee, dt.date(2026, 1, 1), 93)
    score(trainee, dt.date(2026, 2, 1), 85)
    body = apply_early(trainee, expect=400)
    assert body["code"] == "not_eligible" and body["rule"] == "PROB-4"
    assert "2026-02 (grade B)" in body["detail"]
    assert "2026-01" not in body["detail"]
    assert "exam has not been recorded" in body["detail"]
    assert Probation.objects.get(pk=case.pk).early_applied_at is None


@time_machine.travel(MARCH, tick=False)
def test_prob4_refusal_in_chinese(org, case, trainee):
    score(trainee, dt.date(2026, 2, 1), 85)
    body = apply_early(trainee, expect=400, language="zh-hans")
    assert "2026-02" in body["detail"] and "PROB-4" in body["detail"]
    assert "grade B" not in body["detail"]


@time_machine.travel(MARCH, tick=False)
def test_prob4_failed_exam_and_no_scores_refused(org, case, trainee, trainer):
    act(trainer, case.pk, "record-exam", {"passed": False, "score": 50})
    body = apply_early(trainee, expect=400)
    assert "no monthly score" in body["detail"] and "not passed" in body["detail"]


@time_machine.travel(MARCH, tick=False)
def test_prob4_statement_required(org, case, trainee, trainer):
    _excellent(trainee)
    act(trainer, case.pk, "record-exam", {"passed": True})
    body = apply_early(trainee, statement="  ", expect=400)
    assert body["code"] == "statement_required"
    assert Probation.objects.get(pk=case.pk).early_applied_at is None


def test_prob4_not_after_the_end_date(org, case, trainee, trainer):
    _excellent(trainee)
    act(trainer, case.pk, "record-exam", {"passed": True})
    with time_machine.travel(local(2026, 4, 10, 9, 0), tick=False):
        body = apply_early(trainee, expect=400)
    assert body["code"] == "probation_ended" and "2026-04-10" in body["detail"]


@time_machine.travel(MARCH, tick=False)
def test_prob4_apply_twice_conflicts(org, case, trainee, trainer):
    _excellent(trainee)
    act(trainer, case.pk, "record-exam", {"passed": True})
    apply_early(trainee)
    body = apply_early(trainee, expect=409)
    assert body["code"] == "state_conflict"


def test_prob4_only_a_probationer_applies(org):
    body = apply_early(org.agent, expect=404)
    assert body["code"] == "no_probation"


@time_machine.travel(MARCH, tick=False)
def test_prob4_gm_rejection_lapses_the_application(org, case, trainee, trainer):
    _excellent(trainee)
    act(trainer, case.pk, "record-exam", {"passed": True})
    apply_early(trainee)
    act(org.lead, case.pk, "assess", {"outcome": "convert"})
    body = act(org.gm, case.pk, "reject", {"reason": "按期转正"})
    assert body["early_application"] is None and body["state"] == "in_probation"


def test_prob4_the_lead_is_told_of_the_application(org, case, trainee, trainer):
    from django.core import mail

    from notifications.scheduler import sweep

    with time_machine.travel(MARCH, tick=False):
        _excellent(trainee)
        act(trainer, case.pk, "record-exam", {"passed": True})
        sweep()  # what the exam told people goes out first
        mail.outbox.clear()
        apply_early(trainee)
        sweep()
    assert [m.to for m in mail.outbox] == [["lead@example.com"]]
    assert "提前转正申请" in mail.outbox[0].subject
