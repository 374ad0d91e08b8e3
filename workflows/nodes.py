"""Gateways, functions and ends that route in memory instead of leaving a task row each.

viewflow persists every node it passes as a task: an If, a Switch, a Function and the End each
cost an INSERT, a link to the previous task, a savepoint and an UPDATE, for rows nobody reads
(the product's history is the audit trail). These subclasses keep viewflow's graph (the flow
reads as before, diagrams and `this.` references resolve the same) but resolve themselves when
the flow reaches them: `_create` evaluates the condition or runs the function on the activation
that arrived, and returns the activation of the node after it, created as viewflow would (with
the same token and the arriving task as its previous task). Human tasks, timers, splits and
joins stay viewflow's own. `Start` is viewflow's StartHandle without the lock and savepoints
a brand-new process does not need, and without its task row when a human task follows. `View`
(a human task) is viewflow's without the row linking the new task to the one before it: only
viewflow's undo and revive read that link, and nobody undoes a step here (ending a case early
is a domain action, with its audit event).

Conditions and functions are called with the arriving activation: they may read
`activation.process` (and its artifact, the case), not a task of their own.
"""

from django.utils import timezone
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.start import StartHandleActivation
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.signals import flow_finished, flow_started, task_finished, task_started
from viewflow.workflow.status import PROCESS, STATUS

from approvals.db import atomic, save_changed
from approvals.deadlines import open_due


class _Nothing:
    """What an End hands back to viewflow's activation loop: nothing more to activate."""

    type = "end"

    class _No:
        @staticmethod
        def can_proceed():
            return False

    activate = complete = create_next = _No()


def _next(node, prev_activation, token):
    return node._create(prev_activation, token) if node is not None else _Nothing()


class If(flow.If):
    def _create(self, prev_activation, token, data=None, seed=None):
        if self._condition(prev_activation):
            node, data_source = self._on_true, self._on_true_data
        else:
            node, data_source = self._on_false, self._on_false_data
        if data_source is not None:
            return node._create(prev_activation, token, data=data_source(prev_activation))
        return _next(node, prev_activation, token)


class Switch(flow.Switch):
    def _create(self, prev_activation, token, data=None, seed=None):
        for node, condition in self._branches:
            if condition is None or condition(prev_activation):
                return _next(node, prev_activation, token)
        raise FlowRuntimeError(f"No next task available for {self.name}")


class Function(flow.Function):
    def _create(self, prev_activation, token, data=None, seed=None):
        self._func(prev_activation)
        return _next(self._next, prev_activation, token)


class End(flow.End):
    def _has_boundaries(self) -> bool:
        """Whether a node of the flow carries a boundary event (a timeout's task runs beside
        the task it watches)."""
        if not hasattr(self, "_boundaries"):
            nodes = self.flow_class.instance.nodes()
            self._boundaries = any(getattr(node, "_boundary_specs", None) for node in nodes)
        return self._boundaries

    def _others_may_be_open(self, prev_activation) -> bool:
        """Only a task on a split's branch, or in a flow with boundary events, can arrive here
        while another task of the process is still open; on the main path of a flow without
        them the arriving task was the last one (no query)."""
        return prev_activation.task.token.is_split_token() or self._has_boundaries()

    def _create(self, prev_activation, token, data=None, seed=None):
        process = prev_activation.process
        open_tasks = type(prev_activation.task)._default_manager.filter(
            process=process, finished__isnull=True
        )
        if not self._others_may_be_open(prev_activation) or not open_tasks.exists():
            process.status = PROCESS.DONE
            process.finished = timezone.now()
            process.save(update_fields=["status", "finished"])
            flow_finished.send(
                sender=process.flow_class, process=process, task=prev_activation.task
            )
        return _Nothing()


class _StartActivation(StartHandleActivation):
    @Activation.status.super()
    def execute(self):
        """viewflow's start, without the flow lock on the process it has just inserted (nobody
        else can see it before the commit) and, inside the engine's whole transaction, without
        savepoints."""
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        with atomic():
            self.process.save()
            if isinstance(self.flow_task._next, View):
                # Nothing will link to the start's task row (a human task keeps no `previous`
                # link): it is not written. A split or join after the start links to it.
                self.task.status = STATUS.DONE
                self.task.finished = timezone.now()
            else:
                self.complete()
            flow_started.send(sender=self.flow_class, process=self.process, task=self.task)
            self.activate_next()


class Start(flow.StartHandle):
    activation_class = _StartActivation


def _step_due(flow_task, process):
    """The due time of the step's open deadline (the flows' `node_deadlines`), kept on its task
    row (viewflow's `scheduled`, which only its timers use otherwise) so that an inbox is
    ordered by an indexed column: known from the transaction that opened the deadline, else
    read. None for a step without a deadline. A deadline is never moved once open (met, and
    another opened, with a new task), so the row stays true."""
    flow_class = flow_task.flow_class
    name = getattr(flow_class, "node_deadlines", {}).get(flow_task.name)
    if name is None or not process.artifact_object_id:
        return None
    return open_due(
        case_type=flow_class.case_model._meta.model_name,
        case_id=process.artifact_object_id,
        name=name,
    )


class _ViewActivation(ViewActivation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        """viewflow's ViewActivation.create: the task queued to its role and assigned to its
        owner, saved once, then the node's onCreate; no `previous` link."""
        task = flow_task.flow_class.task_class(
            process=prev_activation.process, flow_task=flow_task, token=token
        )
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        owner_permission = flow_task.calc_owner_permission(activation)
        if owner_permission:
            task.owner_permission = owner_permission
            task.owner_permission_obj = flow_task.calc_owner_permission_obj(activation)
        owner = flow_task.calc_owner(activation)
        if owner:
            task.owner = owner
            task.status = STATUS.ASSIGNED
        task.scheduled = _step_due(flow_task, prev_activation.process)
        task.save()
        if flow_task._on_create is not None:
            flow_task._on_create(activation)
        return activation

    @Activation.status.transition(source=STATUS.STARTED, target=STATUS.DONE)
    def complete(self):
        """viewflow's complete, the task row updated in the columns that changed since the
        engine read it (owner, status, started, finished) rather than in all of them."""
        self.task.finished = timezone.now()
        save_changed(self.task)
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class View(flow.View):
    activation_class = _ViewActivation
