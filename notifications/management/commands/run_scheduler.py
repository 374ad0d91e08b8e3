import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from notifications.scheduler import sweep


class Command(BaseCommand):
    help = "Run the scheduler: viewflow timers, reminders and mail delivery, every SCHEDULER_INTERVAL_SECONDS."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run a single sweep and exit")
        parser.add_argument("--interval", type=int, default=None)

    def handle(self, *args, once=False, interval=None, **options):
        if once:
            self.stdout.write(sweep().line())
            return
        interval = interval or settings.SCHEDULER_INTERVAL_SECONDS
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"scheduler: sweeping every {interval}s (Ctrl-C to stop)")
        while not stop.is_set():
            close_old_connections()
            sweep()
            stop.wait(interval)
