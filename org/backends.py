"""Django's ModelBackend, with a user's permissions read in one statement (their own and their
groups', as a UNION) instead of two: every action asks what roles its actor holds. The statement
is written once (table names from the models' meta), not built by the ORM per request."""

from functools import lru_cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


@lru_cache(maxsize=1)
def _permissions_sql() -> str:
    q = connection.ops.quote_name
    user = get_user_model()
    user_perms = user.user_permissions.through._meta
    user_groups = user.groups.through._meta
    group_perms = Group.permissions.through._meta
    return (
        f"SELECT ct.{q('app_label')}, p.{q('codename')} "
        f"FROM {q(Permission._meta.db_table)} p "
        f"JOIN {q(ContentType._meta.db_table)} ct ON ct.{q('id')} = p.{q('content_type_id')} "
        f"WHERE p.{q('id')} IN ("
        f"SELECT {q('permission_id')} FROM {q(user_perms.db_table)} WHERE {q('user_id')} = %s "
        f"UNION SELECT gp.{q('permission_id')} FROM {q(group_perms.db_table)} gp "
        f"JOIN {q(user_groups.db_table)} ug ON ug.{q('group_id')} = gp.{q('group_id')} "
        f"WHERE ug.{q('user_id')} = %s)"
    )


class RoleBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                rows = Permission.objects.values_list("content_type__app_label", "codename")
            else:
                with connection.cursor() as cursor:
                    cursor.execute(_permissions_sql(), [user_obj.pk, user_obj.pk])
                    rows = cursor.fetchall()
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in rows}
        return user_obj._perm_cache
