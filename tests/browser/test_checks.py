"""The checks every browser test relies on can fail."""

import pytest

pytestmark = pytest.mark.browser


def test_the_accessibility_check_fails_on_an_image_without_alternative_text(ui):
    ui.page.route(
        f"{ui.base_url}/bad-page",
        lambda route: route.fulfill(
            content_type="text/html",
            body='<!doctype html><html lang="en"><title>Bad</title><main><h1>Bad</h1>'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></html>',
        ),
    )
    with pytest.raises(pytest.fail.Exception, match="image-alt"):
        ui.visit("/bad-page")


def test_the_check_fails_on_a_content_security_policy_violation(ui):
    ui.page.route(
        f"{ui.base_url}/inline-style",
        lambda route: route.fulfill(
            content_type="text/html",
            headers={"Content-Security-Policy": "style-src 'self'"},
            body='<!doctype html><html lang="en"><title>Styled</title><main>'
            '<h1 style="color: red">Styled</h1></main></html>',
        ),
    )
    with pytest.raises(pytest.fail.Exception, match="Content Security Policy"):
        ui.visit("/inline-style")


def test_a_page_loaded_without_a_check_is_reported(ui):
    ui.visit("/accounts/login/")
    ui.page.goto(f"{ui.base_url}/accounts/password/reset/")
    ui.page.wait_for_load_state("load")

    assert ui.loads[ui.checked :] == [f"{ui.base_url}/accounts/password/reset/"]
    ui.check()
