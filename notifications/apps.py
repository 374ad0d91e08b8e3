from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from . import receivers  # noqa: F401  (connects the signal receivers)
        from .reminders import reminders_send_due
        from .scheduler import register_sweep_step

        register_sweep_step("reminders", reminders_send_due)

        # The daily audit checkpoint (finding 7): when none is due, it reads the checkpoint
        # file's last line and nothing else.
        from audit.services import checkpoint_if_due

        register_sweep_step("audit_checkpoint", checkpoint_if_due)
