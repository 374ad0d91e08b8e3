"""Browser tests drive Debian's chromium with Playwright (never a downloaded browser). A machine
without /usr/bin/chromium fails these tests; they do not skip.

Every test gets `browser_page` once per viewport (ids "desktop" 1280×800 and "phone" 390×844; a
test narrows it with `@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)`). The
helpers of tests/browser/pages.py check every page they reach (tests/browser/pages.py:check_page):
an engine console page fails the test at once; English in a Chinese page and, on the phone, a page
wider than the screen are collected page by page and fail the test when it ends, so one run names
every such page of the journey (the report lists them under "page checks")."""

import os

import pytest

from tests.browser import pages

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}


@pytest.fixture(scope="session")
def _playwright():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page steps are plain synchronous code, so allow them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def _browser(_playwright):
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install -y chromium"
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield browser
    browser.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def browser_page(_browser, viewport, request):
    context = _browser.new_context(locale="zh-CN", **VIEWPORTS[viewport])
    page = context.new_page()
    page.set_default_timeout(15000)
    pages.watch(page, test=request.node.originalname, viewport=viewport)
    request.node._page_checks = pages.findings(page)
    yield page
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test's own steps passed: fail it if a page it reached spoke English in the
    Chinese UI or overflowed the phone's screen; after a failure, show them beside it."""
    try:
        result = yield
    except BaseException:
        found = getattr(item, "_page_checks", None)
        if found:
            item.add_report_section("call", "page checks", "\n".join(found))
        raise
    found = getattr(item, "_page_checks", None)
    if found:
        pytest.fail("pages failed their checks:\n" + "\n".join(found), pytrace=False)
    return result
