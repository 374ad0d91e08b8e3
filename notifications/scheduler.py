"""The sweep: everything time-driven, in one function (DEADLINE-2).

Order: viewflow's due timers (state-changing expiry), then the outbox of domain events (what
actions and timers did: mail and notices queued, reminders planned), then the steps other apps register
(reminders, escalations, level changes that take effect, ...), then outbox delivery, so a message
queued by an earlier step goes out in the same sweep. `manage.py run_scheduler` loops `sweep()`
(the embedded default); Celery beat runs the task `notifications.sweep`, which calls the same
function (deployments with CELERY_BROKER_URL). Each step is isolated: one that raises is logged
and counted in `errors`, and the others still run. Several sweeps at once are safe as long as each
step is: viewflow locks each timer's flow, delivery claims each message (see services).

Registering a step (in the app's `AppConfig.ready()`):

    from notifications.scheduler import register_sweep_step
    register_sweep_step("reminders", reminders_send_due)

The function takes no arguments, returns how many things it did (an int, shown in the log line),
commits its own work, and must tolerate running twice at once (claim rows with
select_for_update(skip_locked=True) or a unique key). Registering a name again replaces it.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from viewflow.workflow.timers import fire_due_timers

from .events import dispatch_events
from .models import OutboxMessage
from .services import deliver_outbox

logger = logging.getLogger("notifications.scheduler")

_steps: dict[str, Callable[[], int]] = {}
_FAILED = object()


def register_sweep_step(name: str, func: Callable[[], int]) -> None:
    """Run `func` in every sweep, after viewflow's timers and before delivery."""
    if name in {"timers", "events", "delivery"}:
        raise ValueError(f"{name!r} is a built-in step of the sweep")
    _steps[name] = func


def registered_steps() -> dict[str, Callable[[], int]]:
    return dict(_steps)


@dataclass
class SweepReport:
    timers: int = 0
    events: int = 0
    steps: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    failed: int = 0  # delivery attempts that failed in this sweep
    dead: int = 0  # messages that reached MAX_ATTEMPTS in this sweep
    failed_total: int | None = None  # every message marked failed, waiting for an administrator
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def line(self) -> str:
        parts = [f"timers={self.timers}", f"events={self.events}"]
        parts += [f"{name}={count}" for name, count in self.steps.items()]
        parts += [f"sent={self.sent}", f"failed={self.failed}", f"dead={self.dead}"]
        parts.append(f"failed_total={'?' if self.failed_total is None else self.failed_total}")
        if self.errors:
            parts.append(f"errors={','.join(self.errors)}")
        return "sweep " + " ".join(parts)


def _run(report: SweepReport, name: str, func: Callable):
    try:
        return func()
    except Exception:
        logger.exception("sweep step %s failed", name)
        report.errors.append(name)
        return _FAILED


def sweep() -> SweepReport:
    """One pass of everything due; returns the counts (also logged as one line)."""
    report = SweepReport()
    timers = _run(report, "timers", fire_due_timers)
    if timers is not _FAILED:
        report.timers = timers or 0
    # The outbox of what happened (actions and the timers just fired): mail, notices, reminders.
    events = _run(report, "events", dispatch_events)
    if events is not _FAILED:
        report.events = events or 0
    for name, func in registered_steps().items():
        count = _run(report, name, func)
        if count is not _FAILED:
            report.steps[name] = count or 0
    delivery = _run(report, "delivery", deliver_outbox)
    if delivery is not _FAILED:
        report.sent, report.failed, report.dead = delivery.sent, delivery.failed, delivery.dead
    failed_total = _run(
        report,
        "failed_total",
        OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count,
    )
    if failed_total is not _FAILED:
        report.failed_total = failed_total
    if report.errors or report.dead:
        logger.warning(report.line())
    else:
        logger.info(report.line())
    return report
