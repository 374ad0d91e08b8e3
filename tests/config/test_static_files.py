"""Static files: served by whitenoise from the app itself (no CDN, no web server needed).

In production (DEBUG=False) `collectstatic` writes compressed, content-hashed copies into
STATIC_ROOT and the WSGI application serves them with a far-future cache; with DEBUG (runserver,
tests) they are served from the apps' directories without collecting anything."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HTMX = "vendor/htmx/htmx.min.js"

# Runs in a fresh interpreter with DEBUG=False: builds a WSGI request by hand and calls
# config.wsgi.application, the object a production server (gunicorn, uwsgi) calls.
PROBE = r"""
import io, json, sys
from wsgiref.util import setup_testing_defaults
from django.conf import settings
from config.wsgi import application
from django.contrib.staticfiles.storage import staticfiles_storage

def get(path, **headers):
    # Over https: production redirects plain http there first (SECURE_SSL_REDIRECT).
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "HTTP_HOST": "testserver",
               "wsgi.url_scheme": "https"}
    environ.update(headers)
    setup_testing_defaults(environ)
    answer = {}
    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = {k.lower(): v for k, v in response_headers}
    body = b"".join(application(environ, start_response))
    answer["length"] = len(body)
    answer["head"] = body[:40].decode("latin-1")
    return answer

hashed = staticfiles_storage.url(sys.argv[1])
print(json.dumps({
    "debug": settings.DEBUG,
    "storage": type(staticfiles_storage._wrapped).__name__,
    "hashed_url": hashed,
    "hashed": get(hashed),
    "gzip": get(hashed, HTTP_ACCEPT_ENCODING="gzip"),
    "plain": get("/static/" + sys.argv[1]),
    "missing": get("/static/vendor/htmx/nothing-here.js"),
}))
"""


def _production_env(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="False",
        VAR_DIR=str(var_dir),
        SECRET_KEY="test-only-" + "x" * 50,
        ALLOWED_HOSTS="testserver",
    )
    return env


def test_production_serves_the_collected_htmx_from_the_wsgi_app(tmp_path):
    env = _production_env(tmp_path)
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collect.returncode == 0, collect.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()  # the manifest of hashed names
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, HTMX],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    assert result["debug"] is False
    assert result["storage"] == "StaticFilesStorage"  # config.storage (whitenoise's manifest)
    assert result["hashed_url"].startswith("/static/vendor/htmx/htmx.min.")
    assert result["hashed_url"] != f"/static/{HTMX}"
    hashed = result["hashed"]
    assert hashed["status"] == 200
    assert hashed["head"].startswith("var htmx=")
    assert "immutable" in hashed["headers"]["cache-control"]  # far-future cache: name is hashed
    assert result["gzip"]["status"] == 200
    assert result["gzip"]["headers"].get("content-encoding") == "gzip"
    assert result["gzip"]["length"] < hashed["length"]
    assert result["plain"]["status"] == 200
    assert result["missing"]["status"] == 404


def test_with_debug_the_vendored_htmx_is_served_without_collectstatic(client):
    response = client.get(f"/static/{HTMX}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"var htmx=")


def test_htmx_is_vendored_with_its_licence():
    assert (ROOT / "static" / HTMX).stat().st_size > 10_000
    assert "Zero-Clause BSD" in (ROOT / "static/vendor/htmx/LICENSE").read_text()
