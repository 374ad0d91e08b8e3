"""Issue 11, finding 7: checkpoints in a signed, chained file catch what per-case chains cannot
(a deleted tail, a deleted case, a rewrite re-signed with the right key), and the sweep writes
one a day."""

import datetime as dt
import json
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation

import audit
from audit.models import AuditEvent
from audit.services import checkpoint_if_due
from audit.signing import event_hash
from audit.verification import FILE_TAMPERED, INSERTED, MISSING, REWRITTEN, TAIL_DELETED
from notifications.scheduler import sweep
from tests.audit.helpers import only, triggers_off, write

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The problems are worded in the operator's language; these tests read the English."""
    with translation.override("en"):
        yield


NOON = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def lines(settings):
    return Path(settings.AUDIT_CHECKPOINT_FILE).read_text().splitlines()


def test_finding7_a_checkpoint_records_max_id_count_and_heads(settings):
    events = write(2, case_id=1) + write(1, case_id=2)
    point = audit.checkpoint()
    assert (point.n, point.max_id, point.events, point.cases) == (1, events[-1].pk, 3, 2)
    entry = json.loads(lines(settings)[0])
    assert entry["max_id"] == events[-1].pk and len(entry["heads"]) == 64 and entry["sig"]


def test_finding7_events_after_a_checkpoint_keep_it_valid():
    write(2, case_id=1)
    audit.checkpoint()
    write(2, case_id=1)
    write(1, case_id=3)
    audit.checkpoint()
    write(1, case_id=2)
    result = audit.verify()
    assert result.ok and result.checkpoints == 2 and result.checked == 6


def test_finding7_tail_deletion_is_detected_by_the_checkpoint():
    """A case's last event deleted leaves a valid chain; the checkpoint's count and heads do
    not match any more."""
    events = write(3)
    audit.checkpoint()
    with triggers_off():
        AuditEvent.objects.filter(pk=events[-1].pk).delete()
    problem = only(audit.verify())
    assert (problem.kind, problem.checkpoint) == (TAIL_DELETED, 1)
    assert (problem.detail["found"], problem.detail["expected"]) == (2, 3)
    assert "tail deleted since checkpoint 1" in problem.message


def test_finding7_a_whole_deleted_case_is_detected_by_the_checkpoint():
    write(2, case_id=1)
    write(2, case_id=2)
    audit.checkpoint()
    with triggers_off():
        AuditEvent.objects.filter(case_id=2).delete()
    assert only(audit.verify()).kind == TAIL_DELETED


def test_finding7_a_rewrite_with_the_right_key_before_a_checkpoint_is_detected(settings):
    """The key's holder rewrites event 2 and re-signs the rest of the case: every chain checks,
    the checkpoint's heads digest does not."""
    events = write(3)
    audit.checkpoint()
    with triggers_off():
        prev = events[0].hash
        for event in AuditEvent.objects.filter(pk__in=[e.pk for e in events[1:]]):
            if event.seq == 2:
                event.comment = "rewritten"
            event.prev_hash = prev
            event.hash = event_hash(settings.AUDIT_KEY, event, prev)
            event.save()
            prev = event.hash
    problem = only(audit.verify())
    assert (problem.kind, problem.checkpoint, problem.case_id) == (REWRITTEN, 1, None)
    assert "rewritten before checkpoint 1" in problem.message


def test_finding7_a_deleted_event_before_a_checkpoint_is_named_by_case_and_checkpoint():
    events = write(3)
    audit.checkpoint()
    with triggers_off():
        AuditEvent.objects.filter(pk=events[1].pk).delete()
    result = audit.verify()
    assert [(p.kind, p.seq, p.checkpoint) for p in result.problems] == [
        (MISSING, 2, None),
        (MISSING, None, 1),
    ]


def test_finding7_an_event_inserted_before_a_checkpoint_is_detected():
    events = write(2, case_id=1)
    audit.checkpoint()
    forged = write(1, case_id=9)[0]
    with triggers_off():
        AuditEvent.objects.filter(pk=forged.pk).update(id=events[0].pk - 1)
    assert only(audit.verify()).kind == INSERTED


def test_finding7_an_edited_checkpoint_line_is_the_file_tampered(settings):
    write(3)
    audit.checkpoint()
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    entry = json.loads(path.read_text())
    entry["events"] = 2
    path.write_text(json.dumps(entry) + "\n")
    problem = only(audit.verify())
    assert (problem.kind, problem.line) == (FILE_TAMPERED, 1)
    assert "checkpoint file tampered at line 1" in problem.message


def test_finding7_a_removed_checkpoint_line_is_the_file_tampered(settings):
    write(1)
    audit.checkpoint()
    write(1)
    audit.checkpoint()
    write(1)
    audit.checkpoint()
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    first, _, third = path.read_text().splitlines()
    path.write_text(f"{first}\n{third}\n")
    problem = only(audit.verify())
    assert (problem.kind, problem.line) == (FILE_TAMPERED, 2)


def test_finding7_checkpoint_lines_are_chained_and_numbered(settings):
    write(1)
    audit.checkpoint()
    audit.checkpoint()
    first, second = (json.loads(line) for line in lines(settings))
    assert (first["n"], second["n"], second["prev"]) == (1, 2, first["sig"])


def test_finding7_the_audit_checkpoint_command_appends_a_line(settings, capsys):
    write(2)
    call_command("audit_checkpoint")
    assert "checkpoint 1: 2 events in 1 cases" in capsys.readouterr().out
    assert len(lines(settings)) == 1


def test_finding7_the_sweep_writes_a_checkpoint_once_a_day(settings):
    write(2)
    with time_machine.travel(NOON, tick=False):
        assert sweep().steps["audit_checkpoint"] == 1
        assert sweep().steps["audit_checkpoint"] == 0
    with time_machine.travel(NOON + dt.timedelta(hours=23, minutes=59), tick=False):
        assert sweep().steps["audit_checkpoint"] == 0
    with time_machine.travel(NOON + dt.timedelta(hours=24), tick=False):
        assert sweep().steps["audit_checkpoint"] == 1
    assert len(lines(settings)) == 2
    assert audit.verify().ok


def test_finding7_the_sweep_step_costs_no_query_when_no_checkpoint_is_due(
    django_assert_num_queries,
):
    write(1)
    with time_machine.travel(NOON, tick=False):
        audit.checkpoint()
        with django_assert_num_queries(0):
            assert checkpoint_if_due() == 0
