"""The sign-in and "Your account" pages: in the service layout, and accessible."""

import pytest

pytestmark = pytest.mark.browser

SIGNED_OUT_PAGES = [
    ("/accounts/login/", "Sign in"),
    ("/accounts/password/reset/", "Reset your password"),
    ("/accounts/password/reset/done/", "Check your email"),
    ("/accounts/password/reset/key/1-not-a-key/", "Bad Token"),
    ("/accounts/confirm-email/not-a-key/", "Confirm Email Address"),
]

ACCOUNT_PAGES = [
    ("/accounts/email/", "Email address"),
    ("/accounts/password/change/", "Change your password"),
    ("/accounts/2fa/", "Two-Factor Authentication"),
    ("/accounts/sessions/", "Signed-in sessions"),
    ("/accounts/logout/", "Sign out"),
]


@pytest.mark.parametrize(("path", "heading"), SIGNED_OUT_PAGES)
def test_signed_out_pages_use_the_service_layout(ui, db, path, heading):
    ui.visit(path)

    assert ui.heading() == heading
    assert ui.page.locator(".govuk-service-navigation").is_visible()
    assert ui.page.locator("footer.govuk-footer").is_visible()


def test_account_pages_have_the_account_menu_and_pass_the_checks(ui, world):
    ui.sign_in(world.commissioner_a)

    for path, heading in ACCOUNT_PAGES:
        ui.visit(path)
        assert ui.heading() == heading, path
        if path != "/accounts/logout/":
            menu = ui.page.get_by_role("navigation", name="Your account")
            assert menu.locator("[aria-current]").count() == 1, path


def test_changing_the_password_with_a_mistake_shows_the_errors_in_the_gov_uk_pattern(ui, world):
    ui.sign_in(world.bidder_a)
    ui.visit("/accounts/password/change/")
    ui.fill("Current password", "correct-horse-battery")
    ui.fill("New password", "a-new-long-password-1")
    ui.fill("Confirm the new password", "a-different-password-2")
    ui.submit("Change password")

    summary = ui.page.locator(".govuk-error-summary")
    assert summary.is_visible()
    link = summary.locator("a").first
    assert link.get_attribute("href") == "#id_password2"
    field = ui.page.locator("#id_password2")
    assert field.get_attribute("aria-invalid") == "true"
    assert "id_password2_error" in field.get_attribute("aria-describedby")


def test_turning_off_the_authenticator_asks_for_a_code_first(ui, world):
    ui.sign_in(world.admin)
    ui.visit("/accounts/2fa/")
    ui.follow("Deactivate", role="button")

    assert ui.path.startswith("/accounts/reauthenticate/") or ui.path.startswith(
        "/accounts/2fa/reauthenticate/"
    )
    assert ui.heading() == "Confirm it is you"


def test_recovery_codes_can_be_generated_and_shown(ui, world):
    ui.sign_in(world.officer_a)
    ui.visit("/accounts/2fa/recovery-codes/generate/")
    if ui.path.startswith("/accounts/reauthenticate/"):
        ui.fill("Password", "correct-horse-battery")
        ui.submit("Confirm")
    ui.submit("Generate")

    assert ui.path == "/accounts/2fa/recovery-codes/"
    codes = ui.page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10
