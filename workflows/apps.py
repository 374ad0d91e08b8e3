from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self):
        from notifications.scheduler import register_sweep_step

        from .delegation import reroute_tasks

        register_sweep_step("delegation", reroute_tasks)

        # PROB-1: a probationer added any way (admin, org file) gets their probation case.
        from .probation import probations_open_missing

        register_sweep_step("probations", probations_open_missing)
