"""Gateways, functions and ends that route in memory instead of leaving a task row each.

viewflow persists every node it passes as a task: an If, a Switch, a Function and the End each
cost an INSERT, a link to the previous task, a savepoint and an UPDATE, for rows nobody reads
(the product's history is the audit trail). These subclasses keep viewflow's graph (the flow
reads as before, diagrams and `this.` references resolve the same) but resolve themselves when
the flow reaches them: `_create` evaluates the condition or runs the function on the activation
that arrived, and returns the activation of the node after it, created as viewflow would (with
the same token and the arriving task as its previous task). Human tasks, timers, splits and
joins stay viewflow's own. `Start` is viewflow's StartHandle without the lock and savepoints
a brand-new process does not need.

Conditions and functions are called with the arriving activation: they may read
`activation.process` (and its artifact, the case), not a task of their own.
"""

from django.utils import timezone
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.start import StartHandleActivation
from viewflow.workflow.signals import flow_finished, flow_started, task_started
from viewflow.workflow.status import PROCESS

from approvals.db import atomic


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
    def _create(self, prev_activation, token, data=None, seed=None):
        process = prev_activation.process
        open_tasks = type(prev_activation.task)._default_manager.filter(
            process=process, finished__isnull=True
        )
        if not open_tasks.exists():
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
            self.complete()
            flow_started.send(sender=self.flow_class, process=self.process, task=self.task)
            self.activate_next()


class Start(flow.StartHandle):
    activation_class = _StartActivation
