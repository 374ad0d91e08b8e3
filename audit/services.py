"""Writing and verifying the audit chain.

Each event's hash covers its content and the previous event's hash, so editing or deleting any
row breaks `verify()` from that row on. Appends are serialised by locking the chain head: on
PostgreSQL a transaction-scoped advisory lock, on SQLite the database write lock.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEvent

GENESIS = "0" * 64
_ADVISORY_KEY = 7_300_001  # arbitrary constant naming "the audit chain head"


def _digest(prev_hash: str, event: AuditEvent) -> str:
    payload = {
        "prev": prev_hash,
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
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def record(
    *,
    case_type: str,
    case_id: int,
    action: str,
    actor=None,
    on_behalf_of=None,
    from_state: str = "",
    to_state: str = "",
    rules: list[str] | tuple[str, ...] = (),
    policy_version: str = "",
    comment: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_KEY])
        last = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
        event = AuditEvent(
            at=timezone.now(),
            actor=actor,
            on_behalf_of=on_behalf_of,
            case_type=case_type,
            case_id=case_id,
            action=action,
            from_state=from_state or "",
            to_state=to_state or "",
            rules=list(rules),
            policy_version=policy_version or "",
            comment=comment or "",
            data=json.loads(json.dumps(data or {}, default=str)),
            prev_hash=last or GENESIS,
        )
        event.hash = _digest(event.prev_hash, event)
        event.save()
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_at: int | None = None


def verify() -> VerifyResult:
    """Walk the chain in order; report the first event whose hash or link does not match."""
    prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=2000):
        if event.prev_hash != prev or _digest(prev, event) != event.hash:
            return VerifyResult(ok=False, checked=checked, broken_at=event.pk)
        prev = event.hash
        checked += 1
    return VerifyResult(ok=True, checked=checked)
