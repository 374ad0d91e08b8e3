"""The keys and digests of the audit log: HMAC-SHA256 under AUDIT_KEY (never in the database).

Pure functions over field values, so the data migration that re-chained the old rows uses the
same digest as `record()` and `verify()`.
"""

import hashlib
import hmac
import json
from functools import lru_cache

from django.conf import settings

GENESIS = "0" * 64


@lru_cache(maxsize=16)
def key_id(key: str) -> str:
    """A short public name of a key (first 8 hex of its SHA-256): stored on each event and
    checkpoint, so verify can tell "signed with another key" from "rewritten"."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


def current_key() -> tuple[str, str]:
    """(key id, key) that signs new events and checkpoints."""
    key = settings.AUDIT_KEY
    if not key:
        raise RuntimeError("AUDIT_KEY is empty")
    return key_id(key), key


def known_keys() -> dict[str, str]:
    """Every key verify may check with, by id: the current one and AUDIT_PREVIOUS_KEYS."""
    keys = {key_id(k): k for k in getattr(settings, "AUDIT_PREVIOUS_KEYS", []) if k}
    kid, key = current_key()
    keys[kid] = key
    return keys


def mac(key: str, blob: str) -> str:
    return hmac.new(key.encode("utf-8"), blob.encode("utf-8"), hashlib.sha256).hexdigest()


def canonical(payload) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)


def event_payload(event, prev_hash: str) -> dict:
    """What an event's hash covers: its content, its place in its case's chain, and its key id.
    Works on the model and on the historical model of a migration."""
    return {
        "prev": prev_hash,
        "seq": event.seq,
        "key": event.key_id,
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "on_behalf_of": event.on_behalf_of_id,
        "case": [event.case_type, event.case_id],
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "rules": list(event.rules),
        "policy": event.policy_version,
        "comment": event.comment,
        "data": event.data,
    }


def event_hash(key: str, event, prev_hash: str) -> str:
    return mac(key, canonical(event_payload(event, prev_hash)))


def constant_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
