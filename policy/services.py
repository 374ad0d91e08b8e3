"""Which policy judges what, and how a version is added or changed.

A new case takes the version in force when it is submitted (`policy_in_force`) and stores its
code; from then on everything about that case reads the stored version (`policy_of(case)`), never
the date again, so a version added later (or an edit) cannot change how an open case is judged.

Versions are immutable once they matter: a version in force, or referenced by any row that stores
a `policy_version` code (the cases, their history, the assessments), is never edited nor deleted
(`policy_version_update` refuses it; the pre_save/pre_delete guards in policy/guards.py are the
backstop for code that bypasses the service). A new version takes effect in the future, so it
never lands before a version already in force. A pack is held against the JSON Schema and the
linter before it is written (`check_pack`): an error refuses it with its JSON path.
"""

import datetime as dt

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .lint import ERROR, check_pack
from .models import PolicyVersion
from .pack import Policy
from .tables import CachedTable

# Versions are immutable once in force or referenced, so a process may keep what it read.
# Keyed by code; the guards drop an entry when a (still editable) version is saved or deleted.
_BY_CODE: dict[str, Policy] = {}


def _load_timeline() -> list[tuple[dt.datetime, str]]:
    return list(
        PolicyVersion.objects.order_by("effective_from").values_list("effective_from", "code")
    )


# Which version is in force when: (effective_from, code), oldest first. Every new case asks.
TIMELINE = CachedTable("policy:version-timeline", _load_timeline)


def policy_cache_clear(code: str | None = None) -> None:
    TIMELINE.forget()
    if code is None:
        _BY_CODE.clear()
    else:
        _BY_CODE.pop(code, None)


def _policy(version: PolicyVersion) -> Policy:
    return Policy(version.data, version=version.code)


def policy_in_force(at: dt.datetime | None = None) -> Policy:
    """The version with the latest effective_from at or before `at` (default: now): the one a
    new case is judged by."""
    at = at or timezone.now()
    code = None
    for effective_from, version_code in TIMELINE.get():
        if effective_from > at:
            break
        code = version_code
    if code is None:
        raise LookupError(f"no policy version is in force at {at.isoformat()}")
    return policy_by_code(code)


def policy_by_code(code: str) -> Policy:
    """The stored version `code` (cached per process). LookupError when there is none."""
    policy = _BY_CODE.get(code)
    if policy is None:
        version = PolicyVersion.objects.filter(code=code).first()
        if version is None:
            raise LookupError(f"no policy version {code!r}")
        policy = _BY_CODE[code] = _policy(version)
    return policy


def policy_of(case) -> Policy:
    """The version a case is judged by: the one whose code it stored when it was submitted."""
    return policy_by_code(case.policy_version)


# --- which rows refer to a version ------------------------------------------------------------


def _referencing_models():
    """Every model that stores a version's code (a `policy_version` field): found by field, so
    the policy app needs no import of the apps above it."""
    for model in apps.get_models():
        try:
            field = model._meta.get_field("policy_version")
        except Exception:  # noqa: BLE001  (FieldDoesNotExist)
            continue
        if not field.is_relation:
            yield model


def version_is_referenced(code: str) -> bool:
    return any(
        m._default_manager.filter(policy_version=code).exists() for m in _referencing_models()
    )


def version_is_locked(version: PolicyVersion, *, now: dt.datetime | None = None) -> bool:
    """In force (or was), or referenced by a case, its history or an assessment."""
    now = now or timezone.now()
    return version.effective_from <= now or version_is_referenced(version.code)


# --- adding and changing versions -------------------------------------------------------------


def pack_errors(data) -> list[ValidationError]:
    """The schema's and the linter's errors for `data`, each naming its path."""
    if not isinstance(data, dict):
        return [ValidationError(_("A policy pack is a JSON object."), code="pack_shape")]
    return [
        ValidationError(
            "%(code)s %(path)s: %(message)s",
            code=f.code,
            params={"code": f.code, "path": f.path, "message": f.message},
        )
        for f in check_pack(data)
        if f.severity == ERROR
    ]


def _check_effective_from(effective_from, now) -> None:
    if effective_from is None or effective_from <= now:
        raise ValidationError(
            {
                "effective_from": ValidationError(
                    _(
                        "A new version takes effect in the future (after %(now)s): the one in "
                        "force stays as it is."
                    ),
                    code="effective_from_past",
                    params={"now": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")},
                )
            }
        )


def _check_pack(data) -> None:
    errors = pack_errors(data)
    if errors:
        raise ValidationError({"data": errors})


def policy_version_check(*, version: PolicyVersion | None, effective_from, data) -> None:
    """Everything a new or changed version must satisfy (the admin's form shows the errors):
    an existing version is editable only while not in force and not referenced; it takes
    effect in the future; its pack matches the schema and passes the linter."""
    now = timezone.now()
    if version is not None and version.pk is not None:
        stored = PolicyVersion.objects.get(pk=version.pk)
        if version_is_locked(stored, now=now):
            raise ValidationError(
                _(
                    "Version %(code)s is in force or judges cases already: it is kept as it is. "
                    "Add a new version instead."
                ),
                code="version_locked",
                params={"code": stored.code},
            )
    _check_effective_from(effective_from, now)
    _check_pack(data)


def policy_version_create(*, code, name, effective_from, data, notes="") -> PolicyVersion:
    """A new version, effective from a future instant; its pack is validated first."""
    policy_version_check(version=None, effective_from=effective_from, data=data)
    with transaction.atomic():
        version = PolicyVersion(
            code=code, name=name, effective_from=effective_from, data=data, notes=notes
        )
        version.full_clean()
        version.save()
    policy_cache_clear(code)
    return version


def policy_version_update(*, version: PolicyVersion, **changes) -> PolicyVersion:
    """Change a version that is not yet in force and judges no case (its code included)."""
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        old_code = locked.code
        for field in ("code", "name", "effective_from", "data", "notes"):
            if field in changes:
                setattr(locked, field, changes[field])
        policy_version_check(version=locked, effective_from=locked.effective_from, data=locked.data)
        locked.full_clean()
        locked.save()
    policy_cache_clear(old_code)
    policy_cache_clear(locked.code)
    return locked


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
