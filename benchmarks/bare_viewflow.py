"""This project's promotion case beside a bare viewflow flow of 4 human steps, in the same process
and database settings; prints both and the ratio.

Run:  .venv/bin/python benchmarks/bare_viewflow.py [N] [--rounds R] [--journal wal|delete]
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/hr_bench .venv/bin/python benchmarks/bare_viewflow.py

The bare flow (benchmarks/bareflow.py) carries nothing but viewflow's process and task rows; each
of its steps is completed as viewflow completes a human task: under the flow lock, the task
started and executed, the next one created. Its "apply" step starts the process and completes
the first task (this project's starts the process with the case). This project's case (benchmarks/promotion.py) carries
the domain state, the audit chain, deadlines, outbox events and the role checks as well.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-bare-"))

from benchmarks import promotion as bench  # noqa: E402

BARE_STEPS = ("apply", "nominate", "approve", "confirm")


def run_bare(n: int, user) -> "bench.Result":
    from django.db import connection, transaction
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from benchmarks.bareflow import BareFlow

    counter = bench.Counter(connection)
    stats = {name: bench.StepStats() for name in BARE_STEPS}

    def step(name, func):
        return bench.measure(stats[name], counter, func)

    def complete(process, node, actor):
        with transaction.atomic(), BareFlow.lock(process.pk):
            task = Task.objects.get(process=process, flow_task=node, status=STATUS.ASSIGNED)
            # As viewflow's task view does before it runs a human task.
            assert task.flow_task.can_execute(actor, task)
            activation = task.flow_task.activation_class(task)
            activation.start(None)
            activation.execute()

    start = time.perf_counter()

    def actor():
        # A fresh user per step, as a request's authentication reads it (this project's driver
        # does the same, outside the step's own time).
        return type(user).objects.get(pk=user.pk)

    def start_and_apply(applicant):  # the process is started with its first step, as a case is
        process = BareFlow.start.run(_process_data={"user": user.pk})
        complete(process, BareFlow.apply, applicant)
        return process

    for _ in range(n):
        applicant = actor()
        process = step("apply", lambda a=applicant: start_and_apply(a))
        for name in BARE_STEPS[1:]:
            who = actor()
            step(name, lambda p=process, name=name, a=who: complete(p, getattr(BareFlow, name), a))
        process.refresh_from_db()
        assert process.status == STATUS.DONE, process.status
    return bench.Result("bare viewflow", n, time.perf_counter() - start, stats)


def main():
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--journal", default="wal", choices=["wal", "delete"])
    args = parser.parse_args()
    # viewflow finds a flow through its app: the bare flow's module is an app for this run only.
    connection = bench.setup_django(args.journal, extra_apps=["benchmarks"])
    bench.prepare_database()
    from tests.orgdata import build_org

    org = build_org()
    label = connection.vendor + (f" ({args.journal})" if connection.vendor == "sqlite" else "")
    print(f"database: {label}")
    run_bare(5, org.lead.user)
    bench.run_engine(5, org, bench.build_agents(org, 5, "warm"))
    ours, bare = [], []
    for r in range(args.rounds):
        # Paired rounds, the order alternating: a machine that slows down or speeds up during
        # the run moves both sides of a round, and neither always runs first.
        runs = [
            lambda: bare.append(run_bare(args.n, org.lead.user)),
            lambda r=r: ours.append(
                bench.run_engine(args.n, org, bench.build_agents(org, args.n, f"r{r}-"))
            ),
        ]
        for run in runs if r % 2 == 0 else runs[::-1]:
            run()
    mid = args.rounds // 2
    bare_m = sorted(bare, key=lambda x: x.rate)[mid]
    ours_m = sorted(ours, key=lambda x: x.rate)[mid]
    print(f"median of {args.rounds} paired rounds (the bare flow and this project in each):")
    bench.report(bare_m)
    bench.report(ours_m)
    sql = {r.label: sum(s.statements for s in r.steps.values()) / r.cases for r in (bare_m, ours_m)}
    rates = sorted(o.rate / b.rate for o, b in zip(ours, bare, strict=True))
    print(
        f"ratio: this project ÷ bare viewflow in cases/s = {rates[mid]:.2f}× (median of the "
        f"rounds' ratios; {rates[0]:.2f}–{rates[-1]:.2f}; above 1: faster); SQL per case "
        f"{sql['this project']:.0f} vs {sql['bare viewflow']:.0f}; ms/step p50 "
        f"{statistics.median(ours_m.all_times()) * 1000:.1f} vs "
        f"{statistics.median(bare_m.all_times()) * 1000:.1f}"
    )
    # cases/s counts the time between steps too, where both drivers read each step's actor
    # afresh, as a request's authentication would; the steps' own time per case compares the
    # engines alone.
    in_steps = sorted(
        sum(b.all_times()) / sum(o.all_times()) for o, b in zip(ours, bare, strict=True)
    )
    per_case = {r.label: sum(r.all_times()) / r.cases * 1000 for r in (bare_m, ours_m)}
    print(
        f"time in the steps per case: this project {per_case['this project']:.2f} ms, bare "
        f"viewflow {per_case['bare viewflow']:.2f} ms; ratio {in_steps[mid]:.2f}× (median of the "
        f"rounds'; {in_steps[0]:.2f}–{in_steps[-1]:.2f}; above 1: faster)"
    )


if __name__ == "__main__":
    main()
