"""The audit log is append-only and hash-chained: any edit or deletion breaks verify()."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import audit
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def write(n=3):
    return [
        audit.record(
            case_type="promotion",
            case_id=1,
            action=f"step{i}",
            from_state="a",
            to_state="b",
            rules=["PROMO-3"],
            policy_version="v1",
            comment=f"c{i}",
        )
        for i in range(n)
    ]


def test_chain_verifies():
    events = write()
    assert events[1].prev_hash == events[0].hash
    result = audit.verify()
    assert result.ok and result.checked == 3
    call_command("audit_verify")


def test_editing_an_event_breaks_the_chain_at_that_event():
    events = write()
    AuditEvent.objects.filter(pk=events[1].pk).update(comment="rewritten")
    result = audit.verify()
    assert not result.ok and result.broken_at == events[1].pk
    with pytest.raises(CommandError):
        call_command("audit_verify")


def test_deleting_an_event_breaks_the_chain():
    events = write()
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    result = audit.verify()
    assert not result.ok and result.broken_at == events[2].pk
