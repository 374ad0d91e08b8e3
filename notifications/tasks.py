"""Celery entry point for deployments with a broker: beat runs the same sweep as run_scheduler."""

from celery import shared_task

from .scheduler import sweep as run_sweep


@shared_task(name="notifications.sweep")
def sweep() -> str:
    return run_sweep().line()
