"""Append-only, keyed (HMAC) event log, one chain per case. Rows are written only by
`audit.record()`; the database refuses UPDATE and DELETE (see audit/db.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Per-ballot events written by older versions (a department vote, PROMO-3.2): they name the
# voter, so no reader (timeline, admin) is shown them. Ballots are no longer logged one by one.
BALLOT_ACTIONS = ("vote",)


class AuditEvent(models.Model):
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Someone acting for someone else (a delegate, LEAVE-6); null when acting for themselves.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_type = models.CharField(max_length=40)
    case_id = models.BigIntegerField()
    action = models.CharField(max_length=60)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    rules = models.JSONField(default=list)
    policy_version = models.CharField(max_length=40, blank=True)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict)
    # The case's chain: seq counts the case's events from 1, prev_hash is the hash of the case's
    # previous event (GENESIS for the first), hash the HMAC of this event under the key named by
    # key_id (audit/signing.py).
    seq = models.PositiveIntegerField()
    key_id = models.CharField(max_length=8)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["pk"]
        indexes = [models.Index(fields=["case_type", "case_id", "id"])]
        constraints = [
            # Two racing appends to one case cannot both win; its index is the head read's.
            models.UniqueConstraint(
                fields=["case_type", "case_id", "seq"], name="audit_event_case_seq_unique"
            )
        ]

    def __str__(self):
        return f"{self.case_type}#{self.case_id} {self.action} {self.from_state}→{self.to_state}"
