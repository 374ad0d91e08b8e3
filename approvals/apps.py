from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        # DEADLINE-2 for the attendance findings waiting for the lead (ATT-3).
        from notifications.scheduler import register_sweep_step

        from . import delegation  # noqa: F401  (the cached "away with a delegate" receivers)
        from .attendance.findings_decide import findings_remind_step
        from .award import receivers  # noqa: F401  (AWARD-2: the vote's call, the awardees' notice)

        register_sweep_step("findings", findings_remind_step)
