"""Browser harness: Playwright (sync API) driving Debian's Chromium against pytest-django's
live_server. Every test here is marked `e2e` (`make test-fast` leaves them out).

On a failed test, each page the test opened leaves a screenshot and its HTML under
test-artifacts/e2e/<test name>/, and the failure report says where.
"""

import io
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

# Playwright's sync API keeps an asyncio event loop running in the test's own thread, and
# Django refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation). The
# refusal guards against blocking a real async server; here the loop only waits on the browser
# while the test body (fixtures, ORM set-up, assertions) runs synchronously, so it is safe.
# It is set for the whole run, not per test: the session's browser keeps its loop after the
# last e2e test, and the tests collected after them use the ORM too. (Production never has it;
# tests/foundation keeps it out of the production-settings subprocesses.)
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "e2e"
# Passwords of the accounts `seed_demo` creates.
DEMO_PASSWORD = "bootcamp-demo"


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: install Debian's chromium (make chromium, as root)"
    )
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item, so fixtures can tell in their teardown whether
    # the test body failed (pytest's documented recipe).
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def demo_data(transactional_db):
    """The real roadmap and the demo accounts (staff, mentor1-2, learner1-5 in cohort 'demo')."""
    quiet = io.StringIO()
    call_command("load_curriculum", stdout=quiet)
    # settings.DEBUG is False under tests; --force says this is a throw-away database.
    call_command("seed_demo", "--force", stdout=quiet)


@pytest.fixture
def new_page(browser, live_server, request):
    """new_page(label) -> a Page in a fresh browser context (its own cookies), so one test can
    act as a learner and a mentor side by side. `javascript=False` browses as a user without
    JavaScript: no script of the site is loaded (every .js request is refused), so the page
    works only through links and forms. (Chromium's own switch, `java_script_enabled=False`,
    would also stop axe: page.evaluate never returns in such a context.)"""
    opened = []
    csp_errors = []

    def open_page(label="page", *, javascript=True):
        # Reduced motion turns Bootstrap's transitions off, so axe never reads a button's colours
        # halfway through its hover or focus transition.
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", reduced_motion="reduce"
        )
        if not javascript:
            context.route("**/*.js", lambda route: route.abort())
        context.set_default_timeout(10_000)
        page = context.new_page()
        # Anything the Content-Security-Policy blocks (an inline script or style someone
        # added) is a bug users would meet as a silently broken page: collect it.
        page.on("console", lambda message: _collect_csp_error(csp_errors, label, page, message))
        opened.append((label, page))
        return page

    yield open_page

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = _save_artifacts(request.node.name, opened)
        message = f"screenshots and HTML of the failed test's pages: {folder}"
        # The call report is printed in the failure summary at the end of the session, after
        # this teardown: a section on it puts the path right under the traceback.
        report.sections.append(("e2e artifacts", message))
    for _label, page in opened:
        page.context.close()
    if report is not None and report.passed and csp_errors:
        pytest.fail("The Content-Security-Policy blocked something:\n" + "\n".join(csp_errors))


def _collect_csp_error(errors, label, page, message):
    if "Content Security Policy" not in message.text:
        return
    # Django's own admin scripts (jQuery, select2) build elements from HTML strings with
    # style attributes; the policy drops those styles, which costs the admin some cosmetics
    # and nothing else. Our pages, and any script on the admin's, must be clean.
    if urlsplit(page.url).path.startswith("/admin/") and "inline style" in message.text:
        return
    errors.append(f"{label} on {page.url}: {message.text}")


@pytest.fixture
def page(new_page):
    return new_page("page")


def _save_artifacts(test_name, opened):
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", test_name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for label, page in opened:
        if page.is_closed():
            continue
        try:
            page.screenshot(path=folder / f"{label}.png", full_page=True)
            (folder / f"{label}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - a broken page must not hide the real failure
            (folder / f"{label}.error.txt").write_text(repr(exc), encoding="utf-8")
    return folder
