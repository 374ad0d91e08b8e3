"""The engine's tables in the admin: viewflow's processes and tasks, for superusers only and
read-only for them too.

A process or task moves only through the flows (the inbox, the case pages, the API, the
scheduler), which keep the domain state, the deadlines and the audit log in step. viewflow's own
admin lets a superuser edit or delete them; here it is replaced by one that only shows them."""

from django.contrib import admin
from viewflow.workflow.admin import ProcessAdmin, TaskAdmin, TaskInline
from viewflow.workflow.models import Process, Task


class _SuperuserReadOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyTaskInline(_SuperuserReadOnly, TaskInline):
    pass


class ReadOnlyProcessAdmin(_SuperuserReadOnly, ProcessAdmin):
    inlines = [ReadOnlyTaskInline]


class ReadOnlyTaskAdmin(_SuperuserReadOnly, TaskAdmin):
    pass


for model, model_admin in ((Process, ReadOnlyProcessAdmin), (Task, ReadOnlyTaskAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
