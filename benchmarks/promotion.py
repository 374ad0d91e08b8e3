"""Full promotion cases through the engine, as the API drives them: apply → nominate → GM approve
→ confirm (the new level takes effect the same day).

Run:  .venv/bin/python benchmarks/promotion.py [N] [--rounds R] [--journal wal|delete]
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/hr_bench .venv/bin/python benchmarks/promotion.py
      .venv/bin/python benchmarks/promotion.py --http [N] [--workers W]   (benchmarks/promotion_http.py:
      the same cases through the REST API under gunicorn)

Each step is the API's entry point: `apply` is `promotion_submit` + `start_flow` (POST
/api/v1/promotions/), the others `workflows.engine.run_action` (POST .../<id>/<action>/). Every
case carries what the product carries: domain state, audit chain, outbox rows, notices, planned
reminders and deadlines. Prints cases/s, ms per step (p50, p95), SQL statements and transactions
per step; statements count BEGIN and COMMIT (SQLite issues BEGIN itself; PostgreSQL's driver
does, so one per transaction is added there). Uses a throw-away SQLite database in WAL mode
(the embedded default) or DATABASE_URL (point it at a scratch database: it is flushed).

Each step acts as a user read fresh from the database, as a request's would be: the role lookups
an action makes are counted, as in the API.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-promotion-"))

STEPS = ("apply", "nominate", "approve", "confirm")


@dataclass
class StepStats:
    times: list = field(default_factory=list)
    statements: int = 0
    transactions: int = 0

    def add(self, seconds, statements, transactions):
        self.times.append(seconds)
        self.statements += statements
        self.transactions += transactions


@dataclass
class Result:
    label: str
    cases: int
    seconds: float
    steps: dict

    @property
    def rate(self):
        return self.cases / self.seconds

    def all_times(self):
        return [t for s in self.steps.values() for t in s.times]


class Counter:
    """Statements and transactions of a block: a connection execute wrapper for the statements,
    the backend's commit/rollback for the transactions."""

    def __init__(self, connection):
        self.connection = connection
        self.statements = 0
        self.begins = 0
        self.transactions = 0

    def __call__(self, execute, sql, params, many, context):
        if sql.strip().upper().startswith("BEGIN"):
            self.begins += 1
        else:
            self.statements += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self.statements = self.begins = self.transactions = 0
        wrapper = self.connection.execute_wrapper(self)
        self._wrapper = wrapper
        wrapper.__enter__()
        conn = self.connection
        self._commit, self._rollback = conn._commit, conn._rollback

        def commit():
            self.transactions += 1
            return self._commit()

        def rollback():
            self.transactions += 1
            return self._rollback()

        conn._commit, conn._rollback = commit, rollback
        return self

    def __exit__(self, *exc):
        conn = self.connection
        conn._commit, conn._rollback = self._commit, self._rollback
        self._wrapper.__exit__(*exc)

    @property
    def total(self):
        # BEGIN + COMMIT of every transaction: SQLite sends BEGIN through the cursor (counted in
        # `begins`), psycopg sends it itself.
        return self.statements + 2 * self.transactions


def setup_django(journal: str = "wal", extra_apps=()):
    import django
    from django.conf import settings

    if extra_apps:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, *extra_apps]
    django.setup()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEBUG = False
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA journal_mode={journal}")
    return connection


def prepare_database():
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        from policy.services import install_default_pack

        call_command("flush", verbosity=0, interactive=False)
        install_default_pack()  # the flush took the data migrations' rows too


def build_agents(org, n: int, prefix: str):
    from tests.orgdata import employee, give_scores

    agents = []
    for i in range(n):
        agent = employee(f"{prefix}{i}", department=org.cs, level="junior")
        give_scores(agent, [85, 92, 88, 93, 86])  # PROMO-2: eligible for intermediate
        agents.append(agent)
    return agents


def measure(stats: StepStats, counter: Counter, func):
    """Run `func` once, adding its time, statements and transactions to `stats`."""
    start = time.perf_counter()
    with counter:
        value = func()
    stats.add(time.perf_counter() - start, counter.total, counter.transactions)
    return value


def one_case(org, agent, counter, stats):
    from django.utils import timezone

    from approvals.db import whole_transaction
    from approvals.promotion import services
    from workflows.engine import run_action, start_flow
    from workflows.promotion import PromotionFlow

    def step(name, func):
        return measure(stats[name], counter, func)

    applicant = type(agent.user).objects.get(pk=agent.user.pk)

    def apply():  # as POST /api/v1/promotions/ does
        with whole_transaction():
            promotion = services.promotion_submit(
                actor=applicant, target_level="intermediate", statement="bench"
            )
            start_flow(flow_class=PromotionFlow, case=promotion)
        return promotion

    def act(name, actor, case, **payload):
        # A fresh user, as a request's (read by the authentication before the action): what
        # the action asks of it (its roles) is counted, as in the API.
        actor = type(actor).objects.get(pk=actor.pk)
        return lambda: run_action(
            flow_class=PromotionFlow,
            actions=PromotionFlow.actions,
            case=case,
            name=name,
            actor=actor,
            **payload,
        )

    case = step("apply", apply)
    case = step("nominate", act("nominate", org.lead.user, case, comment=""))
    case = step("approve", act("approve", org.gm.user, case, comment=""))
    today = timezone.localdate().isoformat()
    case = step("confirm", act("confirm", org.admin.user, case, effective_date=today))
    case.refresh_from_db()
    assert case.state == "effective", case.state


def run_engine(n: int, org, agents, label="this project") -> Result:
    from django.db import connection

    counter = Counter(connection)
    stats = {name: StepStats() for name in STEPS}
    start = time.perf_counter()
    for agent in agents[:n]:
        one_case(org, agent, counter, stats)
    return Result(label, n, time.perf_counter() - start, stats)


def report(result: Result) -> None:
    steps = result.steps
    n = result.cases
    all_ms = [t * 1000 for t in result.all_times()]
    print(
        f"{result.label}: {result.cases} cases in {result.seconds:.2f} s = "
        f"{result.rate:.1f} cases/s; ms/step p50 {statistics.median(all_ms):.1f}, "
        f"p95 {_p95(all_ms):.1f}"
    )
    print(f"  {'step':<10} {'p50 ms':>7} {'p95 ms':>7} {'SQL':>5} {'txns':>5}")
    total_sql = total_tx = 0
    for name, s in steps.items():
        ms = [t * 1000 for t in s.times]
        total_sql += s.statements
        total_tx += s.transactions
        print(
            f"  {name:<10} {statistics.median(ms):>7.1f} {_p95(ms):>7.1f}"
            f" {s.statements / n:>5.1f} {s.transactions / n:>5.1f}"
        )
    print(
        f"  {'per case':<10} {'':>7} {'':>7} {total_sql / n:>5.1f} {total_tx / n:>5.1f}"
        f"   (per human step: {total_sql / n / len(steps):.1f} SQL)"
    )


def _p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if "--http" in argv:
        from benchmarks.promotion_http import main as http_main

        return http_main([a for a in argv if a != "--http"])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--journal", default="wal", choices=["wal", "delete"])
    args = parser.parse_args(argv)
    connection = setup_django(args.journal)
    prepare_database()
    from tests.orgdata import build_org

    org = build_org()
    print(
        f"database: {connection.vendor}"
        + (f" ({args.journal})" if connection.vendor == "sqlite" else "")
    )
    warm = build_agents(org, 5, "warm")
    run_engine(5, org, warm)
    results = []
    for r in range(args.rounds):
        agents = build_agents(org, args.n, f"r{r}-")
        results.append(run_engine(args.n, org, agents))
    best = sorted(results, key=lambda x: x.rate)[len(results) // 2]
    print(f"median of {args.rounds} rounds:")
    report(best)


if __name__ == "__main__":
    main()
