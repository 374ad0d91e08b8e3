"""The transaction of a service."""

import json
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from .prepared import Prepared, insert_all

# Inside a transaction that rolls back whole on any error (the engine's run_action): its memo,
# what the transaction already knows (a case's audit chain head after its own append); else None.
_whole: ContextVar[dict | None] = ContextVar("approvals_whole_transaction", default=None)


@contextmanager
def whole_transaction():
    """Open a transaction that is rolled back whole when anything inside raises: services run
    inside it join it without savepoints of their own (two statements saved per service). A
    nested one joins the outer transaction and its memo."""
    memo = _whole.get()
    outermost = memo is None
    token = _whole.set({} if outermost else memo)
    try:
        with transaction.atomic():
            yield
            if outermost:
                _insert_deferred(_whole.get())
    finally:
        _whole.reset(token)


_DEFERRED = "deferred-inserts"


def insert_at_end(obj) -> None:
    """Insert `obj` (a new model instance nothing reads back in this transaction, such as an
    outbox event) with the others of its model in one statement when the whole transaction
    ends, before it commits; at once outside one."""
    memo = _whole.get()
    if memo is None:
        obj.save(force_insert=True)
    else:
        memo.setdefault(_DEFERRED, []).append(obj)


def _insert_deferred(memo: dict) -> None:
    by_model: dict = {}
    for obj in memo.pop(_DEFERRED, ()):
        by_model.setdefault(type(obj), []).append(obj)
    for objs in by_model.values():
        insert_all(objs)


def transaction_memo() -> dict | None:
    """What the current whole transaction has learnt and may reuse until it ends (it rolls
    back whole, so nothing in it outlives a failure); None outside one."""
    return _whole.get()


def atomic():
    """A service's transaction. On its own it is the transaction; inside a caller's block it is
    a savepoint (the caller may catch the refusal and go on), except inside `whole_transaction`,
    where a refusal rolls everything back anyway and the savepoint would only cost statements."""
    return transaction.atomic(savepoint=_whole.get() is None)


# --- the case of the transaction ---------------------------------------------------------------


def _case_key(model, pk) -> tuple:
    return ("case", model._meta.label_lower, int(pk))


def remember_case(case) -> None:
    """Keep `case` (created or locked in this whole transaction) for the rest of it."""
    memo = _whole.get()
    if memo is not None:
        memo[_case_key(type(case), case.pk)] = case


_LOCKS: dict = {}


def lock_case(model, pk, *, related: tuple = (), of: tuple = ("self",)):
    """The case row read under its lock (`of`: the rows locked with it; `related`: the rows read
    with it), once per whole transaction: the next service or routing callback that asks gets
    the same instance, which every change in this transaction went through. The statement is
    compiled once per shape (approvals.prepared)."""
    memo = _whole.get()
    key = _case_key(model, pk)
    if memo is not None and key in memo:
        return memo[key]
    shape = (model, related, of)
    prepared = _LOCKS.get(shape)
    if prepared is None:
        prepared = _LOCKS[shape] = Prepared(
            lambda sentinel: (
                model._default_manager.select_for_update(of=of)
                .select_related(*related)
                .filter(pk=sentinel)
            ),
            arity=1,
        )
    case = prepared.first(int(pk))
    if case is None:
        raise model.DoesNotExist(f"{model._meta.object_name} {pk} does not exist")
    as_read(case)
    if memo is not None:
        memo[key] = case
    return case


def read_case(queryset, pk):
    """The case as this transaction left it: the instance it created or locked, else read."""
    memo = _whole.get()
    if memo is not None:
        case = memo.get(_case_key(queryset.model, pk))
        if case is not None:
            return case
    return queryset.get(pk=pk)


# --- saving what changed -----------------------------------------------------------------------

_AS_READ = "_approvals_as_read"


_ATTNAMES: dict = {}
_UNLOADED = object()
_JSON_TEXT = object()


def _attnames(model) -> tuple:
    names = _ATTNAMES.get(model)
    if names is None:
        names = _ATTNAMES[model] = tuple(
            f.attname for f in model._meta.concrete_fields if not f.primary_key
        )
    return names


def _columns(obj) -> dict:
    values = {}
    for name in _attnames(type(obj)):
        value = obj.__dict__.get(name, _UNLOADED)  # a deferred field stays unread
        # A JSON value may be changed in place: compare its text as read (a C-speed dump,
        # several times cheaper than a deep copy of the same dict).
        if isinstance(value, (dict, list)):
            value = (_JSON_TEXT, json.dumps(value, sort_keys=True, default=str))
        values[name] = value
    return values


def as_read(obj):
    """Remember `obj`'s column values as read from the database, for `save_changed`."""
    obj.__dict__[_AS_READ] = _columns(obj)
    return obj


def save_changed(obj) -> None:
    """Save `obj`'s columns that changed since it was read (`as_read`): an UPDATE of those
    alone, signals sent as by any save; nothing when none changed. An instance not marked as
    read is saved whole. Fields written on every save (auto_now) are always saved."""
    before = obj.__dict__.get(_AS_READ)
    if before is None:
        obj.save()
        return
    now = _columns(obj)
    changed = [name for name, value in now.items() if before.get(name) != value]
    if changed:
        changed += [
            f.attname
            for f in obj._meta.concrete_fields
            if getattr(f, "auto_now", False) and f.attname not in changed
        ]
        obj.save(update_fields=changed)
    obj.__dict__[_AS_READ] = _columns(obj)
