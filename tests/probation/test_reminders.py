"""PROB-5: the lead is reminded 14 and 3 days before the probation end date while no assessment
is under way; at the end date with no decision the GM office is told. On the deadline engine:
the `assessment` deadline is due when the end date (2026-04-10) begins, Asia/Shanghai."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from approvals.deadlines import Deadline
from notifications.models import Reminder
from notifications.scheduler import sweep
from tests.events import dispatched
from workflows.probation import probation_start

from .helpers import act, local

pytestmark = pytest.mark.django_db

DUE = local(2026, 4, 10, 0, 0)


@pytest.fixture
def opened(org, trainee):
    with (
        time_machine.travel(local(2026, 1, 10, 10, 0), tick=False),
        dispatched(),
    ):
        probation = probation_start(employee=trainee)
    _sweep(local(2026, 1, 10, 10, 0))
    mail.outbox.clear()
    return probation


def _sweep(moment):
    with time_machine.travel(moment, tick=False), dispatched():
        return sweep()


def _planned():
    return sorted(
        (r.recipient.username, r.kind, r.offset_hours, r.send_at)
        for r in Reminder.objects.filter(deadline__name="assessment").select_related("recipient")
    )


def test_prob5_reminders_planned_14_and_3_days_before_and_escalation_at_end_date(opened):
    assert Deadline.objects.get(name="assessment").due_at == DUE
    assert _planned() == [
        ("gm", "escalation", 0, DUE + dt.timedelta(microseconds=1)),
        ("lead", "before", 72, DUE - dt.timedelta(days=3)),
        ("lead", "before", 336, DUE - dt.timedelta(days=14)),
    ]


def test_prob5_lead_reminded_then_gm_office_escalated(opened):
    _sweep(DUE - dt.timedelta(days=14, seconds=1))
    assert mail.outbox == []
    _sweep(DUE - dt.timedelta(days=14))
    [message] = mail.outbox
    assert message.to == ["lead@example.com"]
    mail.outbox.clear()
    _sweep(DUE - dt.timedelta(days=3))
    assert [m.to for m in mail.outbox] == [["lead@example.com"]]
    mail.outbox.clear()
    _sweep(DUE)  # the end date's first instant still belongs to the lead
    assert mail.outbox == []
    _sweep(DUE + dt.timedelta(minutes=1))
    [message] = mail.outbox
    assert message.to == ["gm@example.com"]
    assert message.subject.startswith("已逾期")


def test_prob5_no_reminder_or_escalation_once_the_assessment_is_under_way(opened, org, trainer):
    _sweep(DUE - dt.timedelta(days=14))
    mail.outbox.clear()
    with time_machine.travel(local(2026, 4, 1, 10, 0), tick=False), dispatched():
        act(trainer, opened.pk, "record-exam", {"passed": True})
        act(org.lead, opened.pk, "assess", {"outcome": "convert"})
    mail.outbox.clear()
    _sweep(DUE - dt.timedelta(days=3))
    _sweep(DUE + dt.timedelta(minutes=1))
    assert not [m for m in mail.outbox if "lead@example.com" in m.to]
    # Only the 14-day reminder went out; the 3-day one and the escalation were cancelled (the
    # GM office's own review step has its own deadline and notices).
    rows = Reminder.objects.filter(deadline__name="assessment")
    assert sorted(rows.filter(sent_at__isnull=False).values_list("offset_hours", flat=True)) == [
        336
    ]
    assert sorted(rows.filter(cancelled_at__isnull=False).values_list("kind", flat=True)) == [
        "before",
        "escalation",
    ]


def test_prob5_reminder_offsets_follow_the_policy(org, trainee):
    from policy.models import PolicyVersion

    version = PolicyVersion.objects.get()
    version.data = {
        **version.data,
        "probation": {**version.data["probation"], "reminder_days_before": [7]},
    }
    from tests.packs import store_pack

    store_pack(version)
    with (
        time_machine.travel(local(2026, 1, 10, 10, 0), tick=False),
        dispatched(),
    ):
        probation_start(employee=trainee)
    assert [p[1:3] for p in _planned()] == [("escalation", 0), ("before", 168)]


def test_prob5_other_processes_keep_the_generic_offsets(org):
    from notifications.reminders import reminder_offsets
    from policy.services import policy_in_force
    from workflows.penalty import PenaltyFlow
    from workflows.probation import ProbationFlow

    policy = policy_in_force()
    assert reminder_offsets(PenaltyFlow, "respond", policy) == policy.reminder_offsets_hours
    assert reminder_offsets(ProbationFlow, "approval", policy) == policy.reminder_offsets_hours
    assert reminder_offsets(ProbationFlow, "assess", policy) == [336, 72]
