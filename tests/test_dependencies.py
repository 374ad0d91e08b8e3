"""pyproject.toml declares the dependencies as compatible ranges; requirements*.txt pin the
versions the Makefile installs. Both lists name the same packages, and every pin lies in its range."""

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _pins(filename: str) -> dict[str, Requirement]:
    pins = {}
    for line in (ROOT / filename).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-r"):
            continue
        requirement = Requirement(line)
        pins[canonicalize_name(requirement.name)] = requirement
    return pins


def _declared(entries: list[str]) -> dict[str, Requirement]:
    return {canonicalize_name(Requirement(e).name): Requirement(e) for e in entries}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _check(pins: dict[str, Requirement], declared: dict[str, Requirement]) -> None:
    assert set(pins) == set(declared)
    for name, pin in pins.items():
        (spec,) = pin.specifier
        assert spec.operator == "==", f"{name} is not pinned in the requirements file"
        assert declared[name].specifier.contains(spec.version), (
            f"{name}=={spec.version} is outside pyproject's {declared[name].specifier}"
        )
        assert pin.extras == declared[name].extras, name


def test_runtime_pins_match_the_declared_ranges():
    _check(_pins("requirements.txt"), _declared(_project()["dependencies"]))


def test_dev_pins_match_the_declared_ranges():
    _check(_pins("requirements-dev.txt"), _declared(_project()["optional-dependencies"]["dev"]))


def test_the_static_file_and_api_doc_packages_are_pinned():
    assert {"whitenoise", "django-htmx", "drf-spectacular-sidecar"} <= set(
        _pins("requirements.txt")
    )
