"""One sweep: viewflow's due timers, then the steps other apps register (reminders, ...), then
outbox delivery. `manage.py run_scheduler` loops it (embedded default); Celery beat calls the
same `sweep()` (deployments with CELERY_BROKER_URL). A failing step is logged and does not stop
the others."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from viewflow.workflow.timers import fire_due_timers

from .models import OutboxMessage
from .services import deliver_outbox

logger = logging.getLogger("notifications.scheduler")

_steps: dict[str, Callable[[], int]] = {}


def register_sweep_step(name: str, func: Callable[[], int]) -> None:
    """Add a step (returning a count) run between the timers and the delivery."""
    _steps[name] = func


@dataclass
class SweepReport:
    counts: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    def line(self) -> str:
        parts = [f"{k}={v}" for k, v in self.counts.items()]
        if self.errors:
            parts.append(f"errors={','.join(self.errors)}")
        return "sweep " + " ".join(parts)


def _run(report: SweepReport, name: str, func) -> None:
    try:
        report.counts[name] = func()
    except Exception:
        logger.exception("sweep step %s failed", name)
        report.errors.append(name)


def sweep() -> SweepReport:
    report = SweepReport()
    _run(report, "timers", fire_due_timers)
    for name, func in list(_steps.items()):
        _run(report, name, func)

    def deliver():
        result = deliver_outbox()
        report.counts["failed"] = result.failed
        return result.sent

    _run(report, "sent", deliver)
    report.counts["dead_total"] = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.DEAD
    ).count()
    logger.info(report.line())
    return report
