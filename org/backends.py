"""Django's ModelBackend, with a user's permissions read in one statement (their own and their
groups', as a UNION) instead of two: every action asks what roles its actor holds."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class RoleBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            fields = ("content_type__app_label", "codename")
            if user_obj.is_superuser:
                rows = Permission.objects.values_list(*fields)
            else:
                own = Permission.objects.filter(user=user_obj).order_by().values_list(*fields)
                groups = (
                    Permission.objects.filter(group__user=user_obj).order_by().values_list(*fields)
                )
                rows = own.union(groups)
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in rows}
        return user_obj._perm_cache
