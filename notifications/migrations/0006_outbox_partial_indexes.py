"""The outbox's indexes hold only what a sweep may have to do (issue 15): the queued messages by
due time (delivery) and the failed ones (the sweep's failed_total). The full (status,
next_attempt_at) index and the one on next_attempt_at alone also held every message ever sent,
and PostgreSQL's generic plan for "status = $1" walked them (benchmarks/sweep.py --explain)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0005_notice_recipient_recent"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="outboxmessage",
            name="notificatio_status_6d08f9_idx",
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="next_attempt_at",
            field=models.DateTimeField(verbose_name="next attempt"),
        ),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(
                condition=models.Q(("status", "queued")),
                fields=["next_attempt_at", "id"],
                name="outbox_queued_due",
            ),
        ),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(
                condition=models.Q(("status", "failed")), fields=["id"], name="outbox_failed"
            ),
        ),
    ]
