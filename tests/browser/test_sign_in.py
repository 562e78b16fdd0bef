"""Signing in through the real pages, as each role, in a real browser."""

import pytest
from allauth.mfa.models import Authenticator

from tests.browser.conftest import totp_code

pytestmark = pytest.mark.browser

HOMES = [
    ("admin", "Consortium dashboard"),
    ("commissioner_a", "Commissioning dashboard"),
    ("officer_a", "Placements dashboard"),
    ("provider_admin_a", "Provider dashboard"),
    ("bidder_a", "Provider dashboard"),
]


@pytest.mark.parametrize(("persona", "heading"), HOMES)
def test_each_role_signs_in_through_the_form_and_reaches_its_home(ui, world, persona, heading):
    user = getattr(world, persona)

    ui.sign_in(user)

    assert ui.path == "/"
    assert ui.heading() == heading


def test_council_staff_are_asked_for_their_authenticator_code(ui, world):
    ui.visit("/accounts/login/")
    ui.fill("Email address", world.officer_a.email)
    ui.fill("Password", "correct-horse-battery")
    ui.submit("Sign in")

    assert ui.path == "/accounts/2fa/authenticate/"
    assert ui.heading() == "Enter your security code"


def test_a_wrong_authenticator_code_is_refused_with_an_error_summary(ui, world):
    ui.visit("/accounts/login/")
    ui.fill("Email address", world.officer_a.email)
    ui.fill("Password", "correct-horse-battery")
    ui.submit("Sign in")
    right = totp_code(world.officer_a.totp_secret)
    ui.fill("Security code", "000000" if right != "000000" else "111111")
    ui.submit("Continue")

    assert ui.path == "/accounts/2fa/authenticate/"
    summary = ui.page.locator(".govuk-error-summary")
    assert "There is a problem" in summary.inner_text()
    ui.visit("/")
    assert ui.path != "/"
    assert "dashboard" not in ui.heading()


def test_a_wrong_password_shows_the_error_summary_and_signs_nobody_in(ui, world):
    ui.visit("/accounts/login/")
    ui.fill("Email address", world.bidder_a.email)
    ui.fill("Password", "not-the-password")
    ui.submit("Sign in")

    assert ui.path == "/accounts/login/"
    assert ui.page.title().startswith("Error: ")
    assert ui.page.locator(".govuk-error-summary").is_visible()


def test_council_staff_without_an_authenticator_must_set_one_up_before_anything_else(ui, world):
    officer = world.officer_b
    Authenticator.objects.filter(user=officer).delete()

    ui.visit("/accounts/login/")
    ui.fill("Email address", officer.email)
    ui.fill("Password", "correct-horse-battery")
    ui.submit("Sign in")
    if ui.path.startswith("/accounts/reauthenticate/"):
        # allauth asks for the password again before any change to how one signs in.
        assert ui.path.endswith("?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F")
        ui.fill("Password", "correct-horse-battery")
        ui.submit("Confirm")
    assert ui.path == "/accounts/2fa/totp/activate/"
    ui.visit("/")
    assert ui.path == "/accounts/2fa/totp/activate/"
    assert ui.heading() == "Set up your authenticator app"
    assert ui.page.locator("img.dps-qr").evaluate("img => img.complete && img.naturalWidth") > 0

    ui.page.get_by_text("I cannot scan the QR code").click()
    secret = ui.page.locator("#totp-secret").inner_text().strip()
    ui.fill("Security code", totp_code(secret))
    ui.submit("Turn on two-factor authentication")

    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()
    ui.visit("/")
    assert ui.path == "/"
    assert ui.heading() == "Placements dashboard"


def test_provider_staff_are_not_made_to_set_up_an_authenticator(ui, world):
    ui.sign_in(world.bidder_b)

    assert ui.path == "/"
    assert not Authenticator.objects.filter(user=world.bidder_b).exists()
