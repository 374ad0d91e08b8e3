"""Queueing messages and delivering them (DEADLINE-2).

`notify()` renders one message per recipient, in the recipient's language, and writes it to the
outbox inside the caller's transaction; it never sends. It also leaves each recipient an in-app
Notice (the bell), including recipients without an email address. `deliver_outbox()` sends what is due
through Django's mail framework, each message in its own transaction. A failure is retried with
exponential back-off; after MAX_ATTEMPTS the message is marked failed (kept, visible in the admin,
where "Retry now" requeues it). Nothing is ever deleted.

Two deliveries at once never send the same message twice: on PostgreSQL a message is claimed with
SELECT ... FOR UPDATE SKIP LOCKED (concurrent sweeps share the work); elsewhere (SQLite) with a
conditional UPDATE as the transaction's first statement, which takes the database's write lock, so
a second sweep waits and then finds the message no longer queued. Delivery is at-least-once only
in one case: the mail server accepted a message and the database then failed to commit "sent";
the stable Message-ID lets mail clients drop that duplicate.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from approvals.inline import Earliest, Inline

from .models import Notice, OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
BACKOFF_FIRST = dt.timedelta(minutes=1)
BACKOFF_CAP = dt.timedelta(hours=1)
_KEY_LENGTH = OutboxMessage._meta.get_field("dedupe_key").max_length


# --- Queueing ------------------------------------------------------------------------------------


def _language_of(user) -> str:
    # A user without an Employee row (e.g. a superuser created by hand) gets the site default.
    employee = getattr(user, "employee", None)
    return getattr(employee, "language", None) or settings.LANGUAGE_CODE


def absolute_url(url: str) -> str:
    """Mail is read outside the site: a path becomes SITE_URL + path."""
    if url and url.startswith("/") and not url.startswith("//"):
        return settings.SITE_URL.rstrip("/") + url
    return url


def _context(*, context: dict, user) -> dict:
    employee = getattr(user, "employee", None)
    ctx = {
        **context,
        "user": user,
        "name": getattr(employee, "name", "") or user.get_full_name() or user.get_username(),
        "site_url": settings.SITE_URL,
    }
    if "url" in ctx:
        ctx["url"] = absolute_url(str(ctx["url"]))
    return ctx


def _render_subject(base: str, ctx: dict) -> str:
    # One line: a header must not carry newlines (Django would refuse it as header injection).
    return " ".join(render_to_string(f"{base}.subject.txt", ctx).split())[:255]


def _render(*, template: str, context: dict, user, language: str) -> tuple[str, str, str]:
    """(subject, text, html) in `language`. Lazy values in the context (gettext_lazy, model
    instances whose __str__ translates) are rendered here, in the recipient's language."""
    ctx = _context(context=context, user=user)
    base = f"notifications/{template}"
    with translation.override(language):
        subject = _render_subject(base, ctx)
        text = render_to_string(f"{base}.txt", ctx).strip() + "\n"
        try:
            html_template = get_template(f"{base}.html")
        except TemplateDoesNotExist:
            html = ""
        else:
            html = html_template.render(ctx)
    return subject, text, html


def _render_title(*, template: str, context: dict, user, language: str) -> str:
    """The subject alone, for a notice to someone who gets no mail."""
    with translation.override(language):
        return _render_subject(f"notifications/{template}", _context(context=context, user=user))


def site_relative(url) -> str:
    """`url` if it is a path on this site ("/..."), else "": a notice links only within the site."""
    url = str(url or "")
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url[: Notice._meta.get_field("url").max_length]
    return ""


def notify(
    *, users: Iterable, template: str, context: dict, dedupe_key: str | None = None
) -> list[OutboxMessage]:
    """Queue `template` for each user with an email address, in that user's language, and give
    every user (with or without an email address) an in-app Notice titled with the subject.

    Writes outbox and notice rows only, inside the caller's transaction (callers run it from
    the sweep, dispatching the outbox of domain events); the scheduler delivers the mail. Templates:
    notifications/<template>.subject.txt and .txt, optionally .html. A relative `context["url"]`
    is made absolute with SITE_URL in the mail, and kept as it is (site-relative) on the notice.
    Pass translatable context values lazily (gettext_lazy, format_lazy) so they are rendered in
    each recipient's language.

    With `dedupe_key`, the message and the notice are each created at most once per recipient
    (key "<dedupe_key>:<user pk>"; safe against a concurrent transaction queueing the same key).
    Returns each mailed recipient's outbox row, newly queued or queued before.
    """
    recipients = {user.pk: user for user in users if user is not None}
    keys = {pk: f"{dedupe_key}:{pk}" if dedupe_key else None for pk in recipients}
    for key in keys.values():
        if key and len(key) > _KEY_LENGTH:
            raise ValueError(f"dedupe key longer than {_KEY_LENGTH} characters: {key!r}")
    queued = {}
    if dedupe_key and recipients:
        queued = {
            m.dedupe_key: m
            for m in OutboxMessage.objects.filter(dedupe_key__in=list(keys.values()))
        }
    url = site_relative(context.get("url"))
    messages, notices = [], []
    for pk, user in recipients.items():
        key = keys[pk]
        if key in queued:
            # Told before: the notice was left with the message (or the event predates notices).
            messages.append(queued[key])
            continue
        language = _language_of(user)
        if user.email:
            subject, text, html = _render(
                template=template, context=context, user=user, language=language
            )
            messages.append(
                _queue(
                    key,
                    recipient=user,
                    to_email=user.email,
                    subject=subject,
                    body_text=text,
                    body_html=html,
                    language=language,
                    template=template,
                    next_attempt_at=timezone.now(),
                )
            )
        else:
            subject = _render_title(
                template=template, context=context, user=user, language=language
            )
        notices.append(
            Notice(recipient=user, title=subject, url=url, template=template, dedupe_key=key)
        )
    if notices:
        # One INSERT for all recipients; a key already there (a repeated event for someone
        # without mail, or a concurrent transaction) is skipped: one notice per recipient and key.
        Notice.objects.bulk_create(notices, ignore_conflicts=True)
    return messages


def _queue(key: str | None, **fields) -> OutboxMessage:
    try:
        # A savepoint: a duplicate key must not break the caller's transaction.
        with transaction.atomic():
            return OutboxMessage.objects.create(dedupe_key=key, **fields)
    except IntegrityError:
        if key is None:
            raise
        # Another transaction queued the same notice first (it has committed by now).
        return OutboxMessage.objects.get(dedupe_key=key)


# --- Delivery ------------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # attempts that failed in this run (dead ones included)
    dead: int = 0  # of those, messages that reached MAX_ATTEMPTS and are now marked failed


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the `attempts`-th failure: 1 min, 2, 4, ... capped at 1 h."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


QUEUED = Q(status=OutboxMessage.Status.QUEUED)


def _due(now):
    """Queued messages due by `now`, oldest first: a range of the partial index outbox_queued_due,
    which holds only queued messages (the sent ones, the history, are not in it); the state is
    written into the SQL (approvals.inline) so that every plan can use that index."""
    return OutboxMessage.objects.filter(Inline(QUEUED), next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )


_first_due = Earliest(lambda: OutboxMessage.objects.filter(Inline(QUEUED)), "next_attempt_at")


def _claim_skip_locked(now) -> OutboxMessage | None:
    """PostgreSQL: lock the next due message; rows another sweep holds are skipped."""
    return _due(now).select_for_update(skip_locked=True).first()


def _claim_by_update(now, candidates: list[int]) -> OutboxMessage | None:
    """Other databases: the conditional UPDATE (a write, so the first statement of the
    transaction takes SQLite's write lock) succeeds for one sweep only; the other one then sees
    the message sent or rescheduled and moves on."""
    while candidates:
        pk = candidates.pop(0)
        claimed = OutboxMessage.objects.filter(
            pk=pk, status=OutboxMessage.Status.QUEUED, next_attempt_at__lte=now
        ).update(status=OutboxMessage.Status.QUEUED)
        if claimed:
            return OutboxMessage.objects.get(pk=pk)
    return None


def _email(message: OutboxMessage, mail_connection) -> EmailMultiAlternatives:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        connection=mail_connection,
        headers={
            # Stable across retries and machines: a client drops a duplicate (see the module doc).
            "Message-ID": f"<outbox.{message.pk}.{message.created_at:%Y%m%d%H%M%S}@{host}>",
            # RFC 3834: no vacation auto-replies to a robot.
            "Auto-Submitted": "auto-generated",
        },
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


class _Mailer:
    """One mail connection for the run (one SMTP session for many messages), reopened after an
    error, since a session that failed mid-way is not to be trusted."""

    def __init__(self):
        self.connection = None

    def open(self) -> None:
        if self.connection is None:
            mail_connection = get_connection(fail_silently=False)
            mail_connection.open()
            self.connection = mail_connection

    def send(self, message: OutboxMessage) -> None:
        try:
            accepted = _email(message, self.connection).send()
        except Exception:
            self.close()
            raise
        if not accepted:
            raise RuntimeError("the mail backend accepted no recipient")

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # closing a broken session: nothing left to save
                logger.debug("closing the mail connection failed", exc_info=True)
            self.connection = None


def _mark_sent(message: OutboxMessage) -> None:
    message.status = OutboxMessage.Status.SENT
    message.attempts += 1
    message.sent_at = timezone.now()
    message.save(update_fields=["status", "attempts", "sent_at"])


def _mark_failed(message: OutboxMessage, exc: Exception, now, report: DeliveryReport) -> None:
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    report.failed += 1
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxMessage.Status.FAILED
        report.dead += 1
        logger.error(
            "mail %s to %s failed %s times, giving up: %s",
            message.pk,
            message.to_email,
            message.attempts,
            message.last_error,
        )
    else:
        message.next_attempt_at = now + backoff(message.attempts)
        logger.warning(
            "mail %s to %s failed (attempt %s), retry at %s: %s",
            message.pk,
            message.to_email,
            message.attempts,
            message.next_attempt_at.isoformat(),
            message.last_error,
        )
    message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


def deliver_outbox(*, limit: int = 200, now: dt.datetime | None = None) -> DeliveryReport:
    """Send up to `limit` due messages; each is marked sent, or failed with its retry time, in
    its own transaction. With nothing due this costs one query (without parameters: the earliest
    queued message) and opens no mail connection.

    If the mail server cannot be reached at all, the message whose turn it is records the
    failure and the run stops: the others stay due for the next sweep instead of each waiting
    out a connection timeout (and none of them is charged an attempt it never had).
    """
    now = now or timezone.now()
    report = DeliveryReport()
    if not _first_due.due(now):
        return report  # nothing due: the partial index's first entry
    skip_locked = connection.features.has_select_for_update_skip_locked
    if skip_locked:
        candidates = []
    else:
        candidates = list(_due(now).values_list("pk", flat=True)[:limit])
        if not candidates:
            return report
    mailer = _Mailer()
    try:
        for _ in range(limit):
            # Connect outside the claim's transaction: on SQLite that holds the write lock.
            unreachable = None
            try:
                mailer.open()
            except Exception as exc:
                unreachable = exc
            with transaction.atomic():
                message = (
                    _claim_skip_locked(now) if skip_locked else _claim_by_update(now, candidates)
                )
                if message is None:
                    break
                if unreachable is not None:
                    _mark_failed(message, unreachable, now, report)
                    break
                try:
                    mailer.send(message)
                except Exception as exc:  # any transport error: keep the message, retry later
                    _mark_failed(message, exc, now, report)
                    continue
                _mark_sent(message)
                report.sent += 1
    finally:
        mailer.close()
    return report
