"""The attendance check of one month (ATT-2) for a company of N employees: its statements and time.

Run:  .venv/bin/python benchmarks/attendance.py [N] [--runs R]
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/hr_bench_att .venv/bin/python \
          benchmarks/attendance.py
N defaults to 1000; R (timed re-runs, the median is printed) to 3. Uses a throw-away SQLite
database (or DATABASE_URL: point it at a scratch database; its tables are flushed first).

It builds N employees in N/100 departments (each with a lead), for the latest month with 22 weekdays, 22
day shifts each (but the floaters) (09:00–18:00 on the month's first 22 weekdays) and two punches per shift, with
one shift in 20 late (1..39 minutes), one in 50 without its leave punch, one in 100 without any
punch (absent), spread over people, days and departments, and for one absent shift in two the department's floater (the second employee
of each department, who has no shift) punching in and out (a shift worked without an approved
swap); rows by executemany with explicit ids
(benchmarks/sweep.py's Inserter).

Then it times `findings_check` of that month for the whole company: the first run (which
creates the findings, in a transaction rolled back, R times, then once for real) and a re-run
over the same data (nothing new: the idempotent case), each with its statements.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-attendance-"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.sweep import BATCH, Inserter, _reset_sequences  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Rollback(Exception):
    pass


def checked_month() -> dt.date:
    """The latest month before this one with 22 weekdays (a full month of day shifts)."""
    month = timezone.localdate().replace(day=1)
    while True:
        month = (month - dt.timedelta(days=1)).replace(day=1)
        if len(workdays(month)) >= 22:
            return month


def workdays(month: dt.date, count: int = 22) -> list[dt.date]:
    """The month's first `count` weekdays (fewer if it has fewer)."""
    days, day = [], month
    while len(days) < count and day.month == month.month:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def build(n: int, month: dt.date) -> dict:
    from django.contrib.auth import get_user_model

    from approvals.attendance.models import Punch, Shift
    from org.models import Department, Employee
    from policy.deadlines import company_tz

    User = get_user_model()
    tz = company_tz()
    dtv = connection.ops.adapt_datetimefield_value
    created = dtv(timezone.now())
    departments = Inserter(Department, ["code", "name", "lead"])
    dept_ids = list(
        departments.insert((f"d{d:03}", f"客服{d}部", None) for d in range(max(1, n // 100)))
    )
    counts = {"shifts": 0, "punches": 0}
    with transaction.atomic():
        users = Inserter(
            User,
            ["password", "is_superuser", "username", "first_name", "last_name", "email",
             "is_staff", "is_active", "date_joined"],
        )  # fmt: skip
        user_ids = users.insert(
            ("!", False, f"p{i:06}", "", "", "", False, True, created) for i in range(n)
        )
        people = Inserter(Employee, ["user", "name", "department", "level", "hired_on", "language"])
        employee_ids = list(
            people.insert(
                (user_ids[i], f"员工{i}", dept_ids[i % len(dept_ids)], "junior",
                 dt.date(2024, 1, 1), "zh-hans")
                for i in range(n)
            )
        )  # fmt: skip
        for d, pk in enumerate(dept_ids):  # the first employee of each department leads it
            Department.objects.filter(pk=pk).update(lead_id=employee_ids[d])
        shifts = Inserter(Shift, ["employee", "rostered", "department", "date", "start", "end"])
        punches = Inserter(Punch, ["employee", "at"])
        shift_rows, punch_rows, floater_days = [], [], set()
        floaters = {employee_ids[len(dept_ids) + d]: d for d in range(len(dept_ids))}
        floater_of = {d: pk for pk, d in floaters.items()}
        for day_no, day in enumerate(workdays(month)):
            start = dt.datetime.combine(day, dt.time(9), tzinfo=tz)
            end = dt.datetime.combine(day, dt.time(18), tzinfo=tz)
            for i, pk in enumerate(employee_ids):
                if pk in floaters:  # the second of each department has no shift: a substitute
                    continue
                d = i % len(dept_ids)
                shift_rows.append((pk, pk, dept_ids[d], day, dtv(start), dtv(end)))
                m = (i * 37 + day_no * 11) % 200  # spread over people, days and departments
                if 14 <= m < 16:  # absent (1 %)
                    if m == 14 and (d, day) not in floater_days:  # ... worked by the floater
                        floater_days.add((d, day))
                        punch_rows.append((floater_of[d], dtv(start)))
                        punch_rows.append((floater_of[d], dtv(end)))
                    continue
                late = dt.timedelta(minutes=(i + day_no) % 39 + 1) if m < 10 else dt.timedelta()
                punch_rows.append((pk, dtv(start - dt.timedelta(minutes=5) + late)))
                if not 10 <= m < 14:  # 2 % without the leave punch
                    punch_rows.append((pk, dtv(end + dt.timedelta(minutes=3))))
        for chunk in range(0, len(shift_rows), BATCH):
            shifts.insert(shift_rows[chunk : chunk + BATCH])
        for chunk in range(0, len(punch_rows), BATCH):
            punches.insert(punch_rows[chunk : chunk + BATCH])
        counts["shifts"], counts["punches"] = len(shift_rows), len(punch_rows)
    _reset_sequences([Department, User, Employee, Shift, Punch])
    print(
        f"database: {connection.vendor}; built {n} employees in {len(dept_ids)} departments, "
        f"{counts['shifts']} shifts and {counts['punches']} punches of {month:%Y-%m}"
    )
    return counts


def timed(fn, runs: int):
    fn()  # warms the caches (the policy, the catalogue), as a server's first request does
    times, counts, result = [], [], None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - started)
        counts.append(len(queries))
    return min(counts), statistics.median(times), result


def main(n: int, *, runs: int) -> None:
    from approvals.attendance.findings import findings_check
    from approvals.attendance.models import Finding
    from policy.services import install_default_pack

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    install_default_pack()
    month = checked_month()
    started = time.perf_counter()
    build(n, month)
    print(f"built in {time.perf_counter() - started:.1f} s")
    last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)

    def first_rolled_back():
        try:
            with transaction.atomic():
                raise Rollback(findings_check(start=month, end=last))
        except Rollback as done:
            return done.args[0]

    statements, seconds, report = timed(first_rolled_back, runs)
    print(
        f"findings_check {month:%Y-%m} (first run): {report.shifts} shifts, {report.created} "
        f"findings {dict(report.by_kind)}, {statements} statements, {seconds * 1000:.0f} ms "
        f"(median of {runs}, rolled back)"
    )
    findings_check(start=month, end=last)
    statements, seconds, report = timed(lambda: findings_check(start=month, end=last), runs)
    print(
        f"findings_check {month:%Y-%m} (re-run): {report.shifts} shifts, {report.created} new, "
        f"{report.unchanged} unchanged, {report.cleared} cleared, {statements} statements, "
        f"{seconds * 1000:.0f} ms (median of {runs}); findings stored: {Finding.objects.count()}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    main(args.n, runs=args.runs)
