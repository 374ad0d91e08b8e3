"""The API docs (Swagger UI) work on an intranet without internet: every script, stylesheet and
icon comes from the app's own static files (drf-spectacular-sidecar), none from a CDN."""

import re

import pytest

from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.fixture
def docs(client):
    client.force_login(EmployeeFactory().user)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_docs_page_names_no_other_host(docs):
    assert re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}", docs) == []


def test_every_static_file_of_the_docs_page_is_served(client, docs):
    references = REFERENCE.findall(docs)
    static = [url for url in references if url.startswith("/static/")]
    assert any(url.endswith("swagger-ui-bundle.js") for url in static)
    assert any(url.endswith("swagger-ui.css") for url in static)
    assert any(url.endswith(".png") for url in static)  # the favicon
    # Nothing from anywhere else; the start-up script is the docs page's own (?script).
    assert set(references) - set(static) == {"/api/v1/docs/?script="}
    for url in static:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content), url


def test_the_online_validator_is_off(client, docs):
    """Swagger UI's validator badge would send the schema's address to validator.swagger.io."""
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert '"validatorUrl": null' in script.content.decode()


def test_the_docs_page_runs_no_inline_script_or_style(docs):
    """Finding 9 (CSP): Swagger UI's start-up script is a file and its style a stylesheet, so the
    page keeps the site's policy (script-src 'self'; style-src 'self')."""
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", docs) is None
    assert "<style" not in docs
    assert "style=" not in docs
