"""A month's close and its pay sheet export for a company of N employees (SCORE-10, PAY-1).

Run:  .venv/bin/python benchmarks/ledger.py [N] [--runs R] [--no-build]
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/hr_bench .venv/bin/python benchmarks/ledger.py
N defaults to 10000; R (timed runs, the median is printed) to 3. Uses a throw-away SQLite
database (or DATABASE_URL: point it at a scratch database; its tables are flushed first).

It builds N ladder employees in N/100 departments (each with its first level-history row, a few
hired in the month so their pay does not float yet, SCORE-6), and for the previous month: three
ledger events each on average (a bonus, a light deduction, one in ten absent with a fine of 30),
and imported sales for half of them (SalesFigure). The rows are written by executemany with
explicit ids (benchmarks/sweep.py's Inserter), not model instances.

Then it times, with the statements each costs (deterministic) and the median time of R runs:
- `month_close` (performance/ledger_close.py) of the month for the company, by administration,
  run inside a transaction rolled back after each timed run, then once for real;
- `pay_sheet` (performance/paysheet.py) of the closed month, then its export as XLSX and as CSV
  (performance/paysheet_export.py), with the size of each file.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-ledger-"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.sweep import BATCH, Inserter, _reset_sequences  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LEVELS = [("junior", 2200), ("intermediate", 2400), ("senior", 2800)]


class Rollback(Exception):
    pass


def previous_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def build(n: int, month: dt.date) -> None:
    from django.contrib.auth import get_user_model

    from org.models import Department, Employee, LevelHistory
    from performance.models import SalesFigure, ScoreEvent
    from tests.factories import DepartmentFactory
    from tests.orgdata import employee

    User = get_user_model()
    adm = DepartmentFactory(code="adm", name="行政部")
    employee("bench.admin", department=adm, level=None, roles=["administration"])
    now = timezone.now()
    dtv = connection.ops.adapt_datetimefield_value
    created = dtv(now)
    departments = Inserter(Department, ["code", "name", "lead"])
    dept_ids = list(
        departments.insert((f"d{d:03}", f"客服{d}部", None) for d in range(max(1, n // 100)))
    )
    hire_old, hire_new = dt.date(2024, 1, 1), month.replace(day=15)
    with transaction.atomic():
        users = Inserter(
            User,
            ["password", "is_superuser", "username", "first_name", "last_name", "email",
             "is_staff", "is_active", "date_joined"],
        )  # fmt: skip
        user_ids = users.insert(
            ("!", False, f"p{i:06}", "", "", "", False, True, created) for i in range(n)
        )
        people = Inserter(
            Employee,
            ["user", "name", "department", "level", "base_salary", "hired_on", "language"],
        )

        def level(i):
            return LEVELS[i % len(LEVELS)]

        def hired(i):
            return hire_new if i % 50 == 0 else hire_old

        employee_ids = people.insert(
            (user_ids[i], f"员工{i}", dept_ids[i % len(dept_ids)], level(i)[0],
             Decimal(level(i)[1]), hired(i), "zh-hans")
            for i in range(n)
        )  # fmt: skip
        history = Inserter(
            LevelHistory,
            ["employee", "from_level", "to_level", "base_salary", "effective_on", "reason",
             "recorded_at"],
        )  # fmt: skip
        history.insert(
            (employee_ids[i], None, level(i)[0], Decimal(level(i)[1]), hired(i), "hired", created)
            for i in range(n)
        )
        events = Inserter(
            ScoreEvent,
            ["employee", "month", "points", "fine", "reason", "source", "booked_at", "code",
             "kind", "note", "evidence", "recorded_by", "policy_version"],
        )  # fmt: skip
        rows = []
        for i, pk in enumerate(employee_ids):
            if i % 2 == 0:
                rows.append((pk, month, Decimal(5), Decimal(0), "extra", f"b:{i}", created,
                             "extra_work", "event", "extra", "", None, "default"))  # fmt: skip
            rows.append((pk, month, Decimal(-(2 + i % 4)), Decimal(0), "late", f"l:{i}", created,
                         "late_or_early", "event", "late", "", None, "default"))  # fmt: skip
            if i % 10 == 0:
                rows.append((pk, month, Decimal(-20), Decimal(30), "absent", f"a:{i}", created,
                             "absenteeism", "event", "absent", "", None, "default"))  # fmt: skip
            if i % 3 == 0:
                rows.append((pk, month, Decimal(-2), Decimal(0), "late", f"l2:{i}", created,
                             "late_or_early", "event", "late", "", None, "default"))  # fmt: skip
        for start in range(0, len(rows), BATCH):
            events.insert(rows[start : start + BATCH])
        sales = Inserter(SalesFigure, ["employee", "month", "amount", "imported_at", "imported_by"])
        sales.insert(
            (pk, month, Decimal(15000 + (i * 37) % 50000), created, None)
            for i, pk in enumerate(employee_ids)
            if i % 2
        )
    _reset_sequences([Department, User, Employee, LevelHistory, ScoreEvent, SalesFigure])
    print(
        f"database: {connection.vendor}; built {n} employees in {len(dept_ids)} departments, "
        f"{len(rows)} events and {n // 2} sales figures of {month:%Y-%m}"
    )


def timed(fn, runs: int):
    """(statements of a run, median seconds, the last result), after one untimed run that
    warms the caches (the policy, the catalogue), as a server's first request does. The
    statements are the fewest of the runs: the policy's cached timeline revalidates itself once
    in a while (one statement more, policy/services.py's CachedTable), whatever N is."""
    fn()
    times, counts, result = [], [], None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - started)
        counts.append(len(queries))
    return min(counts), statistics.median(times), result


def main(n: int, *, runs: int, fresh: bool) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import translation

    from performance.ledger_close import month_close
    from performance.paysheet import pay_sheet
    from performance.paysheet_export import to_csv, to_xlsx
    from policy.services import install_default_pack

    call_command("migrate", verbosity=0)
    month = previous_month()
    if fresh:
        call_command("flush", interactive=False, verbosity=0)
        install_default_pack()
        started = time.perf_counter()
        build(n, month)
        print(f"built in {time.perf_counter() - started:.1f} s")
    admin = get_user_model().objects.get(username="bench.admin")
    admin.has_perm("org.administration")  # the role cache, as in a request after the first
    translation.activate("zh-hans")

    def close_rolled_back():
        try:
            with transaction.atomic():
                report = month_close(actor=admin, month=month)
                raise Rollback(report)
        except Rollback as done:
            return done.args[0]

    from performance.models import Assessment

    if not Assessment.objects.filter(month=month, closed_at__isnull=False).exists():
        statements, seconds, report = timed(close_rolled_back, runs)
        print(
            f"month_close {month:%Y-%m}: {report.closed} scores closed, {statements} statements, "
            f"{seconds * 1000:.0f} ms (median of {runs}, rolled back)"
        )
        report = month_close(actor=admin, month=month)
        print(f"month_close for real: {report.closed} closed")
    statements, seconds, sheet = timed(lambda: pay_sheet(month=month), runs)
    print(
        f"pay_sheet {month:%Y-%m}: {len(sheet.rows)} rows, total {sheet.total}, "
        f"{statements} statements, {seconds * 1000:.0f} ms (median of {runs})"
    )
    for name, export in (("xlsx", to_xlsx), ("csv", to_csv)):
        statements, seconds, content = timed(
            lambda export=export: export(pay_sheet(month=month)), runs
        )
        print(
            f"pay sheet export {name}: {len(content) / 1024:.0f} KiB, {statements} statements, "
            f"{seconds * 1000:.0f} ms (median of {runs}, sheet included)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-build", action="store_true", help="measure the database as it is")
    args = parser.parse_args()
    main(args.n, runs=args.runs, fresh=not args.no_build)
