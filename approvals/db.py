"""The transaction of a service."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

# Inside a transaction that rolls back whole on any error (the engine's run_action): its memo,
# what the transaction already knows (a case's audit chain head after its own append); else None.
_whole: ContextVar[dict | None] = ContextVar("approvals_whole_transaction", default=None)


@contextmanager
def whole_transaction():
    """Open a transaction that is rolled back whole when anything inside raises: services run
    inside it join it without savepoints of their own (two statements saved per service). A
    nested one joins the outer transaction and its memo."""
    memo = _whole.get()
    token = _whole.set({} if memo is None else memo)
    try:
        with transaction.atomic():
            yield
    finally:
        _whole.reset(token)


def transaction_memo() -> dict | None:
    """What the current whole transaction has learnt and may reuse until it ends (it rolls
    back whole, so nothing in it outlives a failure); None outside one."""
    return _whole.get()


def atomic():
    """A service's transaction. On its own it is the transaction; inside a caller's block it is
    a savepoint (the caller may catch the refusal and go on), except inside `whole_transaction`,
    where a refusal rolls everything back anyway and the savepoint would only cost statements."""
    return transaction.atomic(savepoint=_whole.get() is None)
