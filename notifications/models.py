"""The outbox: every message is persisted first and delivered by the scheduler (DEADLINE-2:
a failed send is retried with back-off, never lost; a message that keeps failing stays here,
marked failed, for administrators to see and retry)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        # Dead: MAX_ATTEMPTS reached; kept (never deleted) until an administrator retries it.
        FAILED = "failed", _("Failed permanently")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_email = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    language = models.CharField(_("language"), max_length=10)
    template = models.CharField(_("template"), max_length=60)
    # The same logical notice is queued once per recipient, e.g. "task:42:created:7".
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at"]
        # The sweep's two questions, each of an index holding only its answer's candidates (the
        # sent mail, the history, is in neither): which queued messages are due, oldest first
        # (delivery), and how many failed for good (failed_total). The queries write the state
        # into the SQL (approvals.inline), so that every plan can use them.
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(status="queued"),
                name="outbox_queued_due",
            ),
            models.Index(fields=["id"], condition=models.Q(status="failed"), name="outbox_failed"),
        ]

    def __str__(self):
        return f"{self.to_email}: {self.subject}"


class Reminder(models.Model):
    """A planned reminder (DEADLINE-2): one row per deadline, recipient, kind and offset, so it
    is sent exactly once however many sweeps run; sending sets `sent_at` in the transaction that
    queues the outbox message. A reminder whose deadline is met is never sent (cancelled)."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the due time")
        DUE = "due", _("At the due time")
        ESCALATION = "escalation", _("Escalation after the due time")

    deadline = models.ForeignKey(
        "approvals.Deadline", on_delete=models.CASCADE, related_name="reminders"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    offset_hours = models.PositiveSmallIntegerField(default=0)
    send_at = models.DateTimeField(_("send at"))
    task_id = models.BigIntegerField(null=True, blank=True)  # the viewflow task, for the link
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["send_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "recipient", "kind", "offset_hours"],
                name="one_reminder_per_deadline_recipient_kind",
            )
        ]
        # The sweep's only question: which unsent reminders are due. A partial index keeps it a
        # short range scan however many reminders are planned for later or already sent.
        indexes = [
            models.Index(
                fields=["send_at"],
                condition=models.Q(sent_at__isnull=True, cancelled_at__isnull=True),
                name="reminder_pending_send_at",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.deadline} → {self.recipient_id} at {self.send_at:%Y-%m-%d %H:%M}"


class Notice(models.Model):
    """An in-app notice (the bell): one per recipient of a notify() call, whether or not they
    have an email address. The title is the message's subject rendered in the recipient's
    language; the url is site-relative (the page the notice is about)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    title = models.CharField(_("title"), max_length=255)
    url = models.CharField(_("link"), max_length=500, blank=True)
    template = models.CharField(_("template"), max_length=60)
    # The same key as the outbox message ("<dedupe_key>:<user pk>"): one notice per recipient
    # and key, however often the event is reported.
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        # The bell's question on every page: how many unread notices has this user.
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            # A person's notices newest first (the notices list and its pages) without sorting
            # all of them.
            models.Index(
                fields=["recipient", "-created_at", "-id"], name="notice_recipient_recent"
            ),
        ]

    def __str__(self):
        return self.title
