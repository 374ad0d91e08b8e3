"""Dispatching the outbox of domain events (approvals.events), a step of every sweep.

Pending events are taken oldest first, a batch per transaction: each event's receivers run in a
savepoint (they queue mail and notices, plan reminders) and the event is marked dispatched in the
same transaction, so an event is handled exactly once or not at all. Two sweeps at once share
the work: PostgreSQL skips the rows another sweep has locked (SKIP LOCKED); SQLite's
transactions take the write lock when they begin (BEGIN IMMEDIATE, config.settings), so the
second sweep waits and then reads the events already dispatched.

A receiver that raises leaves its event pending (its savepoint rolled back) for the next sweeps;
after MAX_ATTEMPTS it is marked failed and kept, with the error, for an administrator.
"""

import logging

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from approvals.events import OutboxEvent
from approvals.inline import Compiled
from approvals.signals import case_changed
from workflows.signals import task_created

logger = logging.getLogger(__name__)

BATCH = 200
MAX_ATTEMPTS = 5


def _pending():
    return OutboxEvent.objects.filter(dispatched_at__isnull=True, failed=False)


# The nothing-pending check of every sweep, compiled once (approvals.inline.Compiled).
_first_pending = Compiled(lambda: _pending().order_by("pk").values("pk")[:1])


def _send(event: OutboxEvent) -> None:
    data = dict(event.data)
    if event.kind == OutboxEvent.Kind.TASK_CREATED:
        task_created.send(sender=OutboxEvent, task_id=data["task_id"])
    elif event.kind == OutboxEvent.Kind.CASE_CHANGED:
        model = apps.get_model(data.pop("model"))
        case_changed.send(sender=model, **data)
    else:
        raise ValueError(f"unknown event kind {event.kind!r}")


def dispatch_events(*, limit: int = 2000) -> int:
    """Dispatch up to `limit` pending events; returns how many were dispatched. With nothing
    pending this is one query and opens no transaction."""
    if _first_pending.scalar() is None:
        return 0
    skip_locked = connection.features.has_select_for_update_skip_locked
    done = 0
    while done < limit:
        with transaction.atomic():
            qs = _pending().order_by("pk")
            if skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            batch = list(qs[: min(BATCH, limit - done)])
            if not batch:
                break
            now = timezone.now()
            for event in batch:
                try:
                    with transaction.atomic():
                        _send(event)
                except Exception as exc:  # a receiver's bug must not block the other events
                    event.attempts += 1
                    event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                    event.failed = event.attempts >= MAX_ATTEMPTS
                    logger.exception(
                        "outbox event %s failed (attempt %s)", event.pk, event.attempts
                    )
                else:
                    event.dispatched_at = now
            OutboxEvent.objects.bulk_update(
                batch, ["dispatched_at", "attempts", "failed", "last_error"]
            )
        done += len(batch)
        if any(e.dispatched_at is None for e in batch):
            break  # a failing event stays first in line: retry it in the next sweep
    return done
