"""Queueing messages and delivering them.

`notify()` renders one message per recipient in the recipient's language and writes it to the
outbox inside the caller's transaction; it never sends. `deliver_outbox()` sends what is due
through Django's mail framework, each message in its own transaction; a failure is retried with
exponential back-off and after MAX_ATTEMPTS the message is marked dead (kept, visible in the
admin). Two deliveries at once never send the same message twice: rows are claimed with
SELECT ... FOR UPDATE SKIP LOCKED where the database has it (PostgreSQL).
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
BACKOFF_CAP = dt.timedelta(hours=1)


def _language_of(user) -> str:
    employee = getattr(user, "employee", None)
    return getattr(employee, "language", None) or settings.LANGUAGE_CODE


def notify(
    *, users, template: str, context: dict, dedupe_key: str | None = None
) -> list[OutboxMessage]:
    """Queue `template` for each user with an email address."""
    queued = []
    for user in {u.pk: u for u in users if u is not None}.values():
        if not user.email:
            continue
        language = _language_of(user)
        with translation.override(language):
            ctx = {**context, "user": user, "site_url": settings.SITE_URL}
            subject = " ".join(
                render_to_string(f"notifications/{template}.subject.txt", ctx).split()
            )
            body = render_to_string(f"notifications/{template}.txt", ctx)
        key = f"{dedupe_key}:{user.pk}" if dedupe_key else None
        if key and OutboxMessage.objects.filter(dedupe_key=key).exists():
            continue
        try:
            with transaction.atomic():
                queued.append(
                    OutboxMessage.objects.create(
                        recipient=user,
                        to_email=user.email,
                        subject=subject[:255],
                        body_text=body,
                        language=language,
                        template=template,
                        dedupe_key=key,
                        next_attempt_at=timezone.now(),
                    )
                )
        except IntegrityError:  # queued concurrently by another transaction
            continue
    return queued


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0


def backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def _claim_next(now):
    qs = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.QUEUED, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    return qs.first()


def deliver_outbox(*, limit: int = 200) -> DeliveryReport:
    report = DeliveryReport()
    mail = None
    for _ in range(limit):
        with transaction.atomic():
            now = timezone.now()
            message = _claim_next(now)
            if message is None:
                break
            try:
                mail = mail or get_connection(fail_silently=False)
                EmailMultiAlternatives(
                    subject=message.subject,
                    body=message.body_text,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[message.to_email],
                    connection=mail,
                ).send()
            except Exception as exc:  # any transport error: keep the message, retry later
                mail = None
                message.attempts += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = OutboxMessage.Status.DEAD
                    report.dead += 1
                else:
                    message.next_attempt_at = now + backoff(message.attempts)
                report.failed += 1
                message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
                logger.warning(
                    "mail to %s failed (attempt %s): %s", message.to_email, message.attempts, exc
                )
                continue
            message.status = OutboxMessage.Status.SENT
            message.sent_at = now
            message.attempts += 1
            message.save(update_fields=["status", "sent_at", "attempts"])
            report.sent += 1
    return report
