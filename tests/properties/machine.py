"""The shared harness of the process state machines (issue 11 evidence).

`ProcessMachine` drives one kind of case exactly as the API does: the case must be visible to
the caller (the API answers 404 otherwise), then `workflows.engine.run_action(...)` runs the
service and completes the flow's task. Random actors — the right ones and the wrong ones — act
with random inputs from small strategies, and the clock moves (minutes to days) with a sweep of
`notifications.scheduler.sweep()` after each move. After every step the invariants below hold:

- the case's state and its open viewflow tasks agree (`expected_nodes`, written per process from
  its flow definition);
- at most one open task per (process, node, owner), and no open task on a finished case;
- a refused action (any approvals.errors.DomainError, or the API's 404 for a case the caller
  may not see) changed nothing: case row, the case's audit events, tasks, outbox, notices,
  reminders, deadlines (plus what `extra_footprint` adds);
- the audit trail replays to the state: the from/to sequence is a path ending at the state;
- nobody decided their own request (`forbidden_actions`: audit actions a party may not take).
`audit.verify()` is checked at teardown.

Database: the test function uses pytest-django's `db` fixture (one transaction per test); each
Hypothesis example opens a savepoint in `__init__` and rolls it back in `teardown`, so every
example starts from the same clean database (the default policy pack, installed by the suite's
autouse fixture, stays). The outbox events an action wrote are dispatched right after it (notices, mail, reminders),
as the next sweep would.
"""

import datetime as dt
import tempfile
import time
from collections import Counter, defaultdict

import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS

import audit
from approvals.deadlines import Deadline
from approvals.errors import DomainError
from approvals.events import OutboxEvent
from approvals.history import case_type_of
from approvals.inputs import TEXT_MAX
from audit.models import AuditEvent
from notifications.models import Notice, OutboxMessage, Reminder
from notifications.scheduler import sweep
from org.models import Department
from tests.events import dispatched
from tests.orgdata import build_org, employee
from tests.penalty.helpers import local
from workflows.engine import OPEN_TASK_STATUSES, process_for, run_action

START = local(2026, 3, 2, 10, 0)  # a Monday, company time

# Free texts: good, empty, blank, absent, one past the limit.
TEXTS = st.sampled_from(["同意，理由充分", "", "   ", None, "长" * (TEXT_MAX + 1), "ok"])
GOOD_TEXT = "理由充分"
# From a minute to more than a week: reminders, timers, objection and response windows.
MINUTES = st.sampled_from([1, 59, 60 * 5, 60 * 24, 60 * 24 * 3, 60 * 24 * 4, 60 * 24 * 8])


# Final states of the cases and steps run, per machine: `run_machine` prints them (pytest -s).
REACHED: dict[str, Counter] = defaultdict(Counter)
STEPS: Counter = Counter()


def run_machine(machine_class, settings) -> None:
    """Run the machine as a test and print what it reached (the report's figures)."""
    name = machine_class.__name__
    REACHED[name].clear()
    STEPS[name] = 0
    started = time.monotonic()
    run_state_machine_as_test(machine_class, settings=settings)
    print(
        f"\n{name}: {settings.max_examples} examples x <= {settings.stateful_step_count} steps, "
        f"{STEPS[name]} actions in {time.monotonic() - started:.1f}s; "
        f"final states {dict(REACHED[name])}"
    )


class NotVisible(Exception):
    """The API's 404: the caller may not see the case."""

    code = "not_found"


def on_commit_now():
    """What the next sweep does with the action's outbox events (mail, notices, reminders)."""
    return dispatched()


class ProcessMachine(RuleBasedStateMachine):
    flow_class = None
    # Person name -> the audit actions that person may never take on the machine's cases.
    forbidden_actions: dict[str, set[str]] = {}

    def __init__(self):
        super().__init__()
        cache.clear()
        self._savepoint = transaction.savepoint()
        # Each example's events are rolled back with its savepoint; so are its checkpoints: a
        # file of its own (a sweep writes one), never the previous example's.
        self._checkpoints = tempfile.TemporaryDirectory()
        self._settings = override_settings(
            AUDIT_CHECKPOINT_FILE=f"{self._checkpoints.name}/audit-checkpoints.jsonl"
        )
        self._settings.enable()
        self._travel = time_machine.travel(START, tick=False)
        self.clock = self._travel.start()
        self.org = build_org()
        ops = Department.objects.get(code="ops")
        ops_lead = employee("opslead", department=ops, level="senior", roles=["department_lead"])
        ops.lead = ops_lead
        ops.save()
        bare = get_user_model().objects.create_user("bare", password="pass12345")
        # People by the name the rules draw; values are Employees (or a bare User).
        self.people = {
            "lead": self.org.lead,
            "colleague": self.org.colleague,
            "other_lead": ops_lead,
            "nobody": self.org.other_dept_agent,
            "gm": self.org.gm,
            "admin": self.org.admin,
            "admin2": self.org.panel[1],
            "trainer": self.org.panel[2],
            "bare": bare,
        }
        self.cases = []
        self.log = []  # (who, action, outcome) for the failure report

    def teardown(self):
        try:
            for case in self.cases:  # shown by --hypothesis-show-statistics
                event(f"ends {case.state}")
                REACHED[type(self).__name__][case.state] += 1
            STEPS[type(self).__name__] += len(self.log)
            result = audit.verify()
            assert result.ok, [p.message for p in result.problems]
        finally:
            self._travel.stop()
            self._settings.disable()
            self._checkpoints.cleanup()
            transaction.savepoint_rollback(self._savepoint)

    # --- people -----------------------------------------------------------------------------
    def user(self, who):
        person = self.people[who]
        return getattr(person, "user", person)

    def actors(self):
        return st.sampled_from(sorted(self.people))

    # --- acting -----------------------------------------------------------------------------
    def footprint(self, case=None) -> tuple:
        rows = []
        for c in [case] if case is not None else self.cases:
            model = type(c)
            rows.append(model.objects.filter(pk=c.pk).values().first())
            rows.append(AuditEvent.objects.filter(case_type=case_type_of(c), case_id=c.pk).count())
            rows.append(
                list(
                    Deadline.objects.filter(case_type=case_type_of(c), case_id=c.pk)
                    .order_by("pk")
                    .values_list("pk", "due_at", "met_at")
                )
            )
            rows.append(self.extra_footprint(c))
        return (
            *rows,
            AuditEvent.objects.count(),
            list(Task.objects.order_by("pk").values_list("pk", "status", "owner_id")),
            OutboxMessage.objects.count(),
            Notice.objects.count(),
            OutboxEvent.objects.count(),
            Reminder.objects.count(),
            self.flow_class.case_model.objects.count(),
        )

    def extra_footprint(self, case) -> tuple:
        return ()

    def attempt(self, label: str, call):
        """Run `call()`; a refusal must leave nothing behind. Returns the result or None."""
        before = self.footprint()
        try:
            with on_commit_now():
                result = call()
        except (DomainError, NotVisible) as exc:
            after = self.footprint()
            assert after == before, f"refused {label} ({exc.code}) changed state"
            self.log.append((label, exc.code))
            return None
        self.log.append((label, "ok"))
        return result

    def act(self, case, name: str, who: str, **payload):
        actor = self.user(who)
        flow = self.flow_class

        def call():
            if not flow.instance.visible_cases(actor).filter(pk=case.pk).exists():
                raise NotVisible
            return run_action(
                flow_class=flow, actions=flow.actions, case=case, name=name, actor=actor, **payload
            )

        done = self.attempt(f"{who} {name} {payload}", call)
        case.refresh_from_db()
        return done

    def pick(self, data):
        return data.draw(st.sampled_from(self.cases), label="case")

    @rule(minutes=MINUTES)
    def wait(self, minutes):
        """Time passes; the scheduler's sweep runs (timers, reminders, escalations, delivery)."""
        self.clock.shift(dt.timedelta(minutes=minutes))
        with on_commit_now():
            report = sweep()
        assert report.ok, report.line()
        for case in self.cases:
            case.refresh_from_db()
        self.log.append((f"wait {minutes} min", report.line()))

    # --- invariants -------------------------------------------------------------------------
    def expected_nodes(self, case) -> set[frozenset]:
        """The acceptable sets of open task nodes for the case's state (per process)."""
        raise NotImplementedError

    def finished(self, case) -> bool:
        raise NotImplementedError

    def open_tasks(self, case):
        process = process_for(self.flow_class, case)
        return process, list(
            Task.objects.filter(process=process, status__in=OPEN_TASK_STATUSES).values_list(
                "flow_task", "owner_id"
            )
        )

    @invariant()
    def state_and_tasks_agree(self):
        for case in self.cases:
            case.refresh_from_db()
            process, tasks = self.open_tasks(case)
            # The people's tasks (View nodes); a Join waiting for its branches is a task too,
            # counted below only for finished cases.
            human = set(self.flow_class.node_actions)
            nodes = frozenset(n for n in (node_name(node) for node, _ in tasks) if n in human)
            expected = self.expected_nodes(case)
            assert nodes in expected, (
                f"{case_type_of(case)} in {case.state!r} has open tasks {sorted(nodes)}, "
                f"expected one of {[sorted(e) for e in expected]}; log {self.log}"
            )
            if self.finished(case):
                assert not tasks, f"finished case {case.state!r} has open tasks {tasks}"
                assert process.status in (PROCESS.DONE, PROCESS.CANCELED), process.status
            else:
                assert process.status not in (PROCESS.DONE, PROCESS.CANCELED), (
                    f"open case {case.state!r} has a {process.status} process"
                )

    @invariant()
    def one_open_task_per_node_and_person(self):
        for case in self.cases:
            _, tasks = self.open_tasks(case)
            seen = [(str(node), owner) for node, owner in tasks]
            assert len(seen) == len(set(seen)), f"duplicate open tasks {seen}"

    @invariant()
    def audit_replays_to_state(self):
        for case in self.cases:
            steps = list(
                AuditEvent.objects.filter(case_type=case_type_of(case), case_id=case.pk)
                .exclude(to_state="")
                .order_by("pk")
                .values_list("action", "from_state", "to_state")
            )
            assert steps, "a case without audit events"
            previous = ""
            for action, from_state, to_state in steps:
                assert from_state == previous, f"{action}: {from_state!r} after {previous!r}"
                previous = to_state
            assert previous == case.state, f"audit ends at {previous!r}, case is {case.state!r}"

    @invariant()
    def nobody_decides_their_own(self):
        for case in self.cases:
            for who, actions in self.forbidden_for(case).items():
                user = self.user(who)
                taken = AuditEvent.objects.filter(
                    case_type=case_type_of(case),
                    case_id=case.pk,
                    actor_id=user.pk,
                    action__in=actions,
                ).values_list("action", flat=True)
                assert not list(taken), f"{who} took {list(taken)} on their own case"

    def forbidden_for(self, case) -> dict[str, set[str]]:
        """The case's applicant (`case.employee`) may take none of `applicant_actions`."""
        forbidden = dict(self.forbidden_actions)
        who = self.name_of(case.employee_id)
        if who is not None:
            forbidden[who] = forbidden.get(who, set()) | self.applicant_actions
        return forbidden

    def name_of(self, employee_id):
        for who, person in self.people.items():
            if getattr(person, "user", None) is not None and person.pk == employee_id:
                return who
        return None

    # --- the generic action rules ---------------------------------------------------------------
    # Actions that complete no task (withdraw, cancel, votes...) are offered to act_right too.
    free_actions: tuple[str, ...] = ()
    # Action -> the people who plausibly may take it (the right ones, by role or ownership).
    good_actors: dict[str, list[str]] = {}
    # Audit actions the case's applicant may never take (nobody decides their own request).
    applicant_actions: set[str] = set()

    # Action -> its one free-text field (the default `payload`); absent: no body.
    text_fields: dict[str, str] = {}

    def payload(self, name: str, data, good: bool) -> dict:
        """The body of action `name`: a good one, or anything from the small strategies."""
        field = self.text_fields.get(name)
        if field is None:
            return {}
        return {field: GOOD_TEXT if good else data.draw(TEXTS, label=field)}

    @precondition(lambda self: self.cases)
    @rule(data=st.data())
    def act_right(self, data):
        """An action the case's open tasks offer, by someone who plausibly may take it."""
        case = self.pick(data)
        _, tasks = self.open_tasks(case)
        names = {
            a for node, _ in tasks for a in self.flow_class.node_actions.get(node_name(node), [])
        }
        # A finished case offers nothing: then any action (each must be refused).
        names = sorted(names | set(self.free_actions)) or sorted(self.flow_class.actions)
        name = data.draw(st.sampled_from(names), label="action")
        who = data.draw(
            st.sampled_from(self.good_actors.get(name) or sorted(self.people)), label="who"
        )
        good = data.draw(st.sampled_from([True, True, True, False]), label="good")
        self.act(case, name, who, **self.payload(name, data, good))

    # Rules are drawn uniformly: two more ways in to the right action let cases go deep
    # (defences, witnesses, confirmations) within ~20 steps.
    @precondition(lambda self: self.cases)
    @rule(data=st.data())
    def act_right_2(self, data):
        self.act_right(data)

    @precondition(lambda self: self.cases)
    @rule(data=st.data())
    def act_right_3(self, data):
        self.act_right(data)

    @precondition(lambda self: self.cases)
    @rule(data=st.data())
    def act_any(self, data):
        """Any action by anyone, with any body."""
        case = self.pick(data)
        name = data.draw(st.sampled_from(sorted(self.flow_class.actions)), label="action")
        who = data.draw(self.actors(), label="who")
        good = data.draw(st.booleans(), label="good")
        self.act(case, name, who, **self.payload(name, data, good))


def node_name(node) -> str:
    return getattr(node, "name", None) or str(node).rsplit(".", 1)[-1]
