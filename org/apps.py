from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _role_groups(sender, **kwargs):
    from .roles import ensure_role_groups

    ensure_role_groups()


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = _("Organisation")

    def ready(self):
        post_migrate.connect(_role_groups, sender=self)
