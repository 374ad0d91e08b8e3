"""Celery entry point for deployments with a broker: beat runs the same sweep as run_scheduler.

The sweep's outcome is its log line (also the task's return value, which the worker logs); no
result backend is needed, so none is written to. The task is never retried by Celery: the next
beat is the retry, and a failing step is already isolated and logged by the sweep itself. It has
no time limit either: killing a sweep between handing a mail to the server and marking it sent
would send that mail again on the next sweep.
"""

from celery import shared_task

from .scheduler import sweep as run_sweep


@shared_task(name="notifications.sweep", ignore_result=True)
def sweep() -> str:
    return run_sweep().line()
