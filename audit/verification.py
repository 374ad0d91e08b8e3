"""Verifying the audit log: every case chain and every checkpoint (issue 11, finding 7).

One pass over the events in (case_type, case_id, seq) order, streamed (the unique index's
order; never the whole table in memory). For each case: seq from 1 without gaps, each link to
the previous event's hash, each hash the HMAC of the event under the key its key_id names. For
each checkpoint line of the file (signed, chained to the line before): the number of events up
to its max id and the HMAC over every case's head as of it, recomputed from the events. A
deleted or rewritten event before a checkpoint, or a deleted tail, changes one or the other.
"""

import bisect
import hmac
import json
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import AuditEvent
from .services import checkpoint_body, checkpoint_path, head_line
from .signing import GENESIS, constant_equal, event_hash, known_keys, mac

REWRITTEN = "rewritten"
MISSING = "missing"
OTHER_KEY = "other_key"
TAIL_DELETED = "tail_deleted"
INSERTED = "inserted"
FILE_TAMPERED = "checkpoint_file_tampered"

MAX_PROBLEMS = 1000  # a log broken everywhere still answers in bounded memory


@dataclass(frozen=True)
class Problem:
    kind: str
    case_type: str = ""
    case_id: int | None = None
    seq: int | None = None
    event_id: int | None = None
    checkpoint: int | None = None  # the checkpoint's number `n`
    line: int | None = None  # the checkpoint file's line
    detail: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        p = {
            "case": f"{self.case_type}#{self.case_id}",
            "seq": self.seq,
            "id": self.event_id,
            "n": self.checkpoint,
            "line": self.line,
            **self.detail,
        }
        if self.kind == FILE_TAMPERED:
            return _("checkpoint file tampered at line %(line)s: %(why)s") % p
        if self.checkpoint is not None and self.case_id is None:
            if self.kind == OTHER_KEY:
                return _("checkpoint %(n)s was signed with another key (%(key)s)") % p
            if self.kind == TAIL_DELETED:
                return (
                    _(
                        "tail deleted since checkpoint %(n)s: %(found)s events up to id "
                        "%(max_id)s, the checkpoint recorded %(expected)s"
                    )
                    % p
                )
            if self.kind == MISSING:
                return (
                    _(
                        "events missing before checkpoint %(n)s: %(found)s events up to id "
                        "%(max_id)s, the checkpoint recorded %(expected)s"
                    )
                    % p
                )
            if self.kind == INSERTED:
                return (
                    _(
                        "events inserted before checkpoint %(n)s: %(found)s events up to id "
                        "%(max_id)s, the checkpoint recorded %(expected)s"
                    )
                    % p
                )
            return (
                _(
                    "events rewritten before checkpoint %(n)s: the case heads up to id "
                    "%(max_id)s differ from what it recorded"
                )
                % p
            )
        if self.kind == OTHER_KEY:
            return (
                _("%(case)s: event %(seq)s (id %(id)s) was signed with another key (%(key)s)") % p
            )
        if self.kind == MISSING:
            return _("%(case)s: event %(seq)s is missing (the chain goes on at id %(id)s)") % p
        if "link" in self.detail:
            return (
                _("%(case)s: event %(seq)s (id %(id)s) was rewritten: its link to event %(link)s")
                % p
            )
        return _("%(case)s: event %(seq)s (id %(id)s) was rewritten: its hash does not match") % p


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int  # events
    cases: int
    checkpoints: int  # checkpoint lines compared with the events
    problems: tuple[Problem, ...] = ()

    @property
    def broken_at(self) -> int | None:
        """The id of the first event named by a problem, if any."""
        return next((p.event_id for p in self.problems if p.event_id is not None), None)


def _why(why: str) -> dict:
    return {"why": why}


def _read_checkpoints(keys: dict[str, str], problems: list) -> list[dict]:
    """The file's checkpoints up to the first line that fails (signature, chain, numbering)."""
    path = checkpoint_path()
    entries: list[dict] = []
    try:
        f = open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
    except FileNotFoundError:
        return entries
    prev, last_max = GENESIS, 0
    with f:
        for number, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
                ok_shape = isinstance(entry, dict) and all(
                    isinstance(entry.get(k), int) for k in ("n", "max_id", "events")
                )
            except ValueError:
                ok_shape = False
            if not ok_shape:
                problems.append(Problem(FILE_TAMPERED, line=number, detail=_why(_("unreadable"))))
                break
            key = keys.get(entry.get("key"))
            if key is None:
                problems.append(
                    Problem(
                        OTHER_KEY,
                        checkpoint=entry["n"],
                        line=number,
                        detail={"key": str(entry.get("key"))},
                    )
                )
                break
            if not constant_equal(str(entry.get("sig", "")), mac(key, checkpoint_body(entry))):
                why = _("its signature does not match")
            elif entry.get("prev") != prev:
                why = _("it does not follow the line before it")
            elif entry["n"] != len(entries) + 1 or entry["max_id"] < last_max:
                why = _("out of order")
            else:
                why = None
            if why:
                problems.append(Problem(FILE_TAMPERED, line=number, detail=_why(why)))
                break
            entries.append(entry)
            prev, last_max = entry["sig"], entry["max_id"]
    return entries


class _Checkpoints:
    """The running recomputation of every checkpoint as the events stream by."""

    def __init__(self, entries: list[dict], keys: dict[str, str]):
        self.entries = entries
        self.maxes = [e["max_id"] for e in entries]
        self.first_covering = [0] * (len(entries) + 1)  # events whose first checkpoint is k
        self.digests = [hmac.new(keys[e["key"]].encode(), digestmod="sha256") for e in entries]

    def count(self, event_id: int):
        self.first_covering[bisect.bisect_left(self.maxes, event_id)] += 1

    def close_case(self, case, members: list[tuple[int, int, str]]):
        """members: the case's (id, seq, hash); its head as of each checkpoint is the highest
        seq among its events up to the checkpoint's max id."""
        if not self.entries or not members:
            return
        members = sorted(members)
        i, best = 0, None
        for k, max_id in enumerate(self.maxes):
            while i < len(members) and members[i][0] <= max_id:
                if best is None or members[i][1] > best[1]:
                    best = members[i]
                i += 1
            if best is not None:
                self.digests[k].update(head_line(case[0], case[1], best[1], best[2]))

    def problems(self, chains_ok: bool) -> list[Problem]:
        """The first checkpoint the events no longer match (later ones cover the same events)."""
        found = 0
        for k, entry in enumerate(self.entries):
            found += self.first_covering[k]
            detail = {"found": found, "expected": entry["events"], "max_id": entry["max_id"]}
            if found < entry["events"]:
                kind = TAIL_DELETED if chains_ok else MISSING
            elif found > entry["events"]:
                kind = INSERTED
            elif not constant_equal(self.digests[k].hexdigest(), str(entry.get("heads"))):
                kind = REWRITTEN
            else:
                continue
            return [Problem(kind, checkpoint=entry["n"], detail=detail)]
        return []


def verify(*, last_checkpoints: int | None = None) -> VerifyResult:
    """Walk every case chain and check the checkpoints (all, or the last N of the file)."""
    keys = known_keys()
    problems: list[Problem] = []
    entries = _read_checkpoints(keys, problems)
    compared = entries[-last_checkpoints:] if last_checkpoints else entries
    marks = _Checkpoints(compared, keys)

    checked = cases = 0
    chain_problems = 0
    case = None
    members: list[tuple[int, int, str]] = []
    expected, prev, broken = 1, GENESIS, False
    events = AuditEvent.objects.order_by("case_type", "case_id", "seq").iterator(chunk_size=2000)
    for event in events:
        key_of_case = (event.case_type, event.case_id)
        if key_of_case != case:
            marks.close_case(case, members)
            case, members, cases = key_of_case, [], cases + 1
            expected, prev, broken = 1, GENESIS, False
        checked += 1
        members.append((event.pk, event.seq, event.hash))
        marks.count(event.pk)
        if broken:
            continue  # one problem per case: what follows a break cannot be judged
        where = {
            "case_type": event.case_type,
            "case_id": event.case_id,
            "seq": event.seq,
            "event_id": event.pk,
        }
        key = keys.get(event.key_id)
        if event.seq != expected:
            problem = Problem(MISSING, **{**where, "seq": expected})
        elif key is None:
            problem = Problem(OTHER_KEY, **where, detail={"key": event.key_id})
        elif event.prev_hash != prev:
            problem = Problem(REWRITTEN, **where, detail={"link": expected - 1})
        elif not constant_equal(event_hash(key, event, prev), event.hash):
            problem = Problem(REWRITTEN, **where)
        else:
            problem = None
        if problem:
            broken = True
            chain_problems += 1
            if len(problems) < MAX_PROBLEMS:
                problems.append(problem)
            continue
        expected, prev = expected + 1, event.hash
    marks.close_case(case, members)
    problems += marks.problems(chains_ok=not chain_problems)
    return VerifyResult(
        ok=not problems,
        checked=checked,
        cases=cases,
        checkpoints=len(compared),
        problems=tuple(problems),
    )
