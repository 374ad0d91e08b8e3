"""Inbox cost by number of open tasks: the API's rows (`inbox_for`) and the 待办 page (`/inbox/`,
rendered with its header counts and first page of 25): queries (deterministic) and wall time
(informative).

Run:  .venv/bin/python benchmarks/inbox.py [N ...]      (default 2 200 2000)
Uses a throw-away SQLite database (or DATABASE_URL if set: point it at a scratch database).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-inbox-"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def main(sizes):
    call_command("migrate", verbosity=0)
    from approvals.promotion import services
    from tests.orgdata import build_org, employee
    from workflows.engine import start_flow
    from workflows.inbox import inbox_for
    from workflows.promotion import PromotionFlow

    org = build_org()
    made = 0
    from django.test import Client

    page = Client()
    page.force_login(org.lead.user)
    print(
        f"{'open tasks':>10} {'API queries':>12} {'API ms':>8} {'page queries':>13} {'page ms':>8}"
    )
    for size in sizes:
        while made < size:
            agent = employee(f"bench{made}", department=org.cs)
            promotion = services.promotion_submit(
                actor=agent.user,
                target_level="intermediate",
                statement="s",
                skip_level_reason="bench",
            )
            start_flow(flow_class=PromotionFlow, case=promotion)
            made += 1
        user = type(org.lead.user).objects.get(pk=org.lead.user.pk)
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            rows = inbox_for(user)
        assert len(rows) == size
        best = min(_timed(inbox_for, type(user).objects.get(pk=user.pk)) for _ in range(5))
        counter = _Counter()
        with connection.execute_wrapper(counter):
            assert page.get("/inbox/").status_code == 200
        page_best = min(_timed(page.get, "/inbox/") for _ in range(5))
        print(
            f"{size:>10} {len(ctx.captured_queries):>12} {best * 1000:>8.1f}"
            f" {counter.n:>13} {page_best * 1000:>8.1f}"
        )
    print("(ms: best of 5 runs)")


class _Counter:
    """Counts the statements a block runs (a connection execute wrapper)."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def _timed(func, *args):
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [2, 200, 2000])
