"""Steps the browser tests share, as a person takes them: signing in, going to a list from the
header and clicking a row's link, claiming from 待领取, submitting one of a case page's action
forms, deciding ticked requests in bulk.

Every step ends with `check_page` on the page it reached:
- the engine console is gone: no URL under /workflow/, no viewflow/Material stylesheet, script,
  class or link in the HTML (fails the test at once);
- a page rendered for a Chinese reader has no English left (tests.i18n_check), and on the phone
  nothing is wider than the screen: both are recorded (`findings`) and fail the test when it
  ends (tests/browser/conftest.py), so one run names every such page; so is everything the
  Content-Security-Policy refused (chromium's console reports, any page, any time);
- a full-page screenshot goes to var/screenshots/<test>-<viewport>-<NN>-<slug>.png.

Pages are boosted by htmx (hx-boost): a click swaps the body and pushes the URL, so a step waits
for the swap (the old <main> is marked, the step waits until it is replaced and htmx settled)
rather than for a page load."""

import re
from pathlib import Path
from urllib.parse import urlsplit

from tests.i18n_check import english_words, names_of_people

PASSWORD = "pass12345"  # tests/factories.py UserFactory
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# What of viewflow's retired console (its Material site) may never come back in a page.
# Lowercase file-name extensions of what people upload ("病假条.pdf"): their words, not the UI's.
FILE_EXTENSIONS = frozenset({"pdf", "jpg", "jpeg", "png"})
CONSOLE = [
    (re.compile(r"""(?:href|src)=["'][^"']*viewflow""", re.I), "a viewflow stylesheet or script"),
    (re.compile(r"""href=["'](?:https?://[^/"']+)?/workflow/"""), "a link into /workflow/"),
    (re.compile(r"""class=["'][^"']*(?<![\w-])(?:vf|mdc)-"""), "a vf-/mdc- (Material) class"),
    (re.compile(r"Material"), "“Material”"),
]
NAV = {
    "home": "header nav a[href='/']",
    "inbox": "[data-testid=nav-inbox]",
    "queue": "[data-testid=nav-queue]",
    "done": "header nav a[href='/done/']",
    "mine": "header nav a[href='/mine/']",
    "copied": "header nav a[href='/copied/']",
    "notices": "[data-testid=bell]",
}
_STALE = "() => { const m = document.querySelector('main'); if (m) m.dataset.stale = '1'; }"
_SWAPPED = """() => {
  const m = document.querySelector('main');
  return document.readyState === 'complete' && m !== null && !m.dataset.stale &&
    document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling') === null;
}"""
# Where each English word is: the nearest element with an id, and the element holding it.
_WHERE = """words => {
  const out = {};
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    for (const w of words) {
      if (out[w] || !new RegExp('(^|[^A-Za-z])' + w + '([^A-Za-z]|$)').test(n.textContent)) continue;
      const el = n.parentElement, section = el.closest('[id]');
      out[w] = `${section ? '#' + section.id : 'body'} ${el.tagName.toLowerCase()}`;
    }
  }
  return out;
}"""
_OVERFLOW = """() => {
  const width = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth <= width + 1) return null;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1) {
      const cls = typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      const testid = el.dataset && el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : '';
      wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}${testid} ` +
        `(right edge ${Math.round(r.right)}px)`);
      if (wide.length === 4) break;
    }
  }
  return `scrollWidth ${scrollWidth}px > ${width}px: ` + wide.join(', ');
}"""


# --- the page checks ------------------------------------------------------------------------


def watch(page, *, test: str, viewport: str) -> None:
    """Start checking `page` for the test `test` at `viewport` (tests/browser/conftest.py)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob(f"{test}-{viewport}-*.png"):
        old.unlink()
    page._hr_checks = {"test": test, "viewport": viewport, "n": 0, "findings": [], "seen": set()}
    _watch_csp(page)


def _watch_csp(page) -> None:
    """Issue 11, finding 9: chromium reports what the Content-Security-Policy refused (an
    inline style htmx injects, a style= attribute, an inline script) on the console; each such
    report is a finding of the test."""
    findings = page._hr_checks["findings"]

    def on_console(message):
        if "Content Security Policy" in message.text:
            path = urlsplit(page.url).path
            findings.append(f"CSP violation on {path}: {message.text[:300]}")

    page.on("console", on_console)


def watch_also(other, page) -> None:
    """Check a second tab of the same person like the first (one numbering, one report)."""
    other.set_default_timeout(15000)
    other._hr_checks = page._hr_checks
    _watch_csp(other)


def findings(page) -> list[str]:
    return page._hr_checks["findings"]


def _slug(path: str, label: str | None) -> str:
    parts = [p for p in path.strip("/").split("/") if p and p != "accounts"] or ["home"]
    slug = "-".join(parts + ([label] if label else []))
    return re.sub(r"[^a-z0-9-]+", "-", slug.lower()).strip("-")[:48]


def check_page(page, label: str | None = None, *, screenshot: bool = True) -> None:
    """The checks every page reached passes (see the module's docstring)."""
    state = page._hr_checks
    url = page.url
    path = urlsplit(url).path
    assert "/workflow/" not in url, f"an engine console URL was reached: {url}"
    html = page.content()
    for pattern, what in CONSOLE:
        match = pattern.search(html)
        assert match is None, f"{path} shows the retired console: {what} ({match.group(0)!r})"
    if screenshot:
        state["n"] += 1
    name = f"{state['test']}-{state['viewport']}-{state['n']:02d}-{_slug(path, label)}.png"
    if screenshot:
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    where = f"{path} ({name})"
    lang = page.evaluate("document.documentElement.lang")
    if lang.lower().startswith("zh"):
        words = english_words(html, names_of_people() | FILE_EXTENSIONS)
        if words:
            places = page.evaluate(_WHERE, words)
            shown = ", ".join(f"{w} ({places.get(w, 'an attribute or the title')})" for w in words)
            state["findings"].append(f"English in {where}: {shown}")
    if state["viewport"] == "phone":
        wide = page.evaluate(_OVERFLOW)
        if wide:
            state["findings"].append(f"Wider than the phone in {where}: {wide}")


def english_found(page) -> list[str]:
    return [f for f in findings(page) if f.startswith("English")]


# --- moving around ----------------------------------------------------------------------------


def _wait_swapped(page) -> None:
    page.wait_for_function(_SWAPPED)


def goto(page, url: str, label: str | None = None) -> None:
    """Type an address (a person's bookmark, the login page): a full page load."""
    page.goto(url)
    page.wait_for_function(_SWAPPED)
    check_page(page, label)


def click(page, target, label: str | None = None) -> None:
    """Click a link or button (a locator or a selector) and wait for the page it brings."""
    locator = page.locator(target) if isinstance(target, str) else target
    page.evaluate(_STALE)
    locator.click()
    _wait_swapped(page)
    check_page(page, label)


def path_of(page) -> str:
    return urlsplit(page.url).path


def login(page, base, username, password=PASSWORD):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    _wait_swapped(page)
    seen = page._hr_checks["seen"]
    check_page(page, screenshot="login" not in seen)  # one screenshot of it per test is enough
    seen.add("login")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.evaluate(_STALE)
    page.click("button[type=submit]")
    _wait_swapped(page)
    assert path_of(page) == "/", f"{username} did not land on 我的主页: {page.url}"
    check_page(page, username)


def nav(page, box: str) -> None:
    """Go to a list (inbox, queue, done, mine, copied), the bell or home from the header."""
    click(page, NAV[box])
    expected = "/" if box == "home" else f"/{box}/"
    assert path_of(page) == expected, (box, page.url)


def rows(page, resource: str | None = None, case_id=None):
    selector = "table[data-testid=rows] tbody tr"
    if resource:
        selector += f"[data-resource='{resource}']"
    if case_id is not None:
        selector += f"[data-case='{case_id}']"
    return page.locator(selector)


def _one_row(page, box, resource, case_id):
    """The row of the one case of `resource` listed (a case may have two open steps, e.g. a
    penalty's signing and objection: its first row)."""
    found = rows(page, resource, case_id)
    cases = set(found.evaluate_all("rows => rows.map(r => r.dataset.case)"))
    assert len(cases) == 1, f"cases {sorted(cases)} of {resource} in {box} ({page.url})"
    return found.first, int(cases.pop())


def open_case_from_list(page, base, box: str, resource: str, case_id=None) -> int:
    """From the header go to the list `box`, find the one row of `resource` (or of that case)
    and click its link; returns the case id."""
    nav(page, box)
    row, case_id = _one_row(page, box, resource, case_id)
    page.evaluate(_STALE)
    row.locator(f"a[href='/{resource}/{case_id}/']").first.click()
    _wait_swapped(page)
    assert path_of(page) == f"/{resource}/{case_id}/", page.url
    page.locator("#case-summary").wait_for()
    check_page(page)
    return case_id


def claim(page, base, resource: str, open=True, case_id=None) -> int:
    """Claim the queued step of `resource` from 待领取: "领取并打开" lands on the case page,
    "领取" stays on the queue (the row leaves it: the step is in 待办 now)."""
    nav(page, "queue")
    row, case_id = _one_row(page, "queue", resource, case_id)
    form = row.locator("form.claim")
    button = form.locator("button[name=open]") if open else form.locator("[data-testid=claim]")
    page.evaluate(_STALE)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        button.click()
    _wait_swapped(page)
    assert answer.value.status in (302, 303), (answer.value.status, answer.value.url)
    if open:
        page.locator("#case-summary").wait_for()
        assert path_of(page) == f"/{resource}/{case_id}/", (
            f"领取并打开 shows the case but the address bar says {page.url}"
        )
        check_page(page, "claimed")
    else:
        assert path_of(page) == "/queue/", page.url
        assert rows(page, resource, case_id).count() == 0, "the claimed row is still queued"
        check_page(page, "claimed")
    return case_id


def submit_action(page, action, fill=None, select=None, check=None, files=None, refused=False):
    """Fill and submit the case page's `form[data-action=<action>]` (opening its <details>
    first); `check` ticks {name: value or [values]}; `files` sets {name: file payload}. An
    accepted action redirects back to the page; a refused one (`refused=True`) answers the same
    page with 400 and #form-error, whose text is returned."""
    form = page.locator(f"form[data-action='{action}']")
    assert form.count() == 1, f"{form.count()} forms for {action!r} on {page.url}"
    details = form.locator("xpath=ancestor::details[1]")
    if details.count() and not details.evaluate("d => d.open"):
        details.locator("summary").click()
    for name, value in (fill or {}).items():
        form.locator(f"[name='{name}']").fill(value)
    for name, value in (select or {}).items():
        form.locator(f"select[name='{name}']").select_option(value)
    for name, values in (check or {}).items():
        for value in [values] if isinstance(values, str | int) else values:
            form.locator(f"input[name='{name}'][value='{value}']").check()
    for name, payload in (files or {}).items():
        form.locator(f"input[type=file][name='{name}']").set_input_files(payload)
    page.evaluate(_STALE)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.locator("button[type=submit]").first.click()
    _wait_swapped(page)
    status = answer.value.status
    error = page.locator("#form-error")
    if refused:
        assert status == 400, f"{action} was not refused ({status})"
        assert error.count() == 1, f"{action} refused without #form-error"
        check_page(page, f"{action}-refused")
        return error.inner_text()
    assert status in (302, 303), (
        f"{action} answered {status}: {error.inner_text() if error.count() else ''}"
    )
    assert error.count() == 0, error.inner_text()
    check_page(page, action)
    return None


def bulk(page, picks, decision: str, text: str = "") -> dict:
    """From the inbox: tick `picks` (("leaves", id), ...), write the comment or reason and press
    the bulk button; returns {"<id>": ok} from #bulk-result (each case listed)."""
    if path_of(page) != "/inbox/":
        nav(page, "inbox")
    for resource, pk in picks:
        page.locator(f"input[name=case][value='{resource}:{pk}']").check()
    page.fill("#bulk-text", text)
    page.evaluate(_STALE)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click(f"[data-testid=bulk-{decision}]")
    _wait_swapped(page)
    assert answer.value.status == 200, answer.value.status
    page.locator("#bulk-result").wait_for()
    check_page(page, f"bulk-{decision}")
    result = page.locator("#bulk-result tr[data-case]")
    return {
        result.nth(i).get_attribute("data-case"): result.nth(i).get_attribute("data-ok") == "1"
        for i in range(result.count())
    }
