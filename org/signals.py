"""Receivers that keep the cached role holders (org.selectors.ROLE_HOLDERS) true: any change of
who is in a group, of a user (deactivated) or of a group drops the table, now and at commit."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .selectors import ROLE_HOLDERS

User = get_user_model()


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="org_role_holders_membership")
def _membership_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        ROLE_HOLDERS.forget_now_and_at_commit()


@receiver(post_save, sender=User, dispatch_uid="org_role_holders_user_save")
def _user_saved(sender, created=False, update_fields=None, **kwargs):
    # A new user holds no role until a membership is added (the receiver above); a save of
    # other fields (a login's last_login) changes nobody's roles.
    if created or (update_fields is not None and "is_active" not in update_fields):
        return
    ROLE_HOLDERS.forget_now_and_at_commit()


@receiver(post_delete, sender=User, dispatch_uid="org_role_holders_user_delete")
@receiver(post_save, sender=Group, dispatch_uid="org_role_holders_group_save")
@receiver(post_delete, sender=Group, dispatch_uid="org_role_holders_group_delete")
def _user_or_group_changed(sender, **kwargs):
    ROLE_HOLDERS.forget_now_and_at_commit()
