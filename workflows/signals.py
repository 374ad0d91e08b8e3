"""Signals the flows send after commit; notifications listens."""

from django.dispatch import Signal

# kwargs: task_id — a human task was created (assigned to someone or queued for a role)
task_created = Signal()
