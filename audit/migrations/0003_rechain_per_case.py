"""Re-chain the events written under the single global SHA-256 chain: per case (case_type,
case_id), in pk order, seq from 1, prev_hash the case's previous event, hash the HMAC under
AUDIT_KEY. The old chain should be verified (`audit_verify` of the old release) before
upgrading: this step signs whatever the table holds."""

from django.db import migrations

BATCH = 2000


def rechain(apps, schema_editor):
    from audit.signing import GENESIS, current_key, event_hash

    AuditEvent = apps.get_model("audit", "AuditEvent")
    kid, key = current_key()
    events = AuditEvent.objects.using(schema_editor.connection.alias).order_by(
        "case_type", "case_id", "pk"
    )
    case, seq, prev = None, 0, GENESIS
    last = None  # keyset pagination: the table is updated while it is read
    while True:
        batch = list(_page(events, last))
        if not batch:
            break
        for event in batch:
            if (event.case_type, event.case_id) != case:
                case, seq, prev = (event.case_type, event.case_id), 0, GENESIS
            seq += 1
            event.seq, event.key_id, event.prev_hash = seq, kid, prev
            event.hash = event_hash(key, event, prev)
            prev = event.hash
        AuditEvent.objects.using(schema_editor.connection.alias).bulk_update(
            batch, ["seq", "key_id", "prev_hash", "hash"]
        )
        last = batch[-1]


def _page(events, last):
    from django.db.models import Q

    if last is not None:
        events = events.filter(
            Q(case_type__gt=last.case_type)
            | Q(case_type=last.case_type, case_id__gt=last.case_id)
            | Q(case_type=last.case_type, case_id=last.case_id, pk__gt=last.pk)
        )
    return events[:BATCH]


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_event_seq_key_id")]

    operations = [migrations.RunPython(rechain, migrations.RunPython.noop)]
