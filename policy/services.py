"""Which policy is in force."""

import datetime as dt

from django.utils import timezone

from .models import PolicyVersion
from .pack import Policy


def policy_in_force(at: dt.datetime | None = None) -> Policy:
    """The version with the latest effective_from at or before `at` (default: now)."""
    at = at or timezone.now()
    version = (
        PolicyVersion.objects.filter(effective_from__lte=at).order_by("-effective_from").first()
    )
    if version is None:
        raise LookupError(f"no policy version is in force at {at.isoformat()}")
    return Policy(version.data, version=version.code)
