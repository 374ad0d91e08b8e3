"""Escalation notices (DEADLINE-2 "then escalate to the next level when it passes", PROMO-5):
who gets them, who does not (`escalating_nodes`: the flow escalates with its own timer), and a
reminder whose mail fails is retried, never re-planned or lost.

The promotion is submitted on Monday 2 March 2026 10:00 (Asia/Shanghai); the nomination is due
Thursday 5 March 23:59:59.999999 (3 working days).
"""

import datetime as dt

from django.core import mail

from approvals.deadlines import Deadline
from notifications.models import OutboxMessage, Reminder
from tests.notifications.test_reminders import DUE, nominate, submit, sweep_at
from workflows.promotion import PromotionFlow


def kinds(deadline_name):
    return sorted(
        (r.recipient.username, r.kind)
        for r in Reminder.objects.filter(deadline__name=deadline_name).select_related("recipient")
    )


def test_deadline2_no_generic_escalation_for_a_node_the_flow_escalates_itself(org, monkeypatch):
    monkeypatch.setattr(PromotionFlow, "escalating_nodes", {"nominate"}, raising=False)
    submit(org)
    assert kinds("nomination") == [("lead", "before"), ("lead", "due")]
    sweep_at(DUE)
    mail.outbox.clear()
    sweep_at(DUE + dt.timedelta(days=2))
    assert mail.outbox == []
    assert not OutboxMessage.objects.filter(template="escalation").exists()


def test_promo5_overdue_gm_review_still_escalates_to_the_gm_office(org):
    """A step the GM office holds itself escalates to the GM office (the general manager sits
    there): its members get the reminders and the overdue notice."""
    promotion = submit(org)
    nominate(org, promotion)
    assert kinds("gm_review") == [("gm", "before"), ("gm", "due"), ("gm", "escalation")]
    due = Deadline.objects.get(name="gm_review", met_at__isnull=True).due_at
    sweep_at(due)
    mail.outbox.clear()
    sweep_at(due + dt.timedelta(minutes=1))
    [message] = mail.outbox
    assert message.to == ["gm@example.com"]
    assert message.subject.startswith("已逾期")  # the GM office member reads Chinese


def test_deadline2_escalation_is_in_the_recipients_language(org):
    org.gm.language = "en"
    org.gm.save()
    submit(org)
    sweep_at(DUE)
    mail.outbox.clear()
    sweep_at(DUE + dt.timedelta(minutes=1))
    [message] = mail.outbox
    assert message.subject.startswith("Overdue: Department nomination")
    assert "2026-03-05 23:59" in message.body and "passed its deadline" in message.body


def test_deadline2_a_reminder_whose_mail_fails_is_retried_not_queued_again(org, settings):
    submit(org)
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.BrokenBackend"
    report = sweep_at(DUE - dt.timedelta(hours=24))
    assert report.steps["reminders"] == 1 and report.failed == 1
    [message] = OutboxMessage.objects.filter(template="reminder")
    assert message.status == OutboxMessage.Status.QUEUED and message.attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    report = sweep_at(DUE - dt.timedelta(hours=24) + dt.timedelta(minutes=5))
    assert report.steps["reminders"] == 0 and report.sent == 1
    assert [m.to for m in mail.outbox] == [["lead@example.com"]]
    assert OutboxMessage.objects.filter(template="reminder").count() == 1
