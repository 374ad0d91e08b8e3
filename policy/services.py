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


def install_default_pack() -> None:
    """Make sure the shipped default pack exists as a version (idempotent)."""
    import json

    from .pack import PACKS_DIR

    data = json.loads((PACKS_DIR / "default.json").read_text(encoding="utf-8"))
    PolicyVersion.objects.get_or_create(
        code=data["code"],
        defaults={
            "name": data["name"],
            "effective_from": dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
            "data": data,
        },
    )
