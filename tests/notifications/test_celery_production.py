"""DEADLINE-2 in the production layout, for real: Celery beat and workers started as their own
processes (`python -m celery -A config worker|beat`) on Redis and this test's PostgreSQL
database, mail through a real SMTP server (aiosmtpd) in the test process.

- beat alone puts the sweep on the queue; a worker runs it, the due reminder is queued to the
  outbox and its mail reaches the server;
- two workers running many sweeps at once send each due reminder exactly once (rows claimed with
  SKIP LOCKED), counted per reminder from the mails' Message-IDs.

Redis: TEST_CELERY_BROKER_URL (default redis://127.0.0.1:6379/15). Each test has its own queue
(CELERY_QUEUE), so tests running side by side, or another deployment on the same Redis, never
take each other's sweeps. Without Redis the tests fail; they never skip. The data is committed
(transactional tests) because the workers read it over their own connections.
"""

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from email import message_from_bytes
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from notifications.models import OutboxMessage, Reminder
from tests.notifications.reminderdata import plant_due_reminders

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BROKER = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
WAIT_SECONDS = 45  # a bound on the waits below, not a measurement
SUCCEEDED = re.compile(r"Task notifications\.sweep\[[^\]]+\] succeeded in [\d.]+s: 'sweep (.*)'")


@pytest.fixture
def queue():
    """A queue of the test's own on the broker, removed afterwards."""
    client = redis.Redis.from_url(BROKER, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not reachable at {BROKER} (TEST_CELERY_BROKER_URL): {exc}")
    name = f"test-sweep-{uuid.uuid4().hex[:12]}"
    yield name
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def smtp():
    """A real SMTP server on a free port; `.received` holds the messages it accepted."""
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self):
            self.received = []

        async def handle_DATA(self, server, session, envelope):
            self.received.append(message_from_bytes(envelope.original_content))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Collect()
    handler.port = port
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


class Layout:
    """Celery processes against this test's database; stopped (the whole process group) at the
    end whatever happened."""

    def __init__(self, tmp_path, queue, smtp_port):
        db = connection.settings_dict
        auth = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            auth += ":" + quote(db["PASSWORD"], safe="")
        host = db["HOST"] or "localhost"
        port = db["PORT"] or 5432
        self.tmp_path = tmp_path
        self.queue = queue
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            # pytest-django's test database (test_<name>), where this test committed its rows.
            "DATABASE_URL": f"postgres://{auth}@{host}:{port}/{quote(db['NAME'], safe='')}",
            "CELERY_BROKER_URL": BROKER,
            "CELERY_QUEUE": queue,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "VAR_DIR": str(tmp_path / "var"),
            "SECRET_KEY": settings.SECRET_KEY,
            "AUDIT_KEY": settings.AUDIT_KEY,
            "AUDIT_CHECKPOINT_FILE": str(tmp_path / "audit-checkpoints.jsonl"),
            "SCHEDULER_INTERVAL_SECONDS": "1",
            "LOG_LEVEL": "INFO",
            "DEBUG": "0",
        }
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str) -> None:
        log = open(self.tmp_path / f"{name}.log", "wb")  # noqa: SIM115  (the process keeps it)
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the pool's children go with it
        )
        log.close()

    def worker(self, name: str, concurrency: int = 2) -> None:
        self.start(
            name,
            "worker",
            "-l",
            "info",
            "-n",
            f"{name}-{self.queue}@%h",
            "-c",
            str(concurrency),
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        )

    def beat(self) -> None:
        self.start("beat", "beat", "-l", "info", "-s", str(self.tmp_path / "beat-schedule"))

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(f"--- {name} ---\n{self.log(name)[-4000:]}" for name in self.procs)

    def wait_for(self, what: str, predicate) -> None:
        """Poll until `predicate()` holds; fail (with the processes' logs) if a process died or
        the bound passed first."""
        deadline = time.monotonic() + WAIT_SECONDS
        while not predicate():
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    pytest.fail(f"{name} exited ({proc.returncode}) before {what}\n{self.logs()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} within {WAIT_SECONDS} s\n{self.logs()}")
            time.sleep(0.2)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def sweep_results(self, name: str) -> list[dict[str, int | str]]:
        """What each sweep a worker ran reported (the task's return value, which it logs):
        `{"reminders": 3, "sent": 3, ...}`, with `"errors": "step,..."` when a step raised."""
        return [
            {k: int(v) if v.isdigit() else v for k, v in re.findall(r"(\w+)=(\S+)", line)}
            for line in SUCCEEDED.findall(self.log(name))
        ]


@pytest.fixture
def layout(tmp_path, queue, smtp):
    layout = Layout(tmp_path, queue, smtp.port)
    try:
        yield layout
    finally:
        layout.stop()
        # The workers' connections to the test database are gone before it is flushed.
        assert all(p.poll() is not None for p in layout.procs.values())


def plant(org, *, n: int, people: int) -> list[int]:
    """`n` reminders due a minute ago (real time: the workers run on the real clock)."""
    now = timezone.now()
    plant_due_reminders(
        org,
        n=n,
        people=people,
        prefix="c",
        due=now + dt.timedelta(hours=1),
        kind="before",
        offset_hours=1,
        send_at=now - dt.timedelta(minutes=1),
    )
    return list(Reminder.objects.values_list("pk", flat=True))


def mails_per_reminder(received) -> Counter:
    """Each mail's Message-ID names its outbox message, whose key names its reminder."""
    keys = dict(OutboxMessage.objects.values_list("pk", "dedupe_key"))
    counts = Counter()
    for message in received:
        outbox_pk = int(re.match(r"<outbox\.(\d+)\.", message["Message-ID"]).group(1))
        kind, _, rest = keys[outbox_pk].partition(":")  # "reminder:<pk>:<recipient>"
        if kind == "reminder":
            counts[int(rest.split(":")[0])] += 1
    return counts


def all_reminders_mailed(reminders: list[int]):
    def done():
        return (
            not Reminder.objects.filter(pk__in=reminders, sent_at__isnull=True).exists()
            and OutboxMessage.objects.filter(dedupe_key__startswith="reminder:").count()
            == len(reminders)
            and not OutboxMessage.objects.filter(dedupe_key__startswith="reminder:")
            .exclude(status=OutboxMessage.Status.SENT)
            .exists()
        )

    return done


def test_deadline2_celery_beat_runs_the_sweep_on_a_worker_and_the_due_reminder_is_mailed(
    org, layout, smtp
):
    reminders = plant(org, n=2, people=2)
    layout.worker("worker")
    layout.beat()

    layout.wait_for("reminder mail", all_reminders_mailed(reminders))

    assert mails_per_reminder(smtp.received) == dict.fromkeys(reminders, 1)
    recipients = set(Reminder.objects.values_list("recipient__email", flat=True))
    assert {m["To"] for m in smtp.received} >= recipients
    # Nothing but beat sent the sweep: the test put nothing on the queue.
    assert "Sending due task notifications.sweep" in layout.log("beat")
    # The worker logs a sweep's result once the task has returned, a moment after its mail
    # has gone out and its rows are committed.
    layout.wait_for(
        "the sweep's result in the worker's log",
        lambda: any(r.get("reminders") for r in layout.sweep_results("worker")),
    )


def test_deadline2_two_celery_workers_sweeping_at_once_mail_each_due_reminder_exactly_once(
    org, layout, smtp, queue
):
    # 200 is one sweep's delivery limit: whichever sweep queues the last reminder delivers
    # everything still waiting, so the burst below ends with every mail sent.
    reminders = plant(org, n=200, people=20)
    layout.worker("worker1")
    layout.worker("worker2")
    for name in ("worker1", "worker2"):
        layout.wait_for(f"{name} ready", lambda name=name: " ready." in layout.log(name))

    sweeps = 8  # four pool processes in all: sweeps run side by side on both workers
    dispatcher = Celery("dispatch", broker=BROKER)
    try:
        with dispatcher.producer_or_acquire() as producer:
            for _ in range(sweeps):
                dispatcher.send_task("notifications.sweep", queue=queue, producer=producer)
    finally:
        dispatcher.close()

    def all_sweeps_done():
        return len(layout.sweep_results("worker1") + layout.sweep_results("worker2")) == sweeps

    layout.wait_for("end of the sweeps", all_sweeps_done)
    layout.wait_for("reminder mail", all_reminders_mailed(reminders))

    per_reminder = mails_per_reminder(smtp.received)
    assert len(per_reminder) == len(reminders)
    assert per_reminder == dict.fromkeys(reminders, 1)
    keys = Counter(
        OutboxMessage.objects.filter(dedupe_key__startswith="reminder:").values_list(
            "dedupe_key", flat=True
        )
    )
    assert len(keys) == len(reminders) and set(keys.values()) == {1}
    results = {name: layout.sweep_results(name) for name in ("worker1", "worker2")}
    assert all(results.values()), f"a worker ran no sweep: {results}"
    assert all(not r.get("errors") for rs in results.values() for r in rs)
    # The reminders step of all the sweeps together queued each reminder once.
    assert sum(r["reminders"] for rs in results.values() for r in rs) == len(reminders)
