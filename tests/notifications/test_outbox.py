"""Outbox and delivery (DEADLINE-2: retried with back-off, never lost), the scheduler sweep,
and the notices of the promotion process."""

import datetime as dt
import socket
import threading

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import OutboxMessage
from notifications.services import MAX_ATTEMPTS, deliver_outbox, notify
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def users(n=2):
    return [EmployeeFactory(user=UserFactory(username=f"u{i}")).user for i in range(n)]


def queue(recipients, key=None):
    return notify(
        users=recipients,
        template="case_decided",
        context={"case": "晋升 #1", "state": "approved", "url": "/x/"},
        dedupe_key=key,
    )


def test_notify_renders_in_each_recipients_language():
    zh, en = users()
    en.employee.language = "en"
    en.employee.save()
    queue([zh, en])
    by_lang = {m.language: m for m in OutboxMessage.objects.all()}
    assert set(by_lang) == {"zh-hans", "en"}
    assert "Case decided" in by_lang["en"].subject
    assert by_lang["zh-hans"].subject != by_lang["en"].subject


def test_dedupe_key_queues_a_notice_once():
    [user] = users(1)
    queue([user], key="promotion:1:approve")
    queue([user], key="promotion:1:approve")
    assert OutboxMessage.objects.count() == 1


def test_deliver_sends_and_marks_sent():
    queue(users())
    report = deliver_outbox()
    assert (report.sent, report.failed) == (2, 0)
    assert len(mail.outbox) == 2
    assert not OutboxMessage.objects.exclude(status="sent").exists()


def test_deadline2_failed_send_is_retried_with_backoff_then_kept_as_dead(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.BrokenBackend"
    [user] = users(1)
    queue([user])
    now = timezone.now()
    first = deliver_outbox()
    message = OutboxMessage.objects.get()
    assert (first.failed, message.attempts, message.status) == (1, 1, "queued")
    assert message.next_attempt_at > now
    assert deliver_outbox().failed == 0  # not due yet
    for _ in range(MAX_ATTEMPTS - 1):
        with time_machine.travel(
            OutboxMessage.objects.get().next_attempt_at + dt.timedelta(seconds=1)
        ):
            deliver_outbox()
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    assert "mail server down" in message.last_error


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_deadline2_real_smtp_server_down_then_up_every_message_arrives_once(settings):
    """A real local SMTP server (aiosmtpd) that is down for the first attempts."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    port = _free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    queue(users(3))
    # Server not running: the first message records the refused connection and the run stops;
    # the other two are not charged an attempt they never had.
    assert deliver_outbox().failed == 1
    assert sorted(OutboxMessage.objects.values_list("attempts", flat=True)) == [0, 0, 1]
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        assert deliver_outbox().failed == 1  # still down
    assert OutboxMessage.objects.filter(status="queued").count() == 3
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
            assert deliver_outbox().sent == 3
            assert deliver_outbox().sent == 0
    finally:
        controller.stop()
    assert sorted(m["To"] for m in received) == [
        "u0@example.com",
        "u1@example.com",
        "u2@example.com",
    ]


def test_run_scheduler_once_runs_the_sweep(capsys):
    queue(users(1))
    call_command("run_scheduler", "--once")
    assert "sent=1" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_delivery_with_nothing_due_uses_constant_queries():
    """Messages waiting for their retry time cost nothing: one query whatever their number."""
    later = timezone.now() + dt.timedelta(hours=1)
    queue(users(3))
    OutboxMessage.objects.update(next_attempt_at=later)
    with CaptureQueriesContext(connection) as few:
        assert deliver_outbox().sent == 0
    queue([EmployeeFactory(user=UserFactory(username=f"m{i}")).user for i in range(50)])
    OutboxMessage.objects.update(next_attempt_at=later)
    with CaptureQueriesContext(connection) as many:
        assert deliver_outbox().sent == 0
    assert len(few) == len(many) <= 3


class CountingBackend(BaseEmailBackend):
    sent: list = []
    lock = threading.Lock()

    def send_messages(self, messages):
        with self.lock:
            CountingBackend.sent.extend(m.to[0] for m in messages)
        return len(messages)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_send_each_message_exactly_once(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.CountingBackend"
    CountingBackend.sent = []
    queue([EmployeeFactory(user=UserFactory(username=f"p{i}")).user for i in range(200)])
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            deliver_outbox(limit=1000)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(CountingBackend.sent) == 200
    assert len(set(CountingBackend.sent)) == 200
    assert OutboxMessage.objects.filter(status="sent").count() == 200


def test_embedded_default_writes_mail_files(settings, tmp_path):
    """Without SMTP configured, delivery writes each message to a file under var/mail/."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    queue(users(2))
    assert deliver_outbox().sent == 2
    written = "".join(p.read_text() for p in tmp_path.iterdir())
    assert "u0@example.com" in written and "u1@example.com" in written
