from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = _("Performance")

    def ready(self):
        # SCORE-10: the previous month closes by itself on the policy's close day.
        from notifications.scheduler import register_sweep_step

        from .alerts import months_close_due

        register_sweep_step("month_close", months_close_due)
