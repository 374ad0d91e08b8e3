"""The organisation app: departments, employees, role groups (ORG-1..3)."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _role_groups(sender, **kwargs):
    # After every migrate, so a fresh database (and `make run`) has the role groups before the
    # first organisation file is loaded; ensure_role_groups is idempotent.
    from .roles import ensure_role_groups

    ensure_role_groups()


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from . import signals  # noqa: F401  (the role holders' cache receivers)

        post_migrate.connect(_role_groups, sender=self, dispatch_uid="org.role_groups")
