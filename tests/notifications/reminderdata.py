"""Due reminders in bulk and two sweeps run at the same moment, for the exactly-once tests."""

import threading

from django.db import connection

from approvals.deadlines import Deadline
from approvals.events import OutboxEvent
from approvals.promotion import services
from notifications.models import OutboxMessage, Reminder
from tests.orgdata import employee
from workflows.engine import start_flow
from workflows.promotion import PromotionFlow


def plant_due_reminders(org, *, n: int, people: int, prefix: str, due, **fields) -> list:
    """`n` unsent reminders over n/people deadlines of one real promotion case (the mail text
    needs the case), one per deadline and person; `fields` set kind, offset_hours, send_at."""
    users = [employee(f"{prefix}{i}", department=org.cs).user for i in range(people)]
    case = services.promotion_submit(
        actor=org.agent.user, target_level="intermediate", statement="s", skip_level_reason="例外"
    )
    start_flow(flow_class=PromotionFlow, case=case)
    Reminder.objects.all().delete()
    OutboxMessage.objects.all().delete()
    OutboxEvent.objects.all().delete()  # the case's own task mail and reminders: not these
    deadlines = Deadline.objects.bulk_create(
        Deadline(case_type="promotion", case_id=case.pk, name=f"step{i}", due_at=due)
        for i in range(n // people)
    )
    Reminder.objects.bulk_create(
        Reminder(deadline=d, recipient=u, **fields) for d in deadlines for u in users
    )
    assert Reminder.objects.count() == n
    return users


def run_together(func, times: int = 2) -> tuple[list, list]:
    """Run `func()` in `times` threads released at once; their results and any errors."""
    barrier = threading.Barrier(times)
    results, errors = [None] * times, []

    def run(i):
        try:
            barrier.wait()
            results[i] = func()
        except Exception as exc:  # noqa: BLE001  (the caller asserts there were none)
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors
