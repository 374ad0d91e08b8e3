"""A backlog nothing of which is due, in any size, for the sweep's cost tests (issue 15): what
benchmarks/sweep.py builds at 1,000,000, here in tens and hundreds."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from approvals.deadlines import Deadline
from approvals.events import OutboxEvent
from approvals.leave.models import Leave, LeaveKind, LeaveState
from notifications.models import OutboxMessage, Reminder
from tests.orgdata import employee
from workflows.penalty import PenaltyFlow


def grow_backlog(org, n: int, *, start: int = 0) -> None:
    """Add `n` of each: open deadlines (penalty answers due in days) with their three planned
    reminders and open task, waiting objection timers, timers fired long ago, dispatched
    events, delivered mail, mail queued for a later retry, mail failed for good, leaves with a
    stand-in that are over, tasks a delegate answered long ago, and employees past probation.
    `start` numbers the rows (call again with start=n to grow)."""
    now = timezone.now()
    users = [org.lead.user, org.gm.user, org.agent.user]
    ids = range(start, start + n)

    def due(i):
        return now + dt.timedelta(days=3, minutes=i)

    deadlines = Deadline.objects.bulk_create(
        Deadline(case_type="penalty", case_id=10_000 + i, name="response", due_at=due(i))
        for i in ids
    )
    Reminder.objects.bulk_create(
        Reminder(deadline=d, recipient=users[k], kind=kind, offset_hours=h, send_at=d.due_at + s)
        for d in deadlines
        for k, (kind, h, s) in enumerate(
            [
                ("before", 24, -dt.timedelta(hours=24)),
                ("due", 0, dt.timedelta(0)),
                ("escalation", 0, dt.timedelta(microseconds=1)),
            ]
        )
    )
    processes = Process.objects.bulk_create(
        Process(
            flow_class=PenaltyFlow,
            status=PROCESS.NEW,
            artifact_content_type=ContentType.objects.get(app_label="approvals", model="penalty"),
            artifact_object_id=10_000 + i,
        )
        for i in ids
    )
    timer = PenaltyFlow.instance.node("object__timeout")
    respond = PenaltyFlow.instance.node("respond")
    owners = [org.lead.user, org.agent.user, org.colleague.user]
    tasks = []
    for i, p in zip(ids, processes, strict=True):
        tasks += [
            Task(process=p, flow_task=timer, flow_task_type="TIMER", status=STATUS.SCHEDULED,
                 scheduled=due(i)),
            Task(process=p, flow_task=timer, flow_task_type="TIMER", status=STATUS.DONE,
                 scheduled=now - dt.timedelta(days=1, minutes=i)),
            Task(process=p, flow_task=respond, flow_task_type="HUMAN", status=STATUS.NEW,
                 owner=owners[i % 3], scheduled=due(i)),
            Task(process=p, flow_task=respond, flow_task_type="HUMAN", status=STATUS.DONE,
                 owner=org.gm.user, data={"acting_for": org.lead.user_id}),
        ]  # fmt: skip
    Task.objects.bulk_create(tasks)
    OutboxEvent.objects.bulk_create(
        OutboxEvent(kind="task_created", data={"task_id": 1}, dispatched_at=now) for _ in ids
    )

    def message(i, status, at):
        return OutboxMessage(
            to_email=f"u{i}@example.com", subject="s", body_text="b", language="zh-hans",
            template="reminder", status=status, next_attempt_at=at,
            sent_at=now if status == "sent" else None,
        )  # fmt: skip

    OutboxMessage.objects.bulk_create(
        m
        for i in ids
        for m in (
            message(i, "sent", now - dt.timedelta(days=1)),
            message(i, "queued", now + dt.timedelta(hours=1)),
            message(i, "failed", now - dt.timedelta(days=1)),
        )
    )
    trainer = org.panel[2]
    Leave.objects.bulk_create(
        Leave(
            employee=org.lead,
            department=org.cs,
            kind=LeaveKind.PERSONAL,
            start=now - dt.timedelta(days=10 + i),
            end=now - dt.timedelta(days=9 + i),
            reason="r",
            delegate=trainer,
            state=LeaveState.APPROVED,
            policy_version="t",
            submitted_at=now - dt.timedelta(days=20 + i),
            submitted_by=org.lead,
        )  # fmt: skip
        for i in ids
    )
    for i in ids:
        employee(f"sweep{i}", department=org.cs, level="junior")
