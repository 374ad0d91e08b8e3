"""Test set-up of the policy pack: a version in force is never edited through save() (the
guard refuses it, issue 11 finding 11), so a test that needs other figures sets them up the way
a deployment would before any case exists: by writing the stored pack directly (as the data
migrations do) and dropping the per-process cache."""


def store_pack(version) -> None:
    """Write `version.data` to its row, bypassing the guard (set-up only, before any case)."""
    from policy.models import PolicyVersion
    from policy.services import policy_cache_clear

    PolicyVersion.objects.filter(pk=version.pk).update(data=version.data)
    policy_cache_clear()
