"""Issue 11, finding 7 (and issue 12) on PostgreSQL: appends to unrelated cases never wait for
each other, one case's racing appends cannot both win, and a checkpoint never misses an event
that commits after it with a lower id. Each thread has its own connection."""

import threading
from contextlib import nullcontext

import pytest
from django.db import IntegrityError, connection, transaction

import audit
from audit.models import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT = 10  # seconds: far more than an uncontended append takes


def append(case_id, action="step"):
    return audit.record(case_type="promotion", case_id=case_id, action=action)


class HeldAppend(threading.Thread):
    """Appends to a case and keeps its transaction open until released."""

    def __init__(self, case_id):
        super().__init__(daemon=True)
        self.case_id = case_id
        self.appended = threading.Event()
        self.release = threading.Event()
        self.error = None
        self.event = None

    def run(self):
        try:
            with transaction.atomic():
                self.event = append(self.case_id, "held")
                self.appended.set()
                self.release.wait(WAIT)
        except Exception as error:  # noqa: BLE001  (reported to the test)
            self.error = error
        finally:
            self.appended.set()
            connection.close()


def in_thread(func, atomic=True):
    done, box = threading.Event(), {}

    def run():
        try:
            with transaction.atomic() if atomic else nullcontext():
                box["value"] = func()
        except Exception as error:  # noqa: BLE001
            box["error"] = error
        finally:
            done.set()
            connection.close()

    threading.Thread(target=run, daemon=True).start()
    return done, box


def test_finding7_appending_to_another_case_does_not_wait_for_an_open_append():
    append(1)
    append(2)
    held = HeldAppend(1)
    held.start()
    assert held.appended.wait(WAIT) and held.error is None
    try:
        done, box = in_thread(lambda: append(2))
        # The old global chain head (an advisory lock to commit) made this wait for case 1.
        assert done.wait(3), "an append to case 2 waited for the open append to case 1"
        assert "error" not in box and box["value"].seq == 2
    finally:
        held.release.set()
        held.join(WAIT)
    assert held.error is None
    assert audit.verify().ok


def test_finding7_two_racing_appends_to_one_case_cannot_both_win():
    """Without the case row lock (services take it), the unique seq refuses the second."""
    append(1)
    held = HeldAppend(1)
    held.start()
    assert held.appended.wait(WAIT) and held.error is None
    done, box = in_thread(lambda: append(1, "racer"))
    assert not done.wait(0.5)  # waits on the unique index entry of seq 2
    held.release.set()
    held.join(WAIT)
    assert done.wait(WAIT)
    assert isinstance(box.get("error"), IntegrityError)
    assert list(AuditEvent.objects.filter(case_id=1).values_list("seq", "action")) == [
        (1, "step"),
        (2, "held"),
    ]


def test_finding7_a_checkpoint_covers_an_event_committed_late_with_a_lower_id():
    """A takes id n and stays open; B takes n+1 and commits. A checkpoint that read max(id) at
    once would cover n+1 without n, and the checkpoint would fail once A commits."""
    append(1)
    held = HeldAppend(1)
    held.start()
    assert held.appended.wait(WAIT) and held.error is None
    later = in_thread(lambda: append(2))
    assert later[0].wait(WAIT) and "error" not in later[1]
    done, box = in_thread(audit.checkpoint, atomic=False)
    assert not done.wait(0.5)  # the SHARE lock waits for the open append
    held.release.set()
    held.join(WAIT)
    assert done.wait(WAIT) and "error" not in box, box
    assert box["value"].events == 3
    result = audit.verify()
    assert result.ok, [p.message for p in result.problems]
