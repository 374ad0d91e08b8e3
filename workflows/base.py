"""What every flow of the engine shares: the row lock, the case it carries, and the
"task created" notice."""

from viewflow.workflow import flow, lock
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.split import SplitActivation

from approvals.events import emit


def announce_task(flow_class, task_id: int) -> None:
    """Tell the notifications a task has landed in someone's inbox: an outbox event in the
    task's own transaction, dispatched by the sweep (approvals.events)."""
    emit("task_created", task_id=task_id)


class CaseFlowMixin:
    """Mixed into each of the engine's flows (before flow.Flow). Subclasses set `case_model`, `visible_cases(user)` and
    `actions`; each process's artifact is its domain case."""

    # viewflow's default no_lock let concurrent double-submits create duplicate next tasks; the
    # row lock on the process serialises every change of one case (a no-op on SQLite).
    lock_impl = lock.select_for_update_lock
    case_model = None
    actions: dict = {}
    # LEAVE-6: steps a reviewer's delegate takes over while the reviewer is on leave.
    delegable_nodes: frozenset = frozenset()

    def start_case(self, activation, case):
        activation.process.artifact = case
        return activation.process

    def case_of(self, process):
        return self.case_model._default_manager.get(pk=process.artifact_object_id)

    def limited_reader(self, user, case) -> bool:
        """True when `user` reads the case only for a narrow part (a department voter, a named
        witness): they see what that part needs and none of the casework around it (comments,
        attachments, consultations, who was copied in). Flows with such readers override it."""
        return False

    def parties(self, case) -> set[int]:
        """Employee ids of those the case is about, who never review it (so never take over its
        review as a delegate, LEAVE-6). A flow with a second party adds it."""
        return {case.employee_id}

    def on_task_created(self, activation):
        from .delegation import hand_to_delegate

        # LEAVE-6: a reviewer on leave gets nothing new; the delegate is told instead.
        if not hand_to_delegate(activation.task):
            announce_task(type(self), activation.task.pk)

    # --- viewflow's own permission hooks ---------------------------------------------------
    def has_view_permission(self, user, obj=None):
        """viewflow's task managers ask this; the product's lists and case pages check the
        domain's visibility (`visible_cases`) themselves."""
        if not user.is_authenticated:
            return False
        if obj is None:
            return True
        process = getattr(obj, "process", obj)
        return self.visible_cases(user).filter(pk=process.artifact_object_id).exists()

    def has_manage_permission(self, user, obj=None):
        """Nobody manages the engine by hand (cancel, undo, revive a task): ending a case early
        is always a domain action with its audit event (withdraw, cancel, revoke...)."""
        return False

    def visible_cases(self, user):
        raise NotImplementedError


class _DataSplitActivation(SplitActivation):
    """viewflow 2.4's Split documents `Next(node, data_source=...)` (one task per item, with
    `task.data` = the item) but does not implement it; this activation does."""

    @Activation.status.super()
    def activate(self):
        for node, cond, data_source in self.flow_task._branches:
            if cond and not cond(self):
                continue
            if data_source is None:
                self.next_tasks.append((node, None))
            else:
                self.next_tasks.extend((node, item) for item in data_source(self))
        if not self.next_tasks:
            raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class DataSplit(flow.Split):
    activation_class = _DataSplitActivation

    def Next(self, node, case=None, data_source=None):
        self._activate_next.append((node, case, data_source))
        return self


def assigned_user(activation):
    """The user a per-item task is for (`task.data["user"]`, set by a DataSplit source)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=activation.task.data["user"])
