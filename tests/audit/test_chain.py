"""Issue 11, finding 7: the audit log is keyed (HMAC under AUDIT_KEY), one chain per case, and
the database refuses UPDATE and DELETE. What an attacker who owns the table can still do is
tamper with the triggers off (tests/audit/helpers.py); verify() names what broke."""

import hashlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import translation

import audit
from audit.models import AuditEvent
from audit.signing import GENESIS, canonical, event_hash, event_payload, key_id, mac
from audit.verification import MISSING, OTHER_KEY, REWRITTEN
from tests.audit.helpers import only, triggers_off, write

pytestmark = pytest.mark.django_db


def test_finding7_each_case_has_its_own_chain_from_genesis():
    a1, b1, a2 = (
        write(1, case_id=1)[0],
        write(1, case_id=2)[0],
        write(1, case_id=1)[0],
    )
    assert (a1.seq, a1.prev_hash) == (1, GENESIS)
    assert (b1.seq, b1.prev_hash) == (1, GENESIS)
    assert (a2.seq, a2.prev_hash) == (2, a1.hash)
    result = audit.verify()
    assert result.ok and (result.checked, result.cases) == (3, 2)
    call_command("audit_verify")


def test_finding7_an_event_hash_is_an_hmac_under_audit_key_with_its_key_id(settings):
    event = write(1)[0]
    assert event.key_id == key_id(settings.AUDIT_KEY)
    assert event.hash == mac(settings.AUDIT_KEY, canonical(event_payload(event, GENESIS)))
    assert (
        event.hash != hashlib.sha256(canonical(event_payload(event, GENESIS)).encode()).hexdigest()
    )


def test_finding7_record_is_two_statements_in_the_callers_transaction(django_assert_num_queries):
    write(1)
    with transaction.atomic(), django_assert_num_queries(2) as captured:
        audit.record(case_type="promotion", case_id=1, action="next")
    head, insert = (q["sql"] for q in captured.captured_queries)
    assert head.startswith("SELECT") and "LIMIT 1" in head and "seq" in head
    assert insert.startswith("INSERT")


def test_finding7_the_database_refuses_update():
    event = write(1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(comment="rewritten")
    assert AuditEvent.objects.get(pk=event.pk).comment == "c0"


def test_finding7_the_database_refuses_delete():
    event = write(1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_finding7_an_edited_event_is_reported_rewritten_at_its_seq():
    events = write()
    with triggers_off():
        AuditEvent.objects.filter(pk=events[1].pk).update(comment="rewritten")
    problem = only(audit.verify())
    assert (problem.kind, problem.seq, problem.event_id) == (REWRITTEN, 2, events[1].pk)
    assert audit.verify().broken_at == events[1].pk
    assert "promotion#1" in problem.message


def _resign(events, sign, kid=None):
    """An attacker rewrites event 2 and recomputes every later hash of the case with `sign`."""
    with triggers_off():
        prev = events[0].hash
        for event in events[1:]:
            event.refresh_from_db()
            if event.seq == 2:
                event.comment = "rewritten"
            if kid:
                event.key_id = kid
            event.prev_hash = prev
            event.hash = sign(event, prev)
            event.save()
            prev = event.hash


def test_finding7_a_rewrite_recomputed_with_plain_sha256_is_detected():
    events = write()
    _resign(
        events,
        lambda event, prev: hashlib.sha256(
            canonical(event_payload(event, prev)).encode()
        ).hexdigest(),
    )
    problem = only(audit.verify())
    assert (problem.kind, problem.seq) == (REWRITTEN, 2)


def test_finding7_a_rewrite_recomputed_with_a_wrong_key_is_detected():
    events = write()
    _resign(events, lambda event, prev: event_hash("guessed-key", event, prev))
    problem = only(audit.verify())
    assert (problem.kind, problem.seq) == (REWRITTEN, 2)


def test_finding7_a_rewrite_signed_under_the_attackers_key_id_is_another_key():
    events = write()
    attacker = "attacker-key"
    _resign(events, lambda event, prev: event_hash(attacker, event, prev), kid=key_id(attacker))
    problem = only(audit.verify())
    assert (problem.kind, problem.seq, problem.detail["key"]) == (OTHER_KEY, 2, key_id(attacker))


def test_finding7_events_signed_with_another_key_are_reported_with_its_key_id(settings):
    old_key = settings.AUDIT_KEY
    write(2)
    settings.AUDIT_KEY = "the-new-key"
    problem = only(audit.verify())
    assert (problem.kind, problem.seq, problem.detail["key"]) == (OTHER_KEY, 1, key_id(old_key))
    assert key_id(old_key) in problem.message


def test_finding7_a_rotated_key_listed_in_previous_keys_still_verifies(settings):
    old_key = settings.AUDIT_KEY
    write(2)
    settings.AUDIT_KEY, settings.AUDIT_PREVIOUS_KEYS = "the-new-key", [old_key]
    write(1)
    assert audit.verify().ok


def test_finding7_a_deleted_event_inside_a_chain_is_missing():
    events = write()
    with triggers_off():
        AuditEvent.objects.filter(pk=events[1].pk).delete()
    problem = only(audit.verify())
    assert (problem.kind, problem.seq, problem.event_id) == (MISSING, 2, events[2].pk)


def test_finding7_a_deleted_first_event_is_missing():
    events = write()
    with triggers_off():
        AuditEvent.objects.filter(pk=events[0].pk).delete()
    problem = only(audit.verify())
    assert (problem.kind, problem.seq) == (MISSING, 1)


def test_finding7_a_broken_case_does_not_hide_another_cases_break():
    a, b = write(2, case_id=1), write(2, case_id=2)
    with triggers_off():
        AuditEvent.objects.filter(pk__in=[a[1].pk, b[0].pk]).update(comment="x")
    result = audit.verify()
    assert {(p.case_id, p.seq) for p in result.problems} == {(1, 2), (2, 1)}


def test_finding7_audit_verify_prints_what_broke_and_fails(capsys):
    events = write()
    with triggers_off():
        AuditEvent.objects.filter(pk=events[2].pk).update(comment="rewritten")
    with translation.override("en"), pytest.raises(CommandError, match="1 problems"):
        call_command("audit_verify")
    assert f"rewritten: promotion#1: event 3 (id {events[2].pk})" in capsys.readouterr().err


def test_finding7_audit_verify_speaks_the_operators_language(capsys):
    events = write()
    with triggers_off():
        AuditEvent.objects.filter(pk=events[2].pk).update(comment="rewritten")
    with translation.override("zh-hans"), pytest.raises(CommandError):
        call_command("audit_verify")
    assert f"promotion#1：第 3 条事件（编号 {events[2].pk}）被改写" in capsys.readouterr().err


def test_finding7_verify_streams_the_events(monkeypatch):
    """verify() iterates (server-side cursor / chunks): it never fills a queryset's cache with
    the whole table."""
    from django.db.models.query import QuerySet

    write(3, case_id=1)
    write(2, case_id=2)
    original = QuerySet._fetch_all

    def no_full_load(self):
        if self.model is AuditEvent:
            raise AssertionError("verify loaded the whole audit table")
        return original(self)

    monkeypatch.setattr(QuerySet, "_fetch_all", no_full_load)
    audit.checkpoint()
    result = audit.verify()
    assert result.ok and result.checked == 5


def test_finding7_two_appends_with_the_same_seq_cannot_both_win():
    """The unique (case_type, case_id, seq) is the backstop behind the case row lock."""
    event = write(1)[0]
    duplicate = AuditEvent(
        at=event.at, case_type=event.case_type, case_id=event.case_id, action="x", seq=1,
        key_id=event.key_id, prev_hash=GENESIS, hash="f" * 64,
    )  # fmt: skip
    with pytest.raises(DatabaseError), transaction.atomic():
        duplicate.save(force_insert=True)


def test_finding7_the_head_read_is_served_by_the_case_seq_index():
    indexes = connection.introspection.get_constraints(
        connection.cursor(), AuditEvent._meta.db_table
    )
    assert any(
        c["columns"] == ["case_type", "case_id", "seq"] and c["unique"] for c in indexes.values()
    )


def test_finding7_a_lost_append_race_is_told_409_not_500():
    """The unique (case_type, case_id, seq) backstop: the loser of two appends to one case is a
    lost race (409 case_busy through the API), like a lost row lock."""
    from django.db import IntegrityError, transaction

    from workflows.engine import is_database_locked

    first = audit.record(case_type="promotion", case_id=9, action="a")
    duplicate = AuditEvent(
        at=first.at, case_type="promotion", case_id=9, action="b", seq=first.seq, hash="x" * 64
    )
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        duplicate.save(force_insert=True)
    assert is_database_locked(exc.value)
