"""Celery app for deployments with a broker (CELERY_BROKER_URL); beat runs the same sweep as
`manage.py run_scheduler`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hr_approvals")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
