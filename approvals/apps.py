from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        from . import delegation  # noqa: F401  (the cached "away with a delegate" receivers)
        from .award import receivers  # noqa: F401  (AWARD-2: the published award's notice)

        # DEADLINE-2 for the attendance findings waiting for the lead (ATT-3).
        from notifications.scheduler import register_sweep_step

        from .attendance.findings_decide import findings_remind_step

        register_sweep_step("findings", findings_remind_step)
