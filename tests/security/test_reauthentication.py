"""Changing an email address, a password or the second factor needs a recent
re-authentication (or the current password)."""

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.utils import timezone

from tests.conftest import PASSWORD

from .conftest import MFA_URL, sign_in, totp_code

pytestmark = pytest.mark.django_db

REAUTH_URL = "/accounts/reauthenticate/"


@pytest.fixture
def traveller():
    with time_machine.travel(timezone.now(), tick=False) as t:
        yield t


@pytest.fixture
def officer(client, world, traveller):
    """Officer A, signed in through the login pages with password and TOTP."""
    sign_in(client, world.officer_a.email)
    client.post(MFA_URL, {"code": totp_code(world.officer_a.totp_secret)})
    assert client.get("/").status_code == 200
    return world.officer_a


@pytest.fixture
def bidder(client, world, traveller):
    """Bidder A (no second factor: allauth lets no one add an email address to an account
    protected by one), signed in through the login page."""
    sign_in(client, world.bidder_a.email)
    assert client.get("/").status_code == 200
    return world.bidder_a


def reauthenticate(client):
    response = client.post(REAUTH_URL, {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()


def add_email(client):
    return client.post("/accounts/email/", {"action_add": "", "email": "second@a.test"})


def test_the_reauthentication_window_is_five_minutes():
    assert settings.ACCOUNT_REAUTHENTICATION_TIMEOUT == 300
    assert settings.ACCOUNT_REAUTHENTICATION_REQUIRED is True
    assert settings.MFA_REAUTHENTICATION_REQUIRED is True


def test_adding_an_email_address_needs_a_recent_reauthentication(client, bidder, traveller):
    reauthenticate(client)
    traveller.shift(timedelta(seconds=301))

    response = add_email(client)

    assert response.status_code == 302
    assert response["Location"].startswith(REAUTH_URL)
    assert not EmailAddress.objects.filter(email="second@a.test").exists()


def test_adding_an_email_address_within_the_window_proceeds(client, bidder, traveller):
    reauthenticate(client)
    traveller.shift(timedelta(seconds=299))

    add_email(client)

    assert EmailAddress.objects.filter(user=bidder, email="second@a.test").exists()


def test_after_reauthenticating_the_suspended_change_goes_through(client, bidder, traveller):
    reauthenticate(client)
    traveller.shift(timedelta(minutes=10))
    response = add_email(client)
    assert response["Location"].startswith(REAUTH_URL)

    client.post(response["Location"], {"password": PASSWORD})

    assert EmailAddress.objects.filter(user=bidder, email="second@a.test").exists()


def test_reauthentication_with_a_wrong_password_is_refused(client, bidder, traveller):
    traveller.shift(timedelta(minutes=10))
    response = add_email(client)

    client.post(response["Location"], {"password": "not-the-password-at-all"})

    assert not EmailAddress.objects.filter(email="second@a.test").exists()
    assert add_email(client)["Location"].startswith(REAUTH_URL)


def test_deactivating_totp_needs_a_recent_reauthentication(client, officer, traveller):
    reauthenticate(client)
    traveller.shift(timedelta(seconds=301))

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 302
    assert response["Location"].startswith(REAUTH_URL)
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()


def test_regenerating_recovery_codes_needs_a_recent_reauthentication(client, officer, traveller):
    codes = RecoveryCodes.activate(officer).get_unused_codes()
    reauthenticate(client)
    traveller.shift(timedelta(seconds=301))

    response = client.post("/accounts/2fa/recovery-codes/generate/")

    assert response.status_code == 302
    assert response["Location"].startswith(REAUTH_URL)
    recovery = Authenticator.objects.get(user=officer, type=Authenticator.Type.RECOVERY_CODES)
    assert RecoveryCodes(recovery).get_unused_codes() == codes


def test_regenerating_recovery_codes_within_the_window_replaces_them(client, officer, traveller):
    codes = RecoveryCodes.activate(officer).get_unused_codes()
    reauthenticate(client)

    client.post("/accounts/2fa/recovery-codes/generate/")

    recovery = Authenticator.objects.get(user=officer, type=Authenticator.Type.RECOVERY_CODES)
    assert RecoveryCodes(recovery).get_unused_codes() != codes


def test_viewing_the_account_pages_without_changing_anything_needs_no_reauthentication(
    client, officer, traveller
):
    traveller.shift(timedelta(minutes=10))

    assert client.get("/accounts/email/").status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200


def test_changing_the_password_needs_the_current_password(client, officer):
    new = "a-much-longer-passphrase-2024"

    client.post(
        "/accounts/password/change/",
        {"oldpassword": "a-wrong-current-password", "password1": new, "password2": new},
    )
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)

    client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    officer.refresh_from_db()
    assert officer.check_password(new)
