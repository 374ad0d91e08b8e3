"""Suite-wide fixtures and the PostgreSQL-only marker.

Tests marked `postgres` need PostgreSQL (row locks, skip_locked). On a SQLite run they are
deselected (and counted in the summary); on a PostgreSQL run (`DATABASE_URL=postgres://...`, as
in CI) they run, and they fail if the database is not PostgreSQL. They never skip.
"""

import pytest
from django.conf import settings


def pytest_configure(config):
    # The suite creates many users; the production hasher would spend most of the run hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The settings load with DEBUG off (its default), i.e. with production's defaults. Two of
    # them do not fit a test run: static files are served from the apps' directories, as in
    # development, without `collectstatic` (tests/config/test_static_files.py runs the collected
    # production storage in a subprocess); and the test client and the browser tests' live
    # server speak plain http, so no redirect to https and no Secure-only cookies.
    # tests/config/test_deploy_settings.py checks production's values in a fresh interpreter.
    from tests.plainhttp import serve_plain_http

    serve_plain_http(settings)
    _flush_past_the_audit_triggers()


def _flush_past_the_audit_triggers():
    """Django flushes SQLite (after each transactional test) with DELETE FROM, which the audit
    table's triggers refuse (audit/db.py); PostgreSQL's flush is a TRUNCATE, which they let
    pass. The test flush drops the SQLite triggers for its statements and puts them back."""
    if settings.USING_POSTGRES:
        return
    from django.db.backends.sqlite3.base import DatabaseOperations

    from audit import db as audit_db

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        if any(audit_db.TABLE in sql for sql in sql_list):
            sql_list = [*audit_db.SQLITE_REMOVE, *sql_list, *audit_db.SQLITE_INSTALL]
        return original(self, sql_list)

    DatabaseOperations.execute_sql_flush = execute_sql_flush


def pytest_collection_modifyitems(config, items):
    if settings.USING_POSTGRES:
        return
    deselected = [item for item in items if item.get_closest_marker("postgres")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


@pytest.fixture(autouse=True)
def _postgres_marker_guard(request):
    if request.node.get_closest_marker("postgres"):
        from django.db import connection

        assert connection.vendor == "postgresql", "this test needs PostgreSQL (DATABASE_URL)"


@pytest.fixture(autouse=True)
def _default_language():
    """A test that activates a language in this thread does not leave it to the next one."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings, tmp_path):
    """Each test's database starts empty: so does its audit checkpoint file (a sweep writes
    one), never the one under VAR_DIR that a previous run's events were checkpointed in."""
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.jsonl")


@pytest.fixture(autouse=True)
def _mail_to_memory(settings):
    """Tests read sent mail from django.core.mail.outbox unless they configure SMTP themselves."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _default_policy(request):
    """Transactional tests flush the tables, data migrations included: reinstall the default
    policy pack for every test that uses the database."""
    from policy.services import policy_cache_clear

    policy_cache_clear()  # a rolled-back test's version may share a code with this one's
    if request.node.get_closest_marker("django_db"):
        from policy.services import install_default_pack

        install_default_pack()


@pytest.fixture
def org(db):
    """The small organisation of tests/orgdata.py."""
    from tests.orgdata import build_org

    return build_org()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The API's throttles count in the cache (local memory in tests): no test inherits
    another's counts."""
    from django.core.cache import cache

    cache.clear()
    yield
