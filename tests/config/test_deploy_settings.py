"""Issue 11, finding 9: safe deployment defaults.

DEBUG is off unless asked for; with it off the defaults are production's (https only, Secure
cookies, HSTS); there is no built-in SECRET_KEY (the variable, else a key generated once into
VAR_DIR/secret.key) and a weak one stops production; `check --deploy` is clean with the variables
README.md documents. The suite itself loads the settings with DEBUG off and then relaxes
transport and static files (tests/conftest.py), so every setting here is read in a fresh
interpreter with exactly the environment under test."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from django.core.management.utils import get_random_secret_key

ROOT = Path(__file__).resolve().parent.parent.parent
# Variables these tests set themselves; whatever the caller's shell has for them is dropped.
CONFIG_VARS = {
    "CACHE_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
}
HTTPS_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
]
READ = (
    "import json, sys; from django.conf import settings; "
    "print(json.dumps({n: getattr(settings, n, None) for n in sys.argv[1:]}))"
)


def _env(var_dir: Path, **values: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in CONFIG_VARS and not k.startswith(("DJANGO_", "PYTEST_"))
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(var_dir), **values)
    return env


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


def _settings(var_dir: Path, names: list[str], **values: str) -> dict:
    done = _run(["-c", READ, *names], _env(var_dir, **values))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_finding9_debug_is_off_without_the_variable(tmp_path):
    assert _settings(tmp_path, ["DEBUG"]) == {"DEBUG": False}


def test_finding9_without_debug_the_defaults_are_https_only(tmp_path):
    assert _settings(tmp_path, HTTPS_SETTINGS) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def test_finding9_development_mode_serves_plain_http(tmp_path):
    """`make run` sets DEBUG=1: http://127.0.0.1:8000 must work."""
    assert _settings(tmp_path, ["DEBUG", *HTTPS_SETTINGS, "ALLOWED_HOSTS"], DEBUG="1") == {
        "DEBUG": True,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
    }


def test_finding9_the_makefile_runs_development_mode():
    makefile = (ROOT / "Makefile").read_text()
    assert "DEBUG=1 $(PY) manage.py run_scheduler" in makefile
    assert "DEBUG=1 $(PY) manage.py runserver" in makefile


def test_finding9_the_tls_proxy_header_is_trusted_only_when_named(tmp_path):
    name = ["SECURE_PROXY_SSL_HEADER"]
    assert _settings(tmp_path, name) == {"SECURE_PROXY_SSL_HEADER": None}
    named = _settings(tmp_path, name, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert named == {"SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"]}


def test_finding9_hosts_and_trusted_origins_come_from_the_environment(tmp_path):
    read = _settings(
        tmp_path,
        ["ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"],
        ALLOWED_HOSTS="hr.example.com,hr.intranet",
        CSRF_TRUSTED_ORIGINS="https://hr.example.com",
    )
    assert read == {
        "ALLOWED_HOSTS": ["hr.example.com", "hr.intranet"],
        "CSRF_TRUSTED_ORIGINS": ["https://hr.example.com"],
    }


def test_finding9_without_secret_key_one_is_generated_once_for_the_owner_only(tmp_path):
    first = _settings(tmp_path, ["SECRET_KEY"])["SECRET_KEY"]
    again = _settings(tmp_path, ["SECRET_KEY"])["SECRET_KEY"]
    key_file = tmp_path / "secret.key"
    assert first == again == key_file.read_text().strip()
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_finding9_there_is_no_built_in_secret_key(tmp_path):
    """Two installations without SECRET_KEY never share a key (the old constant is gone)."""
    one = _settings(tmp_path / "one", ["SECRET_KEY"])["SECRET_KEY"]
    other = _settings(tmp_path / "other", ["SECRET_KEY"])["SECRET_KEY"]
    assert one != other


def test_finding9_a_weak_secret_key_stops_production(tmp_path):
    old_default = "dev-only-insecure-key-change-me-in-production"
    done = _run(["-c", READ, "DEBUG"], _env(tmp_path, SECRET_KEY=old_default))
    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is too weak for production" in done.stderr


def test_finding9_the_secret_key_variable_wins_over_the_file(tmp_path):
    key = get_random_secret_key()
    assert _settings(tmp_path, ["SECRET_KEY"], SECRET_KEY=key) == {"SECRET_KEY": key}
    assert not (tmp_path / "secret.key").exists()


# The production variables of README.md ("Production settings"), with this run's own values.
def _production(tmp_path: Path) -> dict:
    return _env(
        tmp_path,
        DEBUG="0",
        SECRET_KEY=get_random_secret_key(),
        ALLOWED_HOSTS="hr.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SECURE_HSTS_PRELOAD="1",
    )


def test_finding9_check_deploy_is_clean_with_the_documented_variables(tmp_path):
    done = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production(tmp_path)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_finding9_the_documented_variables_are_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Production settings", 1)[1].split("\n## ", 1)[0]
    for name in CONFIG_VARS - {"DATABASE_URL"}:  # DATABASE_URL: in the Configuration table
        assert f"`{name}`" in section, name


def test_finding8_throttles_count_in_a_shared_cache_when_one_is_named(tmp_path):
    """Several app servers share the throttles' counts only through a shared cache."""
    alone = _settings(tmp_path, ["CACHES"])["CACHES"]["default"]["BACKEND"]
    assert alone == "django.core.cache.backends.locmem.LocMemCache"
    shared = _settings(tmp_path, ["CACHES"], CACHE_URL="rediscache://127.0.0.1:6379/1")
    assert shared["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert shared["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/1"
