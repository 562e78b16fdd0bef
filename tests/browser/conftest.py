"""Browser tests: a headless system Chromium driven by Playwright against the live server.

Every page a test loads is checked with axe-core for WCAG 2.2 AA and watched for Content
Security Policy violations. Journeys use the `ui` fixture: its navigation helpers check each
page as it arrives, and a test that loads a page without checking it fails at teardown.

Chromium is the Debian package at /usr/bin/chromium (or $CHROMIUM); Playwright never downloads
a browser here. Without it the tests are skipped, unless CI=true or REQUIRE_BROWSER=1, when
they fail.
"""

import json
import os
import re
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def browser_required():
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("REQUIRE_BROWSER") == "1"


def totp_code(secret):
    """The authenticator app's code for now: the middle of the counters allauth accepts."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def format_violations(url, violations):
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if browser_required():
            pytest.fail(f"{message}; CI=true or REQUIRE_BROWSER=1 needs the browser tests")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread while it is started, and
    # Django refuses ORM calls beside a running loop; the tests' own ORM calls (building
    # personas) are synchronous all the same. Allowed only while this module's browser runs.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class UI:
    """A browser tab with navigation helpers that check every page they reach."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.loads = []
        self.checked = 0
        self.csp_violations = []
        page.on("load", lambda p: self.loads.append(p.url))
        page.on("console", self._console)

    def _console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_violations.append(f"{self.page.url}: {message.text}")

    # --- Navigation: each waits for the next page and checks it -------------------------
    def visit(self, path):
        response = self.page.goto(self.base_url + path)
        self.check()
        return response

    def submit(self, button_name="Continue", *, timeout=None):
        """Press the form's button and check the page that answers. `timeout` (ms) is for a
        page that does a queue's work while the browser waits (the default is the page's)."""
        with self.page.expect_navigation(timeout=timeout):
            self.page.get_by_role("button", name=button_name, exact=True).click(timeout=timeout)
        self.check()

    def follow(self, link_name, role="link"):
        """Follow a link (role="button" for a link drawn as a button)."""
        with self.page.expect_navigation():
            self.page.get_by_role(role, name=link_name, exact=True).click()
        self.check()

    # --- Reading and filling -------------------------------------------------------------
    def fill(self, label, value):
        self.page.get_by_label(label, exact=True).fill(value)

    def heading(self):
        return self.page.locator("h1").inner_text().strip()

    @property
    def path(self):
        return self.page.url.removeprefix(self.base_url)

    # --- Checks --------------------------------------------------------------------------
    def check(self):
        """axe-core (WCAG 2.0-2.2 A and AA) and no CSP violation on the current page."""
        self.page.wait_for_load_state("load")
        self.checked = len(self.loads)
        if self.csp_violations:
            pytest.fail(
                "Content Security Policy violations:\n" + "\n".join(self.csp_violations),
                pytrace=False,
            )
        # page.evaluate runs through DevTools, which the page's CSP does not govern.
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(AXE_JS.read_text())
        results = self.page.evaluate(
            "options => window.axe.run(document, options)",
            {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
        )
        if results["violations"]:
            pytest.fail(format_violations(self.page.url, results["violations"]), pytrace=False)

    def screenshot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    # --- Journeys ------------------------------------------------------------------------
    def sign_in(self, user):
        """Sign in through the real form, and through the code step when the user has an
        authenticator (the personas keep its secret in user.totp_secret)."""
        self.visit("/accounts/login/")
        self.fill("Email address", user.email)
        self.fill("Password", PASSWORD)
        self.submit("Sign in")
        if self.path.startswith("/accounts/2fa/authenticate/"):
            self.fill("Security code", totp_code(user.totp_secret))
            self.submit("Continue")
        assert not self.path.startswith(("/accounts/login/", "/accounts/2fa/authenticate/")), (
            f"{user.email} was not signed in: still at {self.path}"
        )


@pytest.fixture
def ui(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    tab = UI(page, live_server.url)
    yield tab
    unchecked = tab.loads[tab.checked :]
    context.close()
    if unchecked:
        pytest.fail(
            "pages loaded but not checked for accessibility (use ui.visit/submit/follow or "
            f"call ui.check()): {json.dumps(unchecked)}"
        )
