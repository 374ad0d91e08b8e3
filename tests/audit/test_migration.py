"""Issue 11, finding 7: migration 0003 re-chains the events of the old global chain per case,
seq in pk order, hashes under AUDIT_KEY."""

import hashlib
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

import audit
from audit.models import AuditEvent
from audit.signing import GENESIS
from tests.audit.helpers import triggers_off, write

pytestmark = pytest.mark.django_db


def test_finding7_the_data_migration_rechains_old_events_per_case_in_pk_order():
    a1, b1, a2 = write(1, case_id=1)[0], write(1, case_id=2)[0], write(1, case_id=1)[0]
    with triggers_off():
        # As the old release left them: one global unkeyed chain, no seq, no key id.
        prev = GENESIS
        for event in AuditEvent.objects.order_by("pk"):
            event.seq, event.key_id, event.prev_hash = event.pk + 1000, "", prev
            event.hash = hashlib.sha256(f"{prev}{event.pk}".encode()).hexdigest()
            event.save()
            prev = event.hash
        assert not audit.verify().ok
        migration = importlib.import_module("audit.migrations.0003_rechain_per_case")
        migration.rechain(apps, SimpleNamespace(connection=connection))
    assert audit.verify().ok
    chains = AuditEvent.objects.order_by("case_id", "seq").values_list("case_id", "seq", "pk")
    assert list(chains) == [(1, 1, a1.pk), (1, 2, a2.pk), (2, 1, b1.pk)]
