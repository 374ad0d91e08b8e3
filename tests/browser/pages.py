"""Steps the browser tests share: signing in, opening a task from the viewflow inbox or queue,
submitting one of the task page's action forms."""

import re


def login(page, base, username, password="pass12345"):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def open_task(page, base, flow: str, node: str | None = None, *, queue=False):
    """Open the user's task of `flow` (and `node`) listed in the inbox, or take it from the role
    queue first (viewflow's assign page), and land on its page."""
    link = re.compile(rf"^/workflow/flows/{flow}/\d+/(\w+)/\d+/$")
    page.goto(f"{base}/workflow/{'queue' if queue else 'inbox'}/")
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    [task_url] = [h for h in hrefs if (m := link.match(h)) and node in (None, m.group(1))]
    page.goto(base + task_url)
    if "/assign/" in page.url:
        page.locator("form button[type=submit], form button:not([type])").last.click()
        page.wait_for_load_state("networkidle")
        page.goto(base + task_url)
    page.locator("#case-summary").wait_for()


def submit_action(page, action, fill=None, select=None):
    form = page.locator(f"form[data-action='{action}']")
    for name, value in (fill or {}).items():
        form.locator(f"[name='{name}']").fill(value)
    for name, value in (select or {}).items():
        form.locator(f"select[name='{name}']").select_option(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
