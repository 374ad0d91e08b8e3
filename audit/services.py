"""Writing the audit log: `record()` appends an event to its case's chain, `checkpoint()` writes
the state of every chain to the checkpoint file.

One chain per case (case_type, case_id): an event's `seq` counts the case's events from 1, its
`prev_hash` is the hash of the case's previous event, its `hash` an HMAC-SHA256 under AUDIT_KEY
(audit/signing.py). Appending reads only its own case's head (one indexed query) and inserts:
appends to different cases never wait for each other. Two racing appends to one case cannot
both win: the unique (case_type, case_id, seq) refuses the second (the services lock the case row
first, so this is the backstop).

Per-case chains cannot see a case's last events deleted, nor a whole case. Checkpoints do: a
signed line per checkpoint in AUDIT_CHECKPOINT_FILE (append-only, outside the database), with the
highest event id covered, how many events there were up to it and an HMAC over every case's head
as of it. `audit.verification.verify()` checks both.
"""

import datetime as dt
import fcntl
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from .models import AuditEvent
from .signing import GENESIS, canonical, current_key, event_hash, mac


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
    head: tuple[int, str] | None = None,
    insert=None,
) -> AuditEvent:
    """Append one event to its case's chain, inside the caller's transaction: two statements,
    the case's head (indexed on case_type, case_id, seq) and the insert. No savepoint: an insert
    that loses a race fails the caller's transaction, as it should.

    `head`: the chain's head (seq, hash) when the caller knows it in this transaction, under the
    case's lock (its own previous append; (0, GENESIS) for a case it just created): the insert
    alone. A wrong head cannot slip in: the unique (case_type, case_id, seq) refuses it.
    `insert`: how the event is written (default: an INSERT now), e.g. with the transaction's
    other writes at its end."""
    kid, key = current_key()
    case_id = int(case_id)
    if head is None:
        head = (
            AuditEvent.objects.filter(case_type=case_type, case_id=case_id)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        ) or (0, GENESIS)
    seq, prev = head[0] + 1, head[1]
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
        # What the database gives back (JSON), so the hash verifies after a round trip.
        data=json.loads(json.dumps(data or {}, default=str)),
        seq=seq,
        key_id=kid,
        prev_hash=prev,
    )
    event.hash = event_hash(key, event, prev)
    if insert is None:
        event.save(force_insert=True)
    else:
        insert(event)
    return event


# --- Checkpoints ------------------------------------------------------------------------------


def head_line(case_type: str, case_id: int, seq: int, hash_: str) -> bytes:
    """One case's head in a checkpoint's digest (cases in (case_type, case_id) order)."""
    return f"{case_type}\t{case_id}\t{seq}\t{hash_}\n".encode()


def heads_digest(key: str, max_id: int) -> tuple[int, int, str]:
    """(events, cases, HMAC over every case's head) as of event id `max_id`, streamed."""
    digest = hmac.new(key.encode("utf-8"), digestmod="sha256")
    events = cases = 0
    current = None
    rows = (
        AuditEvent.objects.filter(id__lte=max_id)
        .order_by("case_type", "case_id", "seq")
        .values_list("case_type", "case_id", "seq", "hash")
        .iterator(chunk_size=5000)
    )
    for row in rows:
        events += 1
        if current is not None and row[:2] != current[:2]:
            digest.update(head_line(*current))
            cases += 1
        current = row
    if current is not None:
        digest.update(head_line(*current))
        cases += 1
    return events, cases, digest.hexdigest()


def _settled_max_id() -> int:
    """The highest event id below which every event is committed and none can appear later.

    On PostgreSQL an id is taken when the insert runs and becomes visible at commit, so a
    transaction still open can commit an id lower than the highest one seen. A SHARE lock on
    the table waits for the transactions that are inserting and holds new inserts for as long
    as one `max(id)` takes; ids after it are higher. On SQLite this transaction holds the write
    lock, nothing else is in flight."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {AuditEvent._meta.db_table} IN SHARE MODE")
        return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def read_last_line(path: Path) -> str | None:
    """The file's last line without reading the whole file."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            end = f.tell()
            block, data = 4096, b""
            while end > 0 and data.count(b"\n") < 2:
                start = max(0, end - block)
                f.seek(start)
                data = f.read(end - start) + data
                end = start
    except FileNotFoundError:
        return None
    lines = [line for line in data.split(b"\n") if line.strip()]
    return lines[-1].decode("utf-8", errors="replace") if lines else None


def _parse(line: str | None) -> dict | None:
    if not line:
        return None
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None


def checkpoint_body(entry: dict) -> str:
    """What a checkpoint line's signature covers: every field but the signature."""
    return canonical({k: v for k, v in entry.items() if k != "sig"})


@dataclass(frozen=True)
class Checkpoint:
    n: int
    at: str
    max_id: int
    events: int
    cases: int


def _is_due(last: dict | None, now: dt.datetime) -> bool:
    if last is None:
        return True
    try:
        at = dt.datetime.fromisoformat(last["at"])
    except (KeyError, TypeError, ValueError):
        return True
    return now - at >= dt.timedelta(hours=settings.AUDIT_CHECKPOINT_HOURS)


def checkpoint(*, only_if_due: bool = False) -> Checkpoint | None:
    """Append a signed checkpoint line over every case chain; with `only_if_due`, only when the
    last one is AUDIT_CHECKPOINT_HOURS old (else None). Each line is chained to the previous
    line's signature. The file is locked while it is appended to, so two sweeps at once write
    one line."""
    path = checkpoint_path()
    if only_if_due and not _is_due(_parse(read_last_line(path)), timezone.now()):
        return None  # the cheap path of every sweep: the file's last line, no query
    path.parent.mkdir(parents=True, exist_ok=True)
    kid, key = current_key()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "ab") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            last = _parse(read_last_line(path))
            now = timezone.now()
            if only_if_due and not _is_due(last, now):
                return None
            max_id = _settled_max_id()
            events, cases, digest = heads_digest(key, max_id)
            entry = {
                "n": int(last["n"]) + 1 if last and isinstance(last.get("n"), int) else 1,
                "at": now.isoformat(),
                "max_id": max_id,
                "events": events,
                "cases": cases,
                "heads": digest,
                "key": kid,
                "prev": last.get("sig", GENESIS) if last else GENESIS,
            }
            entry["sig"] = mac(key, checkpoint_body(entry))
            f.write((canonical(entry) + "\n").encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
    return Checkpoint(entry["n"], entry["at"], max_id, events, cases)


def checkpoint_if_due() -> int:
    """The sweep's step: 1 when it wrote a checkpoint, else 0."""
    return 1 if checkpoint(only_if_due=True) else 0
