"""Tests that look at what people are told: actions write outbox events in their transaction
(approvals.events) and the sweep dispatches them. `dispatched()` runs a block and then dispatches,
as the next sweep would."""

from contextlib import contextmanager

from notifications.events import dispatch_events


@contextmanager
def dispatched():
    yield
    dispatch_events()
