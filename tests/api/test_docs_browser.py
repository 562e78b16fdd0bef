"""Swagger UI in a real browser: it draws the API's operations from our own static files,
and our Content-Security-Policy blocks nothing on the page."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

pytestmark = pytest.mark.browser


@pytest.fixture
def page(live_server, monkeypatch):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true" or os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.add_init_script(
            "window.cspViolations = [];"
            "document.addEventListener('securitypolicyviolation', e =>"
            " window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        page.requests = []
        page.on("request", lambda request: page.requests.append(request.url))
        yield page
        browser.close()


def test_swagger_ui_shows_every_operation_under_our_csp(page, live_server):
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)

    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/v1/me/", "/api/v1/invitations/", "/api/v1/lots/"} <= {
        path.replace("\u200b", "") for path in paths
    }
    assert page.evaluate("window.cspViolations") == []
    assert all(url.startswith(live_server.url) for url in page.requests), page.requests


def test_trying_an_operation_from_swagger_ui_sends_the_api_key(page, live_server, world):
    from tests.factories import make_api_client

    _client, key = make_api_client(world.borough_a, can_write=False)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)

    page.get_by_role("button", name="Authorize").click()
    bearer = page.locator(".modal-ux form", has=page.locator("#auth-bearer-value"))
    bearer.locator("#auth-bearer-value").fill(key)
    bearer.locator("button.authorize").click()
    page.locator(".modal-ux button.close-modal").click()
    page.locator("#operations-me-me_retrieve .opblock-summary-control").click()
    page.get_by_role("button", name="Try it out").click()
    with page.expect_response(lambda response: "/api/v1/me/" in response.url) as answer:
        page.get_by_role("button", name="Execute").click()

    assert answer.value.status == 200
    assert answer.value.json()["organisation"]["slug"] == "borough-a"
    assert page.evaluate("window.cspViolations") == []
