"""Reminders and escalation on the deadline engine (DEADLINE-2, PROMO-5, APPEAL-2): planned rows,
sent exactly once at the policy's offsets, cancelled when the deadline is met, escalated to the
GM office after the due time unless the flow escalates by itself.

The promotion below is submitted on Monday 2 March 2026 10:00 (Asia/Shanghai); the nomination is
due in 3 working days: Thursday 5 March 23:59:59.999999.
"""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

import audit
from approvals.deadlines import Deadline
from approvals.promotion import services
from notifications.models import OutboxMessage, Reminder
from notifications.reminders import reminders_send_due
from notifications.scheduler import sweep
from tests.events import dispatched
from tests.penalty.helpers import act, local, serve
from workflows.engine import run_action, start_flow
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db

SUBMITTED = local(2026, 3, 2, 10, 0)
DUE = local(2026, 3, 5, 23, 59, 59, 999999)


def submit(org):
    with time_machine.travel(SUBMITTED, tick=False), dispatched():
        promotion = services.promotion_submit(
            actor=org.agent.user,
            target_level="intermediate",
            statement="s",
            skip_level_reason="例外",  # the test's scores are for other months
        )
        start_flow(flow_class=PromotionFlow, case=promotion)
    sweep_at(SUBMITTED)  # delivers the "task assigned" mail
    mail.outbox.clear()
    return promotion


def nominate(org, promotion):
    """The lead nominates an hour after submission (meets the nomination deadline)."""
    with time_machine.travel(SUBMITTED + dt.timedelta(hours=1), tick=False), dispatched():
        run_action(
            flow_class=PromotionFlow,
            actions=PromotionFlow.actions,
            case=promotion,
            name="nominate",
            actor=org.lead.user,
        )


def planned():
    return sorted(
        (r.recipient.username, r.kind, r.offset_hours, r.send_at)
        for r in Reminder.objects.select_related("recipient")
    )


def sweep_at(moment):
    with time_machine.travel(moment, tick=False), dispatched():
        return sweep()


def test_deadline2_reminders_are_planned_when_the_task_lands(org):
    submit(org)
    assert planned() == [
        ("gm", "escalation", 0, DUE + dt.timedelta(microseconds=1)),
        ("lead", "before", 24, DUE - dt.timedelta(hours=24)),
        ("lead", "due", 0, DUE),
    ]


def test_deadline2_a_reminder_already_past_is_not_planned(org):
    from policy.models import PolicyVersion

    version = PolicyVersion.objects.get()
    version.data = {
        **version.data,
        "deadlines": {**version.data["deadlines"], "reminder_offsets_hours": [100, 24, 0]},
    }
    from tests.packs import store_pack

    store_pack(version)
    submit(org)  # due in 86 hours: 100 h before is past
    assert [(k, h) for _, k, h, _ in planned() if k != "escalation"] == [("before", 24), ("due", 0)]


def test_deadline2_each_reminder_is_sent_once_at_its_time(org):
    submit(org)
    mail.outbox.clear()
    report = sweep_at(DUE - dt.timedelta(hours=24, seconds=1))
    assert report.steps["reminders"] == 0 and mail.outbox == []
    for _ in range(2):  # a second sweep at the same time sends nothing more
        sweep_at(DUE - dt.timedelta(hours=24))
    assert [m.to for m in mail.outbox] == [["lead@example.com"]]
    assert "2026-03-05 23:59" in mail.outbox[0].body
    for _ in range(2):
        sweep_at(DUE)
    assert len(mail.outbox) == 2
    assert OutboxMessage.objects.filter(template="reminder").count() == 2


def test_deadline2_reminder_in_the_recipients_language(org):
    org.lead.language = "en"
    org.lead.save()
    submit(org)
    mail.outbox.clear()
    sweep_at(DUE - dt.timedelta(hours=24))
    [message] = mail.outbox
    assert message.subject.startswith("Reminder: Department nomination")
    org.lead.language = "zh-hans"
    org.lead.save()
    sweep_at(DUE)
    assert mail.outbox[1].subject.startswith("提醒")


def test_deadline2_a_met_deadline_cancels_its_reminders(org):
    promotion = submit(org)
    nominate(org, promotion)
    mail.outbox.clear()
    sweep_at(DUE + dt.timedelta(days=1))
    nomination = Deadline.objects.get(name="nomination")
    assert nomination.met_at is not None
    rows = Reminder.objects.filter(deadline=nomination)
    assert rows.count() == 3
    assert all(r.cancelled_at and not r.sent_at for r in rows)
    assert not [m for m in mail.outbox if m.to == ["lead@example.com"]]


def test_promo5_overdue_review_escalates_to_the_gm_office(org):
    submit(org)
    sweep_at(DUE)
    mail.outbox.clear()
    sweep_at(DUE + dt.timedelta(seconds=1))
    [message] = mail.outbox
    assert message.to == ["gm@example.com"]
    assert "lead" in message.body  # names whom the step was waiting for


def test_appeal2_responder_is_reminded_and_the_flow_escalates_by_itself(org):
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        with dispatched():
            case = serve(org.lead, org.agent)
        with dispatched():
            act(org.agent, case["id"], "sign")
        with dispatched():
            act(org.agent, case["id"], "object", {"reason": "x"})
    response = Deadline.objects.get(name="response")
    kinds = sorted(
        (r.recipient.username, r.kind) for r in Reminder.objects.filter(deadline=response)
    )
    # The GM office answers (the lead issued it): reminded before and at the due time; no
    # generic escalation notice, the flow's own timer escalates.
    assert kinds == [("gm", "before"), ("gm", "due")]
    # The employee is reminded to sign before the window closes (objecting is a right, not a
    # duty: no reminders); the window's lapse is the flow's own timer, so no escalation rows.
    objection = Deadline.objects.get(name="objection")
    assert sorted(
        (r.recipient.username, r.kind) for r in Reminder.objects.filter(deadline=objection)
    ) == [("agent", "before"), ("agent", "due")]


def test_deadline2_sweep_with_nothing_due_costs_the_same_for_10_and_1000_deadlines(org):
    def open_deadlines(n):
        now = local(2026, 3, 2, 10, 0)
        rows = Deadline.objects.bulk_create(
            Deadline(
                case_type="promotion",
                case_id=10_000 + i,
                name="nomination",
                due_at=now + dt.timedelta(days=30),
            )
            for i in range(n)
        )
        Reminder.objects.bulk_create(
            Reminder(
                deadline=d,
                recipient=org.lead.user,
                kind="before",
                offset_hours=24,
                send_at=d.due_at - dt.timedelta(hours=24),
            )
            for d in rows
        )

    def count():
        with (
            time_machine.travel(local(2026, 3, 2, 11, 0), tick=False),
            CaptureQueriesContext(connection) as ctx,
        ):
            sweep()
        return len(ctx.captured_queries)

    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        audit.checkpoint()  # nor is the day's audit checkpoint due
    open_deadlines(10)
    count()  # a process's first sweep fills its caches (the scheduled close reads the policy)
    small = count()
    open_deadlines(990)
    big = count()
    print(f"\nsweep with nothing due: {small} queries at 10 open deadlines, {big} at 1000")
    assert big == small


def test_deadline2_sweep_queries_grow_linearly_with_the_reminders_due(org):
    users = [org.lead.user, org.gm.user, org.agent.user, org.colleague.user]

    def due_reminders(n, case_id):
        base = local(2026, 3, 2, 10, 0)
        deadline = Deadline.objects.create(
            case_type="promotion", case_id=case_id, name="nomination", due_at=base
        )
        for i in range(n):
            Reminder.objects.create(
                deadline=deadline,
                recipient=users[i % len(users)],
                kind="before",
                offset_hours=100 + i,
                send_at=base - dt.timedelta(hours=1),
            )

    def count(n, case_id):
        due_reminders(n, case_id)
        with (
            time_machine.travel(local(2026, 3, 2, 11, 0), tick=False),
            CaptureQueriesContext(connection) as ctx,
        ):
            assert reminders_send_due() == n
        return len(ctx.captured_queries)

    # The reminders need a real case for their text.
    case = services.promotion_submit(
        actor=org.agent.user, target_level="intermediate", statement="s"
    )
    start_flow(flow_class=PromotionFlow, case=case)
    q5, q10, q20 = count(5, case.pk), count(10, case.pk), count(20, case.pk)
    per_item = (q20 - q10) / 10
    print(
        f"\nreminder sending: {q5} queries for 5 due, {q10} for 10, {q20} for 20 ({per_item:g} per reminder)"
    )
    assert (q10 - q5) / 5 == per_item  # the same slope: linear
    assert per_item <= 6
