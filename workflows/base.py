"""What every flow of the engine shares: the row lock, who sees the viewflow pages, and the
"task created" notice."""

from django.db import transaction
from viewflow.workflow import lock

from approvals import permissions as perms
from org.levels import Role

from .signals import task_created


class CaseFlowMixin:
    """Mixed into each of the engine's flows (before flow.Flow). Subclasses set `case_model`, `visible_cases(user)` and
    `actions`; each process's artifact is its domain case."""

    # viewflow's default no_lock let concurrent double-submits create duplicate next tasks; the
    # row lock on the process serialises every change of one case (a no-op on SQLite).
    lock_impl = lock.select_for_update_lock
    case_model = None
    actions: dict = {}

    def start_case(self, activation, case):
        activation.process.artifact = case
        return activation.process

    def case_of(self, process):
        return self.case_model._default_manager.get(pk=process.artifact_object_id)

    def on_task_created(self, activation):
        task_id = activation.task.pk
        transaction.on_commit(lambda: task_created.send(sender=type(self), task_id=task_id))

    # --- viewflow page permissions -----------------------------------------------------------
    def has_view_permission(self, user, obj=None):
        """Everyone signed in has an inbox; a process or task page only for those who may see
        its case (an employee sees only their own cases)."""
        if not user.is_authenticated:
            return False
        if obj is None:
            return True
        process = getattr(obj, "process", obj)
        return self.visible_cases(user).filter(pk=process.artifact_object_id).exists()

    def has_manage_permission(self, user, obj=None):
        return user.is_authenticated and (
            user.is_superuser or perms.has_role(user, Role.ADMINISTRATION)
        )

    def visible_cases(self, user):
        raise NotImplementedError
