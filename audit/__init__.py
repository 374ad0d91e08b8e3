"""Append-only, keyed (HMAC) audit log, one chain per case: `record()` writes an event,
`checkpoint()` signs the state of every chain into the checkpoint file, `verify()` checks both."""


def record(**kwargs):
    from .services import record as _record

    return _record(**kwargs)


def checkpoint(**kwargs):
    from .services import checkpoint as _checkpoint

    return _checkpoint(**kwargs)


def verify(**kwargs):
    from .verification import verify as _verify

    return _verify(**kwargs)
