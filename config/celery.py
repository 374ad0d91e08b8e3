"""Celery app for deployments with a broker (CELERY_BROKER_URL); beat runs the same sweep as
`manage.py run_scheduler`: `celery -A config worker -B`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hr_approvals")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _beat(sender, **kwargs):
    from django.conf import settings

    sender.add_periodic_task(
        settings.SCHEDULER_INTERVAL_SECONDS, sender.signature("notifications.sweep")
    )
