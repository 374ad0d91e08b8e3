"""Append-only, hash-chained audit log: `record()` writes an event, `verify()` checks the chain."""


def record(**kwargs):
    from .services import record as _record

    return _record(**kwargs)


def verify():
    from .services import verify as _verify

    return _verify()
