"""Celery app for deployments with a broker (CELERY_BROKER_URL).

Beat puts the task `notifications.sweep` (the same function as `manage.py run_scheduler`) on the
queue every SCHEDULER_INTERVAL_SECONDS; any worker runs it. Production runs one beat and any
number of workers (README.md, "Production layout"):

    celery -A config worker -l info        # as many as wanted, on any machine
    celery -A config beat -l info          # exactly one

A single machine may run both in one process: `celery -A config worker -B`.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hr_approvals")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _beat(sender, **kwargs):
    from django.conf import settings

    interval = settings.SCHEDULER_INTERVAL_SECONDS
    # A sweep still waiting in the queue when the next one is sent is dropped by the worker that
    # takes it (`expires`): after workers were down or busy, a backlog of beats runs as one
    # sweep, not as a pile of sweeps one after the other. Sweeps that do overlap (a long one,
    # several workers) are safe: each step claims its rows (scheduler.py).
    sender.add_periodic_task(
        interval,
        sender.signature("notifications.sweep"),
        name="notifications.sweep",
        expires=interval,
    )
