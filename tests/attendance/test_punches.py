"""ATT-2: the punch import: administration only, all or nothing with every bad row named, the
same punch once however often imported, and a bounded number of statements."""

import datetime as dt
import math

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.attendance.models import Punch, PunchImport
from approvals.attendance.punches import punch_file_read, punches_import
from approvals.errors import NotAllowed
from audit.models import AuditEvent
from tests.attendance.helpers import local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _later():
    with time_machine.travel(local(2026, 3, 10, 8), tick=False):
        yield


def p(username, time):
    return {"username": username, "time": time}


def test_att2_administration_imports_punches(org):
    report = punches_import(
        actor=org.admin.user,
        rows=[p("agent", "2026-03-02 08:58"), p("agent", "2026-03-02 18:01:30")],
    )
    assert report.ok and report.created == 2
    assert list(Punch.objects.order_by("at").values_list("at", flat=True)) == [
        local(2026, 3, 2, 8, 58),
        local(2026, 3, 2, 18, 1, 30),
    ]
    assert AuditEvent.objects.filter(case_type="punch_import").count() == 1


@pytest.mark.parametrize("who", ["lead", "agent", "gm"])
def test_att2_only_administration_imports_punches(org, who):
    actor = {"lead": org.lead, "agent": org.agent, "gm": org.gm}[who]
    with pytest.raises(NotAllowed) as refused:
        punches_import(actor=actor.user, rows=[p("agent", "2026-03-02 08:58")])
    assert refused.value.code == "wrong_role" and refused.value.rule == "ATT-2"
    assert not Punch.objects.exists()


def test_att2_every_bad_row_is_named_and_nothing_written(org):
    rows = [
        p("agent", "2026-03-02 08:58"),  # 2 good
        p("nobody", "2026-03-02 08:58"),  # 3 unknown
        p("agent", "2026-03-02"),  # 4 no time of day
        p("agent", "02/03/2026 08:58"),  # 5 wrong form
        p("", "2026-03-02 09:00"),  # 6 no username
        p("colleague", ""),  # 7 no time
        p("ghost", "yesterday"),  # 8 both
    ]
    report = punches_import(actor=org.admin.user, rows=rows)
    assert {(e.row, e.field) for e in report.errors} == {
        (3, "username"),
        (4, "time"),
        (5, "time"),
        (6, "username"),
        (7, "time"),
        (8, "username"),
        (8, "time"),
    }
    assert not Punch.objects.exists() and not PunchImport.objects.exists()
    assert not AuditEvent.objects.filter(case_type="punch_import").exists()


def test_att2_the_same_punch_twice_in_a_file_is_one_row(org):
    rows = [p("agent", "2026-03-02 08:58"), p("agent", "2026-03-02 08:58:00")]
    report = punches_import(actor=org.admin.user, rows=rows)
    assert report.created == 1 and report.repeated_in_file == 1
    assert Punch.objects.count() == 1


def test_att2_the_same_file_twice_changes_nothing(org):
    rows = [p("agent", "2026-03-02 08:58"), p("colleague", "2026-03-02 09:03")]
    punches_import(actor=org.admin.user, rows=rows)
    events = AuditEvent.objects.count()
    again = punches_import(actor=org.admin.user, rows=rows)
    assert again.ok and again.nothing_changed and again.already_stored == 2
    assert Punch.objects.count() == 2 and PunchImport.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_att2_a_punch_already_imported_by_another_file_is_not_stored_twice(org):
    punches_import(actor=org.admin.user, rows=[p("agent", "2026-03-02 08:58")])
    report = punches_import(
        actor=org.admin.user, rows=[p("agent", "2026-03-02 08:58"), p("agent", "2026-03-02 18:02")]
    )
    assert (report.created, report.already_stored) == (1, 1)
    assert Punch.objects.count() == 2 and PunchImport.objects.count() == 2


def test_att2_file_reader(org):
    csv = "time,username\n2026-03-02 08:58,agent\n"
    rows = punch_file_read(name="punches.csv", content=csv.encode("gb18030"))
    assert punches_import(actor=org.admin.user, rows=rows).created == 1


def test_att2_a_month_of_punches_in_a_bounded_number_of_statements(org):
    """1,000 employees × 22 days × 2 punches = 44,000 punches: statements grow with the insert
    batches only."""
    from django.contrib.auth import get_user_model

    from org.models import Employee

    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"q{i:04d}") for i in range(1000)])
    Employee.objects.bulk_create(
        [
            Employee(
                user=u,
                name=u.username,
                department=org.cs,
                level="junior",
                hired_on=dt.date(2024, 1, 1),
            )
            for u in users
        ]
    )
    rows = [
        p(u.username, f"2026-02-{day:02d} {hour}")
        for u in users
        for day in range(1, 23)
        for hour in ("08:57", "18:04")
    ]
    with CaptureQueriesContext(connection) as small:
        punches_import(actor=org.admin.user, rows=rows[:10])
    with CaptureQueriesContext(connection) as big:
        report = punches_import(actor=org.admin.user, rows=rows)
    assert report.created == 44_000 - 10
    fields = [f for f in Punch._meta.concrete_fields if not f.primary_key]
    batch = min(1000, connection.ops.bulk_batch_size(fields, [None] * 44_000))
    extra = len(big.captured_queries) - len(small.captured_queries)
    assert extra <= math.ceil(44_000 / batch) + 2, (extra, batch)


def test_att2_an_import_checks_the_shifts_of_the_days_it_spans(org):
    """ATT-2: importing the day's punches finds what they show at once: the agent punched in
    late, the colleague rostered the same day has no punch (absence, LEAVE-3); importing the
    file again finds nothing more."""
    from approvals.attendance.models import Finding, FindingKind
    from tests.attendance.findings_helpers import shift

    day = dt.date(2026, 3, 2)
    shift(org.agent, day)
    shift(org.colleague, day)
    rows = [p("agent", "2026-03-02 09:12"), p("agent", "2026-03-02 18:02")]
    report = punches_import(actor=org.admin.user, rows=rows)
    assert report.check is not None and report.check.created == 2
    kinds = dict(Finding.objects.values_list("employee__user__username", "kind"))
    assert kinds == {"agent": FindingKind.LATE, "colleague": FindingKind.ABSENCE}
    assert report.as_data()["findings"]["created"] == 2

    again = punches_import(actor=org.admin.user, rows=rows)
    assert again.nothing_changed and again.check is None
    assert Finding.objects.count() == 2
