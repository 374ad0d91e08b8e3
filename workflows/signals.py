"""Signals of the flows, sent by the sweep when it dispatches the outbox (approvals.events);
notifications listens."""

from django.dispatch import Signal

# kwargs: task_id — a human task was created (assigned to someone or queued for a role)
task_created = Signal()
