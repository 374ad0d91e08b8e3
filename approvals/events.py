"""The transactional outbox of domain events.

A change that others are told about (a case decided, a task landing in an inbox) writes one
`OutboxEvent` row in the transaction that makes the change: committed with it or rolled back with
it, never lost between a commit and an after-commit handler. The scheduler's sweep dispatches
pending events (`notifications.events.dispatch_events`): it sends the in-process signals
(`approvals.signals.case_changed`, `workflows.signals.task_created`) whose receivers queue mail and
notices and plan reminders, and marks the event dispatched in the same transaction.

Who listens declares what it listens to (`listen_to`), so a step nobody is told about writes
nothing: the action's transaction stays short.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .db import insert_at_end

# Actions of case_changed that some receiver handles (filled by the receivers, at import): of
# every kind of case, or (case type, action) of one kind.
_CASE_ACTIONS: set[str] = set()
_KIND_ACTIONS: set[tuple[str, str]] = set()


def listen_to(*actions: str, case_type: str | None = None) -> None:
    """Declare that a case_changed receiver handles `actions` (of `case_type` only, when given):
    only those are written."""
    if case_type is None:
        _CASE_ACTIONS.update(actions)
    else:
        _KIND_ACTIONS.update((case_type, action) for action in actions)


def is_listened(action: str, case_type: str | None = None) -> bool:
    return action in _CASE_ACTIONS or (case_type, action) in _KIND_ACTIONS


class OutboxEvent(models.Model):
    class Kind(models.TextChoices):
        CASE_CHANGED = "case_changed", _("Case changed")
        TASK_CREATED = "task_created", _("Task created")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # A receiver that raised: retried by the next sweeps, given up (kept, visible in the admin)
    # after MAX_ATTEMPTS.
    attempts = models.PositiveSmallIntegerField(default=0)
    failed = models.BooleanField(default=False)
    last_error = models.TextField(blank=True)

    class Meta:
        app_label = "approvals"
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["pk"]
        # The dispatcher's only question: which events are pending, oldest first. The partial
        # index holds only those, so the sweep's cost follows what is pending, not the history.
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(dispatched_at__isnull=True, failed=False),
                name="outbox_event_pending",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.data}"


def emit(kind: str, **data) -> None:
    """Write the event in the current transaction: inside the engine's whole transaction, with
    the action's other events in one INSERT at its end."""
    insert_at_end(OutboxEvent(kind=kind, data=data))
