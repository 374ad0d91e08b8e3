"""The transaction of a service."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

# True inside a transaction that rolls back whole on any error (the engine's run_action).
_whole = ContextVar("approvals_whole_transaction", default=False)


@contextmanager
def whole_transaction():
    """Open a transaction that is rolled back whole when anything inside raises: services run
    inside it join it without savepoints of their own (two statements saved per service)."""
    token = _whole.set(True)
    try:
        with transaction.atomic():
            yield
    finally:
        _whole.reset(token)


def atomic():
    """A service's transaction. On its own it is the transaction; inside a caller's block it is
    a savepoint (the caller may catch the refusal and go on), except inside `whole_transaction`,
    where a refusal rolls everything back anyway and the savepoint would only cost statements."""
    return transaction.atomic(savepoint=not _whole.get())
