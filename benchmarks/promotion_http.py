"""Full promotion cases through the REST API under gunicorn: apply → nominate → GM approve →
confirm, as benchmarks/promotion.py drives them in-process, but each step one HTTP request.

Run:  .venv/bin/python benchmarks/promotion_http.py [N] [--rounds R] [--workers W] [--journal wal|delete]
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/hr_bench_http .venv/bin/python benchmarks/promotion_http.py

The database is prepared as benchmarks/promotion.py prepares it: a throw-away SQLite file in WAL
mode under a temporary VAR_DIR (the embedded default), or DATABASE_URL (point it at a scratch
database: it is flushed). The organisation (tests/orgdata.py), the eligible agents of every round
and an API token for every actor are made before the server starts, so only the requests write
while it serves. gunicorn then serves config.wsgi with config/gunicorn.conf.py on a free port of
127.0.0.1 (W workers, default 2, of GUNICORN_THREADS threads), on the same database and VAR_DIR
(so the same SECRET_KEY and AUDIT_KEY files), in production mode (DEBUG off), with only the
HTTPS defaults that plain http cannot meet switched off: SECURE_SSL_REDIRECT=0 (every request
would be a 301 to https), SECURE_HSTS_SECONDS=0 and no Secure cookies (token authentication sends
none). The throttles stay as configured: the API throttles anonymous requests and failed tokens
only, and every request here carries a valid token. DATABASE_URL is taken as given: without
`?conn_max_age=<seconds>` (django-environ) each request opens its own database connection.

One client sends the requests one after another on a kept-alive connection
(`Authorization: Token <key>`: the applicant's, the department lead's, the GM office's,
administration's), checks each status (201, then 200) and that the case ends "effective", and
times each request from sending it to having read the whole answer. Prints requests/s, cases/s
and ms per request (p50, p95) for each action, and the connections opened (1 unless gunicorn
closed one: a worker is replaced after about GUNICORN_MAX_REQUESTS requests); median of R
rounds, after a warm-up of 5 cases. gunicorn is stopped at the end, also on error; its log
(access lines end with the server's own ms) is VAR_DIR/gunicorn.log.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.promotion import (  # noqa: E402  (sets DJANGO_SETTINGS_MODULE and VAR_DIR)
    STEPS,
    Result,
    StepStats,
    _p95,
    build_agents,
    prepare_database,
    setup_django,
)

WARM = 5
READY_SECONDS = 30
STOP_SECONDS = 35  # the conf's graceful_timeout (30 s) and a margin


@dataclass
class Actors:
    """Token keys of the reviewers, and of each round's applicants."""

    lead: str
    gm: str
    admin: str
    rounds: list


def make_tokens(org, rounds_of_agents) -> Actors:
    from rest_framework.authtoken.models import Token

    def key(user):
        return Token.objects.create(user=user).key

    return Actors(
        lead=key(org.lead.user),
        gm=key(org.gm.user),
        admin=key(org.admin.user),
        rounds=[[key(agent.user) for agent in agents] for agents in rounds_of_agents],
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(port: int, workers: int) -> dict:
    """The driver's environment (DATABASE_URL or VAR_DIR, DJANGO_SETTINGS_MODULE) plus what
    plain http on 127.0.0.1 needs."""
    env = dict(os.environ)
    env.update(
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=str(workers),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
    )
    return env


class Server:
    """gunicorn as a subprocess; a context manager that stops it (SIGTERM, then SIGKILL)."""

    def __init__(self, workers: int, log_path: Path):
        self.port = free_port()
        self.workers = workers
        self.log_path = log_path
        self.process = None

    def __enter__(self):
        self.log = open(self.log_path, "ab")  # noqa: SIM115  (closed in __exit__)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "config" / "gunicorn.conf.py"),
                # The conf sets no control socket path: gunicorn's default is one per user
                # ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl), which a second instance takes
                # over and unlinks when it stops. The benchmark's server does without.
                "--no-control-socket",
                "config.wsgi",
            ],
            cwd=ROOT,
            env=server_env(self.port, self.workers),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def wait_ready(self, token: str) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}): {self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request(
                    "GET", "/api/v1/employees/me/", headers={"Authorization": f"Token {token}"}
                )
                response = conn.getresponse()
                body = response.read()
                conn.close()
                if response.status != 200:
                    raise RuntimeError(f"readiness check: {response.status} {body[:500]!r}")
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn not answering: {self.tail()}") from None
                time.sleep(0.1)

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def __exit__(self, *exc):
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)  # graceful: workers finish their requests
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.log.close()


class Client:
    """One keep-alive connection (reopened if the server closes it), JSON in and out."""

    def __init__(self, port: int):
        self.port = port
        self.connections = 0
        self.conn = None

    def _connection(self):
        if self.conn is None or self.conn.sock is None:
            if self.conn is not None:
                self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.conn.connect()
            self.connections += 1
        return self.conn

    def post(self, path: str, token: str, body: dict, expect: int):
        """POST `body`; returns (seconds, decoded answer)."""
        data = json.dumps(body).encode()
        headers = {
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        conn = self._connection()
        start = time.perf_counter()
        conn.request("POST", path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        seconds = time.perf_counter() - start
        if response.status != expect:
            raise AssertionError(
                f"POST {path}: {response.status}, expected {expect}: {raw[:500]!r}"
            )
        return seconds, json.loads(raw)

    def close(self):
        if self.conn is not None:
            self.conn.close()


def one_case(client: Client, actors: Actors, applicant: str, today: str, stats: dict) -> None:
    def step(name, path, token, body, expect=200):
        seconds, case = client.post(path, token, body, expect)
        stats[name].add(seconds, 0, 0)
        return case

    case = step(
        "apply",
        "/api/v1/promotions/",
        applicant,
        {"target_level": "intermediate", "statement": "bench"},
        expect=201,
    )
    base = f"/api/v1/promotions/{case['id']}"
    case = step("nominate", f"{base}/nominate/", actors.lead, {"comment": ""})
    case = step("approve", f"{base}/approve/", actors.gm, {"comment": ""})
    case = step("confirm", f"{base}/confirm/", actors.admin, {"effective_date": today})
    assert case["state"] == "effective", case["state"]


def run_http(client: Client, actors: Actors, applicants: list, label: str) -> Result:
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    stats = {name: StepStats() for name in STEPS}
    start = time.perf_counter()
    for applicant in applicants:
        one_case(client, actors, applicant, today, stats)
    return Result(label, len(applicants), time.perf_counter() - start, stats)


def check_effective(agents) -> None:
    """Each agent's case is effective in the database, not only in the answer."""
    from approvals.promotion.models import Promotion

    states = Promotion.objects.filter(employee__in=agents).values_list("state", flat=True)
    states = list(states)
    assert len(states) == len(agents) and set(states) == {"effective"}, states


def report(result: Result, connections: int) -> None:
    n = result.cases
    requests = n * len(result.steps)
    all_ms = [t * 1000 for t in result.all_times()]
    print(
        f"{result.label}: {n} cases, {requests} requests in {result.seconds:.2f} s = "
        f"{requests / result.seconds:.1f} requests/s, {result.rate:.1f} cases/s; "
        f"ms/request p50 {statistics.median(all_ms):.1f}, p95 {_p95(all_ms):.1f}"
    )
    print(f"  {'action':<10} {'p50 ms':>7} {'p95 ms':>7}")
    for name, s in result.steps.items():
        ms = [t * 1000 for t in s.times]
        print(f"  {name:<10} {statistics.median(ms):>7.1f} {_p95(ms):>7.1f}")
    print(f"  connections opened over the run: {connections}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--journal", default="wal", choices=["wal", "delete"])
    args = parser.parse_args(argv)
    connection = setup_django(args.journal)
    prepare_database()
    from django.conf import settings

    from tests.orgdata import build_org

    org = build_org()
    warm = build_agents(org, WARM, "warm")
    rounds = [build_agents(org, args.n, f"r{r}-") for r in range(args.rounds)]
    actors = make_tokens(org, [warm, *rounds])
    warm_tokens, round_tokens = actors.rounds[0], actors.rounds[1:]
    vendor = connection.vendor
    connection.close()  # the server's processes have the database to themselves

    log_path = Path(settings.VAR_DIR) / "gunicorn.log"
    print(
        f"database: {vendor}"
        + (f" ({args.journal})" if vendor == "sqlite" else "")
        + f"; gunicorn: {args.workers} workers (gthread), log {log_path}"
    )
    with Server(args.workers, log_path) as server:
        try:
            server.wait_ready(actors.admin)
            client = Client(server.port)
            try:
                run_http(client, actors, warm_tokens, "warm-up")
                results = []
                for r, tokens in enumerate(round_tokens):
                    results.append(run_http(client, actors, tokens, "REST API over HTTP"))
                    check_effective(rounds[r])
            finally:
                client.close()
        except Exception:
            print(f"gunicorn log (last lines):\n{server.tail()}", file=sys.stderr)
            raise
    best = sorted(results, key=lambda x: x.rate)[len(results) // 2]
    print(f"median of {args.rounds} rounds:")
    report(best, client.connections)


if __name__ == "__main__":
    main()
