"""ledger_record and ledger_adjust: who records (SCORE-9), the catalogue's figures (SCORE-9), a
closed month and an imported one (SCORE-10), the adjustment after close (SCORE-10), and a final
penalty's points booked once with their code (APPEAL-3)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from approvals.errors import InvalidInput, NotAllowed, PolicyViolation, StateConflict
from audit.models import AuditEvent
from performance.ledger import ledger_adjust, ledger_record, month_running_score
from performance.ledger_close import month_close
from performance.models import Assessment, ScoreEvent
from performance.services import assessment_record
from tests.performance.ledger_helpers import IN_OCT, NOV_1, OCT, build_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger():
    return build_ledger()


@pytest.fixture
def in_oct():
    with time_machine.travel(IN_OCT, tick=False):
        yield


def record(actor, employee, code="top_of_team", points=None, note="本月工作量第一", **kw):
    return ledger_record(
        actor=actor.user, employee=employee, month=OCT, code=code, points=points, note=note, **kw
    )


def test_score_9_trainer_records_an_event_of_an_agent(ledger, in_oct):
    event, running = record(ledger.trainer, ledger.agent, evidence="质检表 10 月")
    event.refresh_from_db()
    assert (event.code, event.points, event.month) == ("top_of_team", Decimal(5), OCT)
    assert event.recorded_by == ledger.trainer.user
    assert event.note == "本月工作量第一" and event.evidence == "质检表 10 月"
    assert event.policy_version and event.kind == ScoreEvent.Kind.EVENT
    assert running.score == Decimal(85)
    assert AuditEvent.objects.filter(case_type="score_event", case_id=event.pk).exists()
    # The running score is computed, not stored: the month has no final figure yet.
    assert not Assessment.objects.filter(employee=ledger.agent, month=OCT).exists()


def test_score_9_running_score_follows_event_by_event(ledger, in_oct):
    record(ledger.trainer, ledger.agent)
    record(ledger.trainer, ledger.agent, code="late_or_early", points=3, note="迟到 12 分钟")
    assert month_running_score(employee=ledger.agent, month=OCT).score == Decimal(82)


def test_score_9_nobody_records_about_themselves(ledger, in_oct):
    with pytest.raises(NotAllowed) as refused:
        record(ledger.trainer, ledger.trainer)
    assert (refused.value.code, refused.value.rule) == ("own_record", "SCORE-9")
    assert not ScoreEvent.objects.exists()


def test_score_9_an_agent_cannot_record_about_another_agent(ledger, in_oct):
    with pytest.raises(NotAllowed) as refused:
        record(ledger.colleague, ledger.agent)
    assert (refused.value.code, refused.value.rule) == ("not_recorder", "SCORE-9")
    assert "客服部" in refused.value.detail


def test_score_9_a_trainer_of_another_department_cannot_record(ledger, in_oct):
    with pytest.raises(NotAllowed) as refused:
        record(ledger.other_trainer, ledger.agent)
    assert refused.value.code == "not_recorder"


def test_score_9_the_lead_records_about_trainers_and_a_trainer_does_not(ledger, in_oct):
    event, _running = record(ledger.lead, ledger.trainer)
    assert event.employee == ledger.trainer
    with pytest.raises(NotAllowed):
        record(ledger.other_trainer, ledger.trainer)


def test_score_9_the_lead_does_not_record_about_agents(ledger, in_oct):
    with pytest.raises(NotAllowed) as refused:
        record(ledger.lead, ledger.agent)
    assert refused.value.code == "not_recorder"


@pytest.mark.parametrize(
    ("code", "points", "error"),
    [("late_or_early", 6, "points_out_of_range"), ("late_or_early", 1, "points_out_of_range"),
     ("late_or_early", None, "points_required"), ("late_or_early", "2.55", "points_step"),
     ("team_lead_extra", -6, "points_out_of_range")],
)  # fmt: skip
def test_score_9_points_outside_the_catalogue_are_refused_naming_the_range(
    ledger, in_oct, code, points, error
):
    with pytest.raises(PolicyViolation) as refused:
        record(ledger.trainer, ledger.agent, code=code, points=points, note="x")
    assert (refused.value.code, refused.value.rule) == (error, "SCORE-9")
    assert not ScoreEvent.objects.exists()


def test_score_9_the_refusal_names_the_figures(ledger, in_oct):
    with pytest.raises(PolicyViolation) as refused:
        record(ledger.trainer, ledger.agent, code="late_or_early", points=6, note="x")
    assert refused.value.detail == "6 is outside the range of late_or_early, 2..5. (SCORE-9)"


def test_score_9_an_event_needs_a_note(ledger, in_oct):
    with pytest.raises(InvalidInput) as refused:
        record(ledger.trainer, ledger.agent, note="  ")
    assert refused.value.code == "note_required"


def test_score_9_an_unknown_code_is_refused(ledger, in_oct):
    with pytest.raises(InvalidInput) as refused:
        record(ledger.trainer, ledger.agent, code="nope")
    assert refused.value.code == "unknown_code"


def test_appeal_3_penalty_points_are_not_recorded_by_hand(ledger, in_oct):
    with pytest.raises(PolicyViolation) as refused:
        record(ledger.trainer, ledger.agent, code="penalty_written_warning")
    assert (refused.value.code, refused.value.rule) == ("booked_by_penalty", "APPEAL-3")


def test_score_10_a_month_with_an_imported_score_refuses_events(ledger, in_oct):
    assessment_record(employee=ledger.agent, month=OCT, score=Decimal(88), source="import")
    with pytest.raises(StateConflict) as refused:
        record(ledger.trainer, ledger.agent)
    assert (refused.value.code, refused.value.rule) == ("imported_score", "SCORE-10")
    assert "88" in refused.value.detail and "2026-10" in refused.value.detail
    assert not ScoreEvent.objects.exists()


# --- a closed month and its adjustment (SCORE-10) -----------------------------------------------


@pytest.fixture
def closed(ledger):
    with time_machine.travel(IN_OCT, tick=False):
        record(ledger.trainer, ledger.agent)
    with time_machine.travel(NOV_1, tick=False):
        month_close(actor=ledger.admin.user, month=OCT)
        yield ledger


def test_score_10_a_closed_month_refuses_a_normal_event(closed):
    with pytest.raises(StateConflict) as refused:
        record(closed.trainer, closed.agent, code="extra_work")
    assert (refused.value.code, refused.value.rule) == ("month_closed", "SCORE-10")
    assert ScoreEvent.objects.count() == 1


def test_score_10_an_adjustment_is_not_an_ordinary_event(closed):
    with pytest.raises(PolicyViolation) as refused:
        record(closed.admin, closed.agent, code="adjustment", points=-5)
    assert refused.value.code == "adjustment_only_after_close"


def test_score_10_administration_adjusts_a_closed_month_with_a_reason(closed):
    result = ledger_adjust(
        actor=closed.admin.user, employee=closed.agent, month=OCT, points=-6, reason="质检复核"
    )
    assert result.changed == {"score": (Decimal(85), Decimal(79)), "grade": ("B", "C"),
                              "tier": (2, 3)}  # fmt: skip
    row = Assessment.objects.get(employee=closed.agent, month=OCT)
    assert (row.score, row.grade, row.tier) == (Decimal(79), "C", 3)
    assert row.closed_at is not None
    event = ScoreEvent.objects.get(kind=ScoreEvent.Kind.ADJUSTMENT)
    assert (event.code, event.reason, event.recorded_by) == (
        "adjustment",
        "质检复核",
        closed.admin.user,
    )
    audit = AuditEvent.objects.get(case_type="assessment", case_id=row.pk, action="adjust")
    assert audit.data["before"]["score"] == "85.0" and "SCORE-10" in audit.rules


def test_score_10_only_administration_adjusts(closed):
    for actor in (closed.trainer, closed.lead):
        with pytest.raises(NotAllowed) as refused:
            ledger_adjust(actor=actor.user, employee=closed.agent, month=OCT, points=-1, reason="r")
        assert (refused.value.code, refused.value.rule) == ("wrong_role", "SCORE-10")
    assert not ScoreEvent.objects.filter(kind=ScoreEvent.Kind.ADJUSTMENT).exists()


def test_score_10_an_adjustment_needs_a_reason(closed):
    with pytest.raises(InvalidInput) as refused:
        ledger_adjust(
            actor=closed.admin.user, employee=closed.agent, month=OCT, points=-1, reason=" "
        )
    assert (refused.value.code, refused.value.rule) == ("reason_required", "SCORE-10")


def test_score_10_an_open_month_is_not_adjusted(ledger):
    with time_machine.travel(IN_OCT, tick=False):
        record(ledger.trainer, ledger.agent)
        with pytest.raises(StateConflict) as refused:
            ledger_adjust(
                actor=ledger.admin.user, employee=ledger.agent, month=OCT, points=1, reason="r"
            )
    assert refused.value.code == "month_open"


# --- a final penalty's points (APPEAL-3) --------------------------------------------------------


def test_appeal_3_a_final_penalty_books_its_catalogue_code_once(org):
    from tests.penalty.helpers import act, local, serve, sweep_timers

    with time_machine.travel(local(2026, 9, 30, 10, 0), tick=False):
        case = serve(org.lead, org.agent)
        act(org.agent, case["id"], "sign")
    with time_machine.travel(local(2026, 10, 4, 0, 0, 1), tick=False):
        sweep_timers()
        sweep_timers()
    event = ScoreEvent.objects.get()
    assert (event.code, event.points, event.fine) == ("penalty_verbal_warning", -5, 10)
    assert event.month == dt.date(2026, 10, 1) and event.policy_version
    with time_machine.travel(NOV_1, tick=False):
        assert month_running_score(employee=org.agent, month=OCT).score == Decimal(75)


# --- an import against the ledger (SCORE-10) ----------------------------------------------------


def test_score_10_an_import_into_a_month_with_events_is_refused_naming_the_conflict(ledger):
    from performance.services import assessments_import

    with time_machine.travel(IN_OCT, tick=False):
        record(ledger.trainer, ledger.agent)
    with time_machine.travel(NOV_1, tick=False):
        report = assessments_import(
            rows=[
                {"username": "colleague", "month": "2026-10", "score": "88"},
                {"username": "agent", "month": "2026-10", "score": "88"},
            ]
        )
    assert report.errors == [
        "row 3 (agent): 2026-10 already has 1 events in the ledger: a month is made of either "
        "(SCORE-10)"
    ]
    assert not Assessment.objects.exists()  # all or nothing


def test_score_10_an_import_into_a_closed_month_is_refused(closed):
    from performance.services import assessments_import

    report = assessments_import(rows=[{"username": "colleague", "month": "2026-10", "score": "88"}])
    assert report.errors == ["row 2 (colleague): 2026-10 is closed (SCORE-10)"]
    with pytest.raises(StateConflict) as refused:
        assessment_record(employee=closed.colleague, month=OCT, score=Decimal(88), source="manual")
    assert (refused.value.code, refused.value.rule) == ("month_closed", "SCORE-10")
    assert Assessment.objects.get(employee=closed.colleague, month=OCT).score == Decimal(80)


def test_appeal_3_bookings_made_before_the_catalogue_get_their_penalty_code(org):
    """Migration performance 0003: an uncoded penalty booking gets penalty_<sanction>; any
    other uncoded event keeps its empty code."""
    import importlib

    from django.apps import apps

    from tests.orgdata import serve_verbal_warning

    migration = importlib.import_module("performance.migrations.0003_ledger")
    with time_machine.travel(IN_OCT, tick=False):
        penalty = serve_verbal_warning(org.lead.user, org.agent)
    for source in (f"penalty:{penalty.pk}", "legacy:7"):
        ScoreEvent.objects.create(
            employee=org.agent, month=OCT, points=-5, reason="r", source=source, booked_at=IN_OCT
        )
    migration.code_penalty_bookings(apps, None)
    codes = dict(ScoreEvent.objects.values_list("source", "code"))
    assert codes == {f"penalty:{penalty.pk}": "penalty_verbal_warning", "legacy:7": ""}
