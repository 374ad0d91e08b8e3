"""Secret keys from the environment, or from a file generated on first use.

`key_from_env_or_file("SECRET_KEY", VAR_DIR / "secret.key")` returns the variable when it is set
(production with several app servers sets it: they must share one key); otherwise the key kept
in the file, which is written once, with a random key, readable by its owner only (0600). So the
embedded default needs no configuration and still never runs on a key known to anyone else:
there is no built-in key in the code. Other keys (e.g. an HMAC key) use the same function with
their own variable and file."""

import contextlib
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

# Django's own bar for SECRET_KEY (security.W009): at least 50 characters, 5 different ones, and
# not a key made by startproject's insecure generator.
MIN_LENGTH = 50
MIN_UNIQUE = 5


def is_weak_key(value: str) -> bool:
    return (
        len(value) < MIN_LENGTH
        or len(set(value)) < MIN_UNIQUE
        or value.startswith("django-insecure-")
    )


def key_from_env_or_file(
    name: str,
    path: Path,
    *,
    environ: Mapping[str, str] | None = None,
    generate: Callable[[], str] = get_random_secret_key,
) -> str:
    """The value of the variable `name`, else the key in `path` (created on first use)."""
    value = (os.environ if environ is None else environ).get(name, "").strip()
    if value:
        return value
    path = Path(path)
    if not path.exists():
        _create(path, generate())
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name}: the key file {path} is empty. Set {name}, or delete the file to have a "
            "new key generated."
        )
    return value


def _create(path: Path, value: str) -> None:
    """Write `value` into `path` (0600) unless another process got there first.

    The key is written to a temporary file in the same directory and linked into place: a
    process starting at the same moment (the web server and the scheduler of `make run`) reads
    either no file or the whole key, never a half-written one, and both end up with the same."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(value + "\n")
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
