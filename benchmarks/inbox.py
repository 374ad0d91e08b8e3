"""The inbox and the lists against the number of open tasks, 100 to 100,000: `GET /api/v1/inbox/`,
the 待办 and 待领取 pages and every list of the API, each as four people: statements per request
(deterministic) and p50/p95 ms; at the end the ratio p50(largest)/p50(smallest) per endpoint.

Run:  .venv/bin/python benchmarks/inbox.py [N ...] [--repeat R] [--budget S] [--explain]
                                           [--analyze] [--keep]
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/hr_bench_inbox .venv/bin/python \
          benchmarks/inbox.py --explain
Sizes default to 100 1000 10000 100000 open human tasks, built up in one database and measured
at each size. Uses a throw-away SQLite database in WAL mode (removed at the end unless --keep),
or DATABASE_URL (a scratch database: it is flushed first). `--page-size K` asks the API's lists
and inbox for pages of K rows, so that the GM office and the big lead, whose answers grow with N
up to a full page, are compared at equal answers. 100,000 takes about 7 minutes on
PostgreSQL and 12 on SQLite, most of it measuring.

The data: 50 departments, each with its lead, plus the GM office, administration and a trainer.
A "unit" is what one department's day leaves open, made through the API and the engine as a
person would (POST .../promotions/, .../nominate/, leaves, punch-corrections, shift-swaps,
penalties, then `probation_start` and the outbox dispatch that writes notices and reminders):
two promotions (one waiting for the lead, one nominated and queued for the GM office), a leave,
a missed-punch make-up, a shift swap waiting for the colleague's consent, a penalty (sign and
object tasks) and a probation (the lead's assessment, the trainers' exam queue): 9 open human
tasks, 4 of them the lead's (its viewflow timers are copied too; nothing fires them here).
Eleven units are made that way (the first size, 100), three in the measured lead's department
`cs`. Every larger size adds copies of those units' rows (cases, viewflow processes and tasks,
deadlines, audit events, notices, reminders, the new employees with their scores) with
bulk_create, into other departments: a tenth into `big`, the rest spread over 48.

Who is measured:
- lead: lead of `cs`, whose department stays the same size (12 tasks in the inbox): the cost
  of other departments' work on one lead's inbox and lists;
- agent: an employee of `cs` with a case of every kind (2 open tasks);
- biglead: lead of `big`, whose own inbox and department grow with N (a tenth of all units);
- gm: the GM office, who sees every case and whose role queue (GM review) grows with N.

The API is called with a token (`Authorization: Token`), the pages with a session. The API
inbox answers its first page (50 rows, ordered and cut in SQL); the case lists answer their
newest 200; notices are paginated (30).
On PostgreSQL the tables are vacuumed and ANALYZEd after each growth (as autovacuum would after
that many inserts: statistics, and the visibility map an index-only count needs); SQLite gets no
ANALYZE (the application never runs one) unless `--analyze` is given, which shows what
planner statistics (sqlite_stat1) change there. `--explain` prints, for every endpoint whose p50
grows more than 2x or whose statement count grows, its slowest statements at the largest size
with their plan (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite).
"""

import argparse
import datetime as dt
import hashlib
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "VAR_DIR" not in os.environ:
    os.environ["VAR_DIR"] = THROW_AWAY = tempfile.mkdtemp(prefix="bench-inbox-")
else:
    THROW_AWAY = None

from benchmarks.promotion import prepare_database, setup_django  # noqa: E402

SIZES = (100, 1000, 10000, 100000)
DEPARTMENTS = 50
TEMPLATE_UNITS = {"cs": 3, "big": 1, **{f"d{i:02}": 1 for i in range(2, 9)}}
BIG_SHARE = 10  # one copy in this many goes to `big`
FLUSH_UNITS = 400  # copies per bulk insert round
USERS = ("lead", "agent", "biglead", "gm")
ENDPOINTS = (
    ("api inbox", "/api/v1/inbox/"),
    ("page /inbox/", "/inbox/"),
    ("page /queue/", "/queue/"),
    ("promotions", "/api/v1/promotions/"),
    ("probations", "/api/v1/probations/"),
    ("leaves", "/api/v1/leaves/"),
    ("shift-swaps", "/api/v1/shift-swaps/"),
    ("punch-corrections", "/api/v1/punch-corrections/"),
    ("penalties", "/api/v1/penalties/"),
    ("notices", "/api/v1/notices/"),
    ("employees", "/api/v1/employees/"),
)
# Rows a unit writes that the copies leave out: the outbox (already dispatched), log-ins.
NOT_COPIED = {
    "approvals.outboxevent",
    "notifications.outboxmessage",
    "sessions.session",
    "authtoken.token",
    "admin.logentry",
}


def configure():
    """Settings as the test suite has them (conftest.py): pages served over plain http by the
    test client, static files from the apps."""
    from django.conf import settings

    from tests.plainhttp import serve_plain_http

    serve_plain_http(settings)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


# --- the organisation and the units made through the engine ------------------------------------


@dataclass
class Org:
    departments: dict  # code -> Department
    leads: dict  # code -> Employee
    gm: object
    agent: object = None


def build_org() -> Org:
    from tests.factories import DepartmentFactory
    from tests.orgdata import employee

    staff = {code: DepartmentFactory(code=code, name=code) for code in ("gmo", "adm", "trn")}
    gm = employee("gm", department=staff["gmo"], level=None, roles=["gm_office"])
    employee("admin1", department=staff["adm"], level=None, roles=["administration"])
    employee("trainer", department=staff["trn"], level="senior", roles=["trainer"])
    codes = ["cs", "big", *[f"d{i:02}" for i in range(2, DEPARTMENTS)]]
    departments, leads = {}, {}
    for code in codes:
        department = DepartmentFactory(code=code, name=f"部门 {code}")
        username = {"cs": "lead", "big": "biglead"}.get(code, f"lead-{code}")
        lead = employee(
            username, department=department, level="reserve_supervisor", roles=["department_lead"]
        )
        department.lead = lead
        department.save()
        departments[code], leads[code] = department, lead
    return Org(departments, leads, gm)


@dataclass
class Unit:
    """The rows one unit wrote, by model (`values()` dicts), and whose they are."""

    department_id: int
    lead_id: int
    lead_user_id: int
    rows: dict
    open_tasks: int


def _models():
    from django.apps import apps

    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.pk.get_internal_type() in ("AutoField", "BigAutoField")
        and not m._meta.proxy
        and m._meta.label_lower not in NOT_COPIED
        and m._meta.app_label != "axes"
    ]


def _high_water() -> dict:
    return {
        m: m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0 for m in _models()
    }


def _api(person):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(person.user)
    return client


def _ok(response):
    assert response.status_code in (200, 201), (response.status_code, response.content[:400])
    return response.json()


def real_unit(org, code: str, index: int) -> Unit:
    """One unit of open work in department `code`, made as the API makes it."""
    from django.utils import timezone
    from viewflow.workflow.models import Task

    from notifications.events import dispatch_events
    from tests.orgdata import employee, give_scores
    from workflows.inbox import OPEN
    from workflows.probation import probation_start

    department, lead = org.departments[code], org.leads[code]
    before = _high_water()
    a0, a1 = (employee(f"{code}-{index}-a{i}", department=department) for i in (0, 1))
    for person in (a0, a1):
        give_scores(person, [85, 92, 88, 93, 86])  # PROMO-2: eligible for intermediate
    trainee = employee(f"{code}-{index}-p", department=department, level="probationer")
    if org.agent is None:
        org.agent = a0
    now = timezone.localtime()
    monday = (now + dt.timedelta(days=7 - now.weekday())).replace(
        hour=9, minute=0, second=0, microsecond=0
    )

    def at(days, hours=0):
        return (monday + dt.timedelta(days=days, hours=hours)).isoformat()

    promotion = {"target_level": "intermediate", "statement": "申请晋升"}
    _ok(_api(a0).post("/api/v1/promotions/", promotion, format="json"))
    nominated = _ok(_api(a1).post("/api/v1/promotions/", promotion, format="json"))
    _ok(
        _api(lead).post(
            f"/api/v1/promotions/{nominated['id']}/nominate/", {"comment": "推荐"}, format="json"
        )
    )
    leave = {"kind": "personal", "start": at(0), "end": at(0, 9), "reason": "家中有事"}
    _ok(_api(a0).post("/api/v1/leaves/", leave, format="json"))
    missed = (now - dt.timedelta(hours=20)).isoformat()
    _ok(
        _api(a0).post(
            "/api/v1/punch-corrections/", {"missed_at": missed, "reason": "忘记打卡"}, format="json"
        )
    )
    swap = {
        "colleague": a1.pk,
        "shift_start": at(2),
        "shift_end": at(2, 9),
        "colleague_shift_start": at(3),
        "colleague_shift_end": at(3, 9),
        "reason": "家里有事",
    }
    _ok(_api(a0).post("/api/v1/shift-swaps/", swap, format="json"))
    penalty = {
        "employee": a0.pk,
        "facts": "迟到 25 分钟",
        "rule": "考勤制度 第3条",
        "sanction": "verbal_warning",
        "evidence": "打卡记录",
    }
    _ok(_api(lead).post("/api/v1/penalties/", penalty, format="json"))
    probation_start(employee=trainee)
    dispatch_events()
    rows = {}
    for model, high in before.items():
        found = list(model.objects.filter(pk__gt=high).order_by("pk").values())
        if found:
            rows[model] = found
    open_tasks = sum(
        1
        for row in rows.get(Task, ())
        if row["flow_task_type"] == "HUMAN" and row["status"] in OPEN
    )
    return Unit(department.pk, lead.pk, lead.user_id, rows, open_tasks)


# --- copies with bulk_create -------------------------------------------------------------------


class Copier:
    """Copies units into departments: every row gets a new id; references to the unit's own rows
    (foreign keys, a process's artifact, (case_type, case_id) pairs, task ids, task data, links)
    follow; the unit's department and lead become the target's; unique values are made new."""

    def __init__(self):
        from django.contrib.auth import get_user_model
        from django.contrib.contenttypes.models import ContentType
        from viewflow.workflow.models import Process, Task

        from org.models import Department, Employee
        from workflows.site import FLOWS

        self.User, self.Employee, self.Department = get_user_model(), Employee, Department
        self.Task, self.Process = Task, Process
        self.case_models = {f.case_model._meta.model_name: f.case_model for f in FLOWS}
        self.by_resource = {f.resource: f.case_model._meta.model_name for f in FLOWS}
        self.content_types = {
            ct.pk: ct.model_class() for ct in ContentType.objects.all() if ct.model_class()
        }
        self.next_id = {m: high + 1 for m, high in _high_water().items()}
        self.pending = defaultdict(list)
        self.plans = {}
        self.copies = 0

    def _plan(self, model):
        if model in self.plans:
            return self.plans[model]
        names = {f.name for f in model._meta.concrete_fields}
        plan = []
        for f in model._meta.concrete_fields:
            if f.primary_key:
                continue
            if f.is_relation:
                plan.append((f.attname, "fk", f.related_model._meta.concrete_model))
            elif f.name == "case_id" and "case_type" in names:
                plan.append((f.attname, "case", None))
            elif f.name == "artifact_object_id":
                plan.append((f.attname, "artifact", None))
            elif f.name == "task_id":
                plan.append((f.attname, "task", None))
            elif model is self.Task and f.name == "data":
                plan.append((f.attname, "data", None))
            elif f.name == "url":
                plan.append((f.attname, "url", None))
            elif f.unique:
                plan.append((f.attname, "unique", f))
        self.plans[model] = plan
        return plan

    def copy(self, unit: Unit, department) -> None:
        self.copies += 1
        n = self.copies
        ids = {}
        for model, rows in unit.rows.items():
            start = self.next_id[model]
            self.next_id[model] = start + len(rows)
            ids[model] = {row["id"]: start + i for i, row in enumerate(rows)}
        ids.setdefault(self.Employee, {})[unit.lead_id] = department.lead_id
        ids.setdefault(self.User, {})[unit.lead_user_id] = department.lead.user_id
        ids[self.Department] = {unit.department_id: department.pk}
        cases = {name: ids.get(model, {}) for name, model in self.case_models.items()}
        tasks, users = ids.get(self.Task, {}), ids[self.User]
        for model, rows in unit.rows.items():
            plan, own = self._plan(model), ids[model]
            out = self.pending[model]
            for row in rows:
                new = dict(row)
                new["id"] = own[row["id"]]
                for attname, kind, extra in plan:
                    value = row[attname]
                    if value is None:
                        continue
                    if kind == "fk":
                        new[attname] = ids.get(extra, {}).get(value, value)
                    elif kind == "case":
                        new[attname] = cases.get(row["case_type"], {}).get(value, value)
                    elif kind == "artifact":
                        target = self.content_types.get(row["artifact_content_type_id"])
                        new[attname] = ids.get(target, {}).get(value, value)
                    elif kind == "task":
                        new[attname] = tasks.get(value, value)
                    elif kind == "data" and isinstance(value, dict):
                        new[attname] = {
                            k: users.get(v, v) if k in ("user", "acting_for") else v
                            for k, v in value.items()
                        }
                    elif kind == "url":
                        new[attname] = self._link(value, cases)
                    elif kind == "unique":
                        new[attname] = self._unique(extra, value, n)
                out.append(model(**new))

    def _link(self, url: str, cases) -> str:
        match = re.match(r"^/([a-z-]+)/(\d+)/", url)
        if not match or match[1] not in self.by_resource:
            return url
        case_id = cases[self.by_resource[match[1]]].get(int(match[2]), int(match[2]))
        return f"/{match[1]}/{case_id}/{url[match.end() :]}"

    @staticmethod
    def _unique(f, value, n):
        if f.null:
            return None
        if f.name == "username":
            return f"{value}.c{n}"
        return hashlib.sha256(f"{value}/{n}".encode()).hexdigest()[: f.max_length or 64]

    def flush(self) -> None:
        from django.core.management.color import no_style
        from django.db import connection, transaction

        if not self.pending:
            return
        with transaction.atomic():
            for model, objs in self.pending.items():
                model.objects.bulk_create(objs, batch_size=2000)
        models = list(self.pending)
        self.pending = defaultdict(list)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)


def open_tasks() -> int:
    from viewflow.workflow.models import Task

    from workflows.inbox import OPEN

    return Task.objects.filter(flow_task_type="HUMAN", status__in=OPEN).count()


def grow(org, copier, units, size: int, analyze: bool) -> int:
    """Copies of the units until `size` open human tasks (the last copy may pass it)."""
    from django.db import connection

    current = open_tasks()
    per_unit = units[0].open_tasks
    needed = max(0, -(-(size - current) // per_unit))
    others = [code for code in org.departments if code not in ("cs", "big")]
    sources = [u for u in units if u.department_id != org.departments["cs"].pk]
    for i in range(needed):
        code = "big" if i % BIG_SHARE == 0 else others[i % len(others)]
        copier.copy(sources[i % len(sources)], org.departments[code])
        if (i + 1) % FLUSH_UNITS == 0:
            copier.flush()
    copier.flush()
    if connection.vendor == "postgresql":
        # What autovacuum does after this many inserts (autovacuum_vacuum_insert_threshold): the
        # statistics, and the visibility map that lets a count read the index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    elif analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return open_tasks()


# --- measuring ---------------------------------------------------------------------------------


class Statements:
    """A connection execute wrapper: counts the statements of a block; with `keep`, also each
    statement's SQL, parameters and time."""

    def __init__(self, keep=False):
        self.n = 0
        self.keep = keep
        self.log = []

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if self.keep:
                self.log.append((time.perf_counter() - start, sql, params))


@dataclass
class Sample:
    statements: int
    rows: int | None
    times: list = field(default_factory=list)

    @property
    def p50(self):
        return statistics.median(self.times) * 1000

    @property
    def p95(self):
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def clients(org):
    from django.test import Client
    from rest_framework.authtoken.models import Token

    people = {
        "lead": org.leads["cs"],
        "agent": org.agent,
        "biglead": org.leads["big"],
        "gm": org.gm,
    }
    result = {}
    for name, person in people.items():
        token, _ = Token.objects.get_or_create(user=person.user)
        api = Client(headers={"Authorization": f"Token {token.key}"})
        page = Client()
        page.force_login(person.user)
        result[name] = (api, page)
    return result


def _get(client_pair, path):
    api, page = client_pair
    response = (api if path.startswith("/api/") else page).get(path)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return response


def _rows(response):
    if response["Content-Type"].startswith("application/json"):
        data = response.json()
        return len(data["results"]) if isinstance(data, dict) else len(data)
    return None


def measure(client_pair, path, repeat: int, budget: float) -> Sample:
    from django.db import connection

    # Counted on a second request: the first after a growth may refill a cache whose time ran
    # out while the rows were copied (a statement that is the TTL's, not N's).
    _get(client_pair, path)
    counter = Statements()
    with connection.execute_wrapper(counter):
        response = _get(client_pair, path)
    sample = Sample(counter.n, _rows(response))
    spent = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        _get(client_pair, path)
        elapsed = time.perf_counter() - start
        sample.times.append(elapsed)
        spent += elapsed
        if spent > budget and len(sample.times) >= 5:
            break
    return sample


def measure_all(people, repeat, budget) -> dict:
    return {
        (label, user): measure(people[user], path, repeat, budget)
        for label, path in ENDPOINTS
        for user in USERS
    }


def print_table(size, tasks, results):
    head = "".join(f" | {user:^26}" for user in USERS)
    print(f"\n== {tasks} open tasks (target {size}) ==")
    print(f"{'endpoint':<18}{head}")
    sub = "".join(f" | {'stmts':>5} {'p50':>7} {'p95':>7} {'rows':>4}" for _ in USERS)
    print(f"{'':<18}{sub}")
    for label, _path in ENDPOINTS:
        cells = ""
        for user in USERS:
            s = results[(label, user)]
            rows = (
                "" if s.rows is None else (str(s.rows) if s.rows < 10000 else f"{s.rows // 1000}k")
            )
            cells += f" | {s.statements:>5} {s.p50:>7.1f} {s.p95:>7.1f} {rows:>4}"
        print(f"{label:<18}{cells}")
    print("(ms; p50/p95 over up to the --repeat requests; rows: JSON rows answered)")


def print_ratios(history):
    (first_n, first), (prev_n, prev), (last_n, last) = history[0], history[-2], history[-1]
    print(
        f"\n== p50 at {last_n} tasks / p50 at {first_n} (and / p50 at {prev_n}); statements at"
        f" {first_n} -> {last_n} =="
    )
    print(f"{'endpoint':<18}" + "".join(f" | {user:^23}" for user in USERS))
    flagged = []
    for label, path in ENDPOINTS:
        cells = ""
        for user in USERS:
            a, b = first[(label, user)], last[(label, user)]
            ratio, recent = b.p50 / a.p50, b.p50 / prev[(label, user)].p50
            counts = [h[(label, user)].statements for _t, h in history]
            grows = len(set(counts)) > 1
            mark = "*" if ratio > 2 or grows else " "
            cells += f" | {ratio:>6.1f}x{mark}{f'({recent:.1f}x)':>7} {a.statements:>3}->{b.statements:<4}"
            if ratio > 2 or grows:
                flagged.append((label, path, user, ratio, counts))
        print(f"{label:<18}{cells}")
    print("(* p50 more than 2x, or a statement count that changed with N)")
    return flagged


def explain(people, flagged, top: int = 3) -> None:
    """The slowest statements of each flagged endpoint, with their plan."""
    from django.db import connection

    print("\n== slowest statements of the flagged endpoints, with their plan ==")
    for label, path, user, ratio, counts in flagged:
        recorder = Statements(keep=True)
        with connection.execute_wrapper(recorder):
            _get(people[user], path)
        print(f"\n-- {label} as {user}: p50 x{ratio:.1f}, statements {counts}")
        shapes = defaultdict(int)
        for _t, sql, _p in recorder.log:
            shapes[sql] += 1
        repeated = [(n, sql) for sql, n in shapes.items() if n > 1]
        for n, sql in sorted(repeated, reverse=True)[:3]:
            print(f"   repeated {n}x: {_short(sql)}")
        for seconds, sql, params in sorted(recorder.log, key=lambda x: -x[0])[:top]:
            print(f"   {seconds * 1000:.1f} ms: {_short(sql)}")
            for line in _plan(connection, sql, params):
                print(f"      {line}")


def _short(sql: str, limit: int = 700) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= limit else sql[:limit] + " ..."


def _plan(connection, sql, params) -> list[str]:
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return [row[0] for row in rows]
    return [f"{'  ' * _depth(rows, row)}{row[-1]}" for row in rows]


def _depth(rows, row) -> int:
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent in parents:
        depth, parent = depth + 1, parents[parent]
    return depth


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=20, help="requests per endpoint and user")
    parser.add_argument(
        "--budget",
        type=float,
        default=10.0,
        help="stop an endpoint's requests after this many seconds (and at least 5 requests)",
    )
    parser.add_argument("--explain", action="store_true", help="plans of the flagged endpoints")
    parser.add_argument("--analyze", action="store_true", help="SQLite: ANALYZE after each growth")
    parser.add_argument("--keep", action="store_true", help="keep the throw-away SQLite database")
    parser.add_argument(
        "--page-size",
        type=int,
        help="ask every API list and the API inbox for pages of this size (?page_size=): "
        "the users whose answer grows with N then answer as many rows at every size",
    )
    args = parser.parse_args(argv)
    if args.page_size:
        global ENDPOINTS
        ENDPOINTS = tuple(
            (label, f"{path}?page_size={args.page_size}" if path.startswith("/api/") else path)
            for label, path in ENDPOINTS
        )
    try:
        run(args)
    finally:
        if THROW_AWAY and not args.keep:
            shutil.rmtree(THROW_AWAY, ignore_errors=True)
        elif THROW_AWAY:
            print(f"database kept in {THROW_AWAY}")


def run(args):
    connection = setup_django()
    configure()
    prepare_database()
    print(f"database: {connection.vendor}" + (" (ANALYZE)" if args.analyze else ""))
    start = time.perf_counter()
    org = build_org()
    units = [
        real_unit(org, code, i) for code, count in TEMPLATE_UNITS.items() for i in range(count)
    ]
    copier = Copier()
    print(
        f"{len(units)} units through the API in {time.perf_counter() - start:.1f} s, "
        f"{units[0].open_tasks} open tasks each; a copy writes "
        + ", ".join(f"{len(rows)} {m._meta.label}" for m, rows in units[-1].rows.items())
    )
    people = clients(org)
    history = []
    for size in sorted(args.sizes):
        start = time.perf_counter()
        tasks = grow(org, copier, units, size, args.analyze)
        built = time.perf_counter() - start
        start = time.perf_counter()
        if not history:  # a first pass warms the process (templates, translations, plans)
            measure_all(people, 3, args.budget)
        results = measure_all(people, args.repeat, args.budget)
        print_table(size, tasks, results)
        paged = _rows(_get(people["gm"], "/api/v1/inbox/?page=1&page_size=25"))
        print(
            f"(built in {built:.1f} s, measured in {time.perf_counter() - start:.1f} s;"
            f" /api/v1/inbox/?page=1&page_size=25 answers gm {paged} rows)"
        )
        history.append((tasks, results))
    flagged = print_ratios(history if len(history) > 1 else history * 2)
    if args.explain and flagged:
        explain(people, flagged)


if __name__ == "__main__":
    main()
