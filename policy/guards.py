"""The model-level backstop for "a version that matters never changes" (the service,
policy.services.policy_version_update, is the rule; this catches code that bypasses it).

House style keeps logic out of save(), and a database CHECK cannot compare a row with its old
self or look for referencing rows, so a pre_save receiver compares the row being saved with the
stored one: changing the code, pack or effective_from of a version that is in force or referenced
raises. pre_delete refuses deleting such a version. (QuerySet.update and raw SQL bypass signals;
only data migrations use them.) The receivers also drop the version from the per-process cache,
and a calendar override change drops the cached override table.
"""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from .models import CalendarOverride, PolicyVersion

GUARDED_FIELDS = ("code", "effective_from", "data")


class PolicyVersionLocked(Exception):
    """A version in force or judging cases was about to be changed or deleted."""


@receiver(pre_save, sender=PolicyVersion, dispatch_uid="policy_version_guard_save")
def _guard_save(sender, instance, raw=False, **kwargs):
    from .services import version_is_locked

    if raw or instance.pk is None:
        return
    stored = PolicyVersion.objects.filter(pk=instance.pk).first()
    if stored is None:
        return
    changed = [f for f in GUARDED_FIELDS if getattr(stored, f) != getattr(instance, f)]
    if changed:
        from .services import policy_cache_clear

        policy_cache_clear(stored.code)
    if changed and version_is_locked(stored):
        raise PolicyVersionLocked(
            f"policy version {stored.code!r} is in force or referenced: "
            f"{', '.join(changed)} cannot change (add a new version)"
        )


@receiver(pre_delete, sender=PolicyVersion, dispatch_uid="policy_version_guard_delete")
def _guard_delete(sender, instance, **kwargs):
    from .services import version_is_locked

    if version_is_locked(instance):
        raise PolicyVersionLocked(
            f"policy version {instance.code!r} is in force or referenced: it is never deleted"
        )


@receiver(post_save, sender=PolicyVersion, dispatch_uid="policy_version_cache_save")
@receiver(post_delete, sender=PolicyVersion, dispatch_uid="policy_version_cache_delete")
def _drop_cached(sender, instance, **kwargs):
    from .services import TIMELINE, policy_cache_clear

    policy_cache_clear(instance.code)
    TIMELINE.forget_now_and_at_commit()


@receiver(post_save, sender=CalendarOverride, dispatch_uid="calendar_override_forget_save")
@receiver(post_delete, sender=CalendarOverride, dispatch_uid="calendar_override_forget_delete")
def _forget_overrides(sender, **kwargs):
    """Deadlines read the override table from the cache (policy.deadlines.OVERRIDES)."""
    from .deadlines import OVERRIDES

    OVERRIDES.forget_now_and_at_commit()
