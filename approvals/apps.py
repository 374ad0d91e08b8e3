from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        from . import delegation  # noqa: F401  (the cached "away with a delegate" receivers)
        from .award import receivers  # noqa: F401  (AWARD-2: the published award's notice)
