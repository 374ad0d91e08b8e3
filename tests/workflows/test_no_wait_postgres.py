"""Issue 12: no global serialisation point. An action holds its case (the process row and the
case row) until it commits, and nothing else: an action on another case completes while it is
open, and a second action on the same case is refused at once (409 case_busy) instead of
queueing behind it. PostgreSQL only (SQLite serialises every writer by design); each thread has
its own connection, so the data is committed (transaction=True)."""

import dataclasses
import threading

import pytest
from django.db import connection

import audit
from approvals.errors import StateConflict
from tests.orgdata import apply_for_promotion, build_org, eligible_agent
from workflows.engine import run_action
from workflows.promotion import PromotionFlow

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT = 10  # seconds: far more than an uncontended action takes


def _nominate(org, case):
    return run_action(
        flow_class=PromotionFlow,
        actions=PromotionFlow.actions,
        case=case,
        name="nominate",
        actor=org.lead.user,
        comment="",
    )


@pytest.fixture
def two_cases():
    org = build_org()
    second = eligible_agent("agent2", department=org.cs)
    return org, apply_for_promotion(org.agent.user), apply_for_promotion(second.user)


@pytest.fixture
def held(monkeypatch):
    """The nominate action of the first case to run stops after its service (case locked,
    changed, audited, not yet committed) until released."""
    reached, release = threading.Event(), threading.Event()
    real = PromotionFlow.actions["nominate"]

    def service(**kwargs):
        case = real.service(**kwargs)
        if not reached.is_set():
            reached.set()
            release.wait(WAIT)
        return case

    monkeypatch.setitem(
        PromotionFlow.actions, "nominate", dataclasses.replace(real, service=service)
    )
    return reached, release


def _in_thread(func):
    done, box = threading.Event(), {}

    def run():
        try:
            box["value"] = func()
        except Exception as error:  # noqa: BLE001  (reported to the test)
            box["error"] = error
        finally:
            done.set()
            connection.close()

    threading.Thread(target=run, daemon=True).start()
    return done, box


def test_an_action_on_another_case_completes_while_one_is_held_open(two_cases, held):
    org, first, second = two_cases
    reached, release = held
    first_done, first_box = _in_thread(lambda: _nominate(org, first))
    assert reached.wait(WAIT), first_box
    try:
        done, box = _in_thread(lambda: _nominate(org, second))
        assert done.wait(WAIT), "an action on case 2 waited for the open action on case 1"
        assert "error" not in box, box
        assert box["value"].state == "nominated"
        assert not first_done.is_set()  # case 1's action really was still open
    finally:
        release.set()
    assert first_done.wait(WAIT) and "error" not in first_box, first_box
    assert first_box["value"].state == "nominated"
    assert audit.verify().ok


def test_a_second_action_on_the_held_case_is_refused_at_once(two_cases, held):
    org, first, _ = two_cases
    reached, release = held
    first_done, first_box = _in_thread(lambda: _nominate(org, first))
    assert reached.wait(WAIT), first_box
    try:
        done, box = _in_thread(
            lambda: run_action(
                flow_class=PromotionFlow,
                actions=PromotionFlow.actions,
                case=first,
                name="decline",
                actor=org.lead.user,
                reason="不同意",
            )
        )
        assert done.wait(WAIT)
        assert isinstance(box.get("error"), StateConflict), box
        assert box["error"].code == "case_busy"
    finally:
        release.set()
    assert first_done.wait(WAIT) and "error" not in first_box, first_box
    first.refresh_from_db()
    assert first.state == "nominated"
