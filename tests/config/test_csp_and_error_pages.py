"""Issue 11, finding 9: the Content-Security-Policy, the pages that keep it, the development-mode
banner and the product's own error pages (nothing of the settings on any of them)."""

import json
import re
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.views.debug import ExceptionReporter, get_default_exception_reporter_filter

ROOT = Path(__file__).resolve().parent.parent.parent
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
# What a policy without 'unsafe-inline' refuses in a template.
INLINE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"\shx-on[:-]", re.I), "hx-on attribute (evaluated script)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def _project_templates():
    for path in sorted(ROOT.glob("*/templates/**/*.html")) + sorted(
        ROOT.glob("templates/**/*.html")
    ):
        if ".venv" not in path.parts:
            yield path


def _policy(response) -> dict:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.django_db
def test_finding9_pages_carry_the_content_security_policy(client):
    assert _policy(client.get("/accounts/login/")) == POLICY


def test_finding9_no_template_needs_inline_script_or_style():
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in _project_templates()
        for pattern, what in INLINE
        if pattern.search(path.read_text())
    ]
    assert list(_project_templates())  # the glob finds the templates
    assert found == []


def _htmx_config(client) -> dict:
    page = client.get("/accounts/login/").content.decode()
    return json.loads(re.search(r"""<meta name="htmx-config" content='([^']*)'>""", page)[1])


@pytest.mark.django_db
def test_finding9_htmx_injects_no_indicator_style(client):
    """htmx 2 adds an inline <style> for its indicator unless told not to; the rule is in
    app.css instead."""
    assert _htmx_config(client)["includeIndicatorStyles"] is False
    assert ".htmx-request .htmx-indicator" in (ROOT / "static/css/app.css").read_text()


@pytest.mark.django_db
def test_finding9_htmx_copies_no_style_attribute_across_a_swap(client):
    """htmx's settle step copies the old element's style attribute with setAttribute, which the
    policy blocks (seen in the browser tests as a CSP violation on every boosted form page)."""
    assert _htmx_config(client)["attributesToSettle"] == ["class", "width", "height"]


@pytest.mark.django_db
def test_finding9_development_mode_shows_its_banner_on_every_page(client, settings):
    settings.DEBUG = True
    page = client.get("/accounts/login/").content.decode()
    assert 'data-testid="dev-banner"' in page


@pytest.mark.django_db
def test_finding9_production_pages_have_no_banner(client):
    assert 'data-testid="dev-banner"' not in client.get("/accounts/login/").content.decode()


def _secrets() -> list[str]:
    db = settings.DATABASES["default"]
    return [settings.SECRET_KEY, str(db["NAME"]), "DATABASE_URL", "SECRET_KEY", "Traceback"]


@pytest.mark.urls("tests.config.failing_urls")
def test_finding9_a_failing_view_answers_the_products_500_page_and_no_setting():
    """No database marker: the 500 page may not query it (pytest-django would raise)."""
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert 'data-testid="error-page"' in page
    assert 'href="/static/css/app.css"' in page  # the product's layout
    assert "kaboom" not in page
    for secret in _secrets():
        assert secret not in page, secret


@pytest.mark.urls("tests.config.failing_urls")
def test_finding9_the_500_page_keeps_the_policy():
    response = Client(raise_request_exception=False).get("/boom/")
    assert _policy(response) == POLICY


@pytest.mark.django_db
def test_finding9_an_unknown_address_answers_the_products_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert 'data-testid="error-page"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls("tests.config.failing_urls")
def test_finding9_a_refusal_answers_the_products_403_page(client):
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert 'data-testid="error-page"' in response.content.decode()


@pytest.mark.django_db
def test_finding9_an_unknown_host_answers_the_products_400_page(client):
    response = client.get("/accounts/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert 'data-testid="error-page"' in response.content.decode()


@pytest.mark.django_db
def test_finding9_a_missing_csrf_token_answers_the_products_page():
    """Django's own CSRF page carries an inline <style> the policy refuses."""
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert 'data-testid="error-page"' in page
    assert "<style" not in page


def _debug_page(request) -> str:
    """Django's DEBUG page for a failure while answering `request` (its traceback starts here,
    where no password is in the source or in a local variable)."""
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        return ExceptionReporter(request, *sys.exc_info()).get_traceback_html()


def test_finding9_error_reports_mask_connection_urls(settings):
    """The DEBUG page (and the mails to ADMINS) showed DATABASE_URL from the request's
    environment as it is; connection URLs carry their passwords."""
    settings.CELERY_BROKER_URL = "redis://:broker-pw-123@redis.example:6379/0"
    request = RequestFactory().get(
        "/", DATABASE_URL="postgres://hr:db-pw-456@db.example/hr", EMAIL_URL="smtp://u:m-pw@mx"
    )
    html = _debug_page(request)
    for password in ("broker-pw-123", "db-pw-456", "m-pw"):
        assert password not in html, password
    masked = get_default_exception_reporter_filter().get_safe_request_meta(request)
    assert masked["DATABASE_URL"] == "********************"
