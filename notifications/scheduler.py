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

Every step with nothing due reads only an index holding what may be due or wrong (issue 15):
a sweep every 30 seconds must cost the same at 1,000 and at 1,000,000 open deadlines. A step
that asks about rows by a constant (a state, a kind) writes it into the SQL with
`approvals.inline.Inline`, so that its partial index serves every plan, and gets a query-count
test at two sizes (tests/notifications/test_sweep_costs.py); `benchmarks/sweep.py` prints each
step's queries and time at N open deadlines (`sweep_steps()` is what it times).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from viewflow.workflow import timers as viewflow_timers
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.inline import Compiled, Earliest, Inline

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


# The waiting timers: workflows_timer_waiting_idx (workflows/migrations/0004) holds only them.
WAITING_TIMERS = Q(flow_task_type="TIMER", status=STATUS.SCHEDULED)
_timer_due = Earliest(lambda: Task.objects.filter(Inline(WAITING_TIMERS)), "scheduled")
_failed = Compiled(
    lambda: (
        OutboxMessage.objects.filter(Inline(Q(status=OutboxMessage.Status.FAILED)))
        .order_by()
        .values("pk")
    ),
    wrap="SELECT COUNT(*) FROM ({}) failed",
)


def fire_due_timers() -> int:
    """viewflow's due timers, asked first of the partial index of waiting timers (its earliest
    entry): viewflow's own query binds "TIMER" and "SCHEDULED" as parameters, which a prepared
    plan cannot match to a partial index. When one is due, viewflow fires them; its query is then
    planned with its values (SQLite matches them to the index too)."""
    if not _timer_due.due(timezone.now()):
        return 0
    return viewflow_timers.fire_due_timers()


def failed_total() -> int:
    """Messages marked failed, waiting for an administrator (the partial index outbox_failed)."""
    return _failed.scalar()


def sweep_steps() -> list[tuple[str, Callable]]:
    """The steps of one sweep in order, as (name, function): timers, events, the registered
    steps, delivery, the failed-mail count."""
    return [
        ("timers", fire_due_timers),
        ("events", dispatch_events),
        *registered_steps().items(),
        ("delivery", deliver_outbox),
        ("failed_total", failed_total),
    ]


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
    # Timers first, then the outbox of what happened (actions and the timers just fired: mail,
    # notices, reminders), the registered steps, delivery, and the count of failed mail.
    for name, func in sweep_steps():
        result = _run(report, name, func)
        if result is _FAILED:
            continue
        if name == "timers":
            report.timers = result or 0
        elif name == "events":
            report.events = result or 0
        elif name == "delivery":
            report.sent, report.failed, report.dead = result.sent, result.failed, result.dead
        elif name == "failed_total":
            report.failed_total = result
        else:
            report.steps[name] = result or 0
    if report.errors or report.dead:
        logger.warning(report.line())
    else:
        logger.info(report.line())
    return report
