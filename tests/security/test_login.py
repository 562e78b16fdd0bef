"""Signing in by email: verified addresses only, strong passwords, password reset through the
outbox, and throttling of failed logins (django-axes) on both login pages."""

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.utils import timezone

from dps.models import Invitation, OutboundEmail, Role, User
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, UserFactory

from .conftest import MFA_URL, is_signed_in, link_in, sign_in, totp_code

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-passphrase-2024"


@pytest.fixture
def provider_user(world):
    """A provider user: no second factor needed, so a password alone signs them in."""
    return world.bidder_a


def test_a_verified_user_signs_in_with_email_and_password(client, provider_user):
    response = sign_in(client, provider_user.email)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_signed_in(client)


def test_the_email_is_matched_without_regard_to_case(client, provider_user):
    sign_in(client, provider_user.email.upper())

    assert is_signed_in(client)


def test_a_user_with_an_unverified_email_cannot_sign_in_and_is_sent_a_verification_link(
    client, world
):
    user = UserFactory(email="new@provider-a.test")
    MembershipFactory(user=user, organisation=world.provider_a, role=Role.BIDDER)
    EmailAddress.objects.filter(user=user).update(verified=False)

    response = sign_in(client, user.email)

    assert not is_signed_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/").status_code == 302
    email = OutboundEmail.objects.get(to=user.email)
    assert "/accounts/confirm-email/" in email.body_text


def test_following_the_verification_link_lets_the_user_sign_in(client, world):
    user = UserFactory(email="new@provider-a.test")
    MembershipFactory(user=user, organisation=world.provider_a, role=Role.BIDDER)
    EmailAddress.objects.filter(user=user).update(verified=False)
    sign_in(client, user.email)
    confirm = link_in(
        OutboundEmail.objects.get(to=user.email).body_text, "/accounts/confirm-email/"
    )

    client.post(confirm)
    sign_in(client, user.email)

    assert EmailAddress.objects.get(user=user).verified
    assert is_signed_in(client)


def test_a_wrong_password_is_refused(client, provider_user):
    response = sign_in(client, provider_user.email, "not-the-password-at-all")

    assert response.status_code == 200
    assert not is_signed_in(client)


# --- Strong passwords ---------------------------------------------------------------------


@pytest.fixture
def invitation(world):
    return Invitation.objects.create(
        organisation=world.provider_a,
        email="joiner@provider-a.test",
        role=Role.BIDDER,
        expires_at=timezone.now() + timedelta(days=7),
    )


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Sh0rt-pass!", "too short"),  # 11 characters
        ("password1234", "too common"),
        ("839201746352", "entirely numeric"),
    ],
)
def test_accepting_an_invitation_refuses_a_weak_password(client, invitation, password, reason):
    response = client.post(
        f"/invitations/{invitation.token}/",
        {"full_name": "Jo Joiner", "password1": password, "password2": password},
    )

    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()


def test_accepting_an_invitation_with_a_strong_password_creates_the_account(client, invitation):
    response = client.post(
        f"/invitations/{invitation.token}/",
        {"full_name": "Jo Joiner", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert User.objects.get(email=invitation.email).check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Sh0rt-pass!", "too short"),
        ("password1234", "too common"),
        ("839201746352", "entirely numeric"),
    ],
)
def test_changing_a_password_refuses_a_weak_one(client, provider_user, password, reason):
    client.force_login(provider_user)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": password, "password2": password},
    )

    assert response.status_code == 200
    assert reason in response.content.decode()
    provider_user.refresh_from_db()
    assert provider_user.check_password(PASSWORD)


def test_changing_a_password_needs_the_current_password(client, provider_user):
    client.force_login(provider_user)

    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "not-my-password-really",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    provider_user.refresh_from_db()
    assert provider_user.check_password(PASSWORD)


def test_changing_a_password_with_the_current_one_and_a_strong_new_one_works(client, provider_user):
    client.force_login(provider_user)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    provider_user.refresh_from_db()
    assert provider_user.check_password(NEW_PASSWORD)


# --- Password reset -----------------------------------------------------------------------


def test_a_password_reset_email_goes_through_the_outbox_and_its_link_sets_a_new_password(
    client, provider_user
):
    response = client.post("/accounts/password/reset/", {"email": provider_user.email})
    assert response.status_code == 302

    email = OutboundEmail.objects.get(to=provider_user.email)
    assert email.status == OutboundEmail.Status.QUEUED
    link = link_in(email.body_text, "/accounts/password/reset/key/")
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    response = client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    provider_user.refresh_from_db()
    assert provider_user.check_password(NEW_PASSWORD)
    sign_in(client, provider_user.email, NEW_PASSWORD)
    assert is_signed_in(client)


def test_a_password_reset_link_works_only_once(client, provider_user):
    client.post("/accounts/password/reset/", {"email": provider_user.email})
    link = link_in(
        OutboundEmail.objects.get(to=provider_user.email).body_text,
        "/accounts/password/reset/key/",
    )
    page = client.get(link, follow=True)
    set_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    other = "another-long-passphrase-99"
    page = client.get(link, follow=True)
    set_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    client.post(set_url, {"password1": other, "password2": other})

    provider_user.refresh_from_db()
    assert provider_user.check_password(NEW_PASSWORD)


def test_a_password_reset_for_an_unknown_address_sends_no_reset_link(client, world):
    response = client.post("/accounts/password/reset/", {"email": "nobody@nowhere.test"})

    assert response.status_code == 302
    assert not any(
        "/accounts/password/reset/key/" in e.body_text for e in OutboundEmail.objects.all()
    )


# --- Throttling failed logins (django-axes) -----------------------------------------------


def fail_logins(client, email, times):
    for _ in range(times):
        sign_in(client, email, "wrong-password-guess")


def test_an_account_is_locked_after_the_failure_limit_even_for_the_right_password(
    client, provider_user
):
    assert settings.AXES_FAILURE_LIMIT == 5
    fail_logins(client, provider_user.email, settings.AXES_FAILURE_LIMIT)

    response = sign_in(client, provider_user.email)

    assert not is_signed_in(client)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_fewer_failures_than_the_limit_do_not_lock_the_account(client, provider_user):
    fail_logins(client, provider_user.email, settings.AXES_FAILURE_LIMIT - 1)

    sign_in(client, provider_user.email)

    assert is_signed_in(client)


def test_the_lock_ends_after_the_cool_off_time(client, provider_user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        fail_logins(client, provider_user.email, settings.AXES_FAILURE_LIMIT)
        traveller.shift(timedelta(minutes=14))
        sign_in(client, provider_user.email)
        assert not is_signed_in(client)

        traveller.shift(timedelta(minutes=1, seconds=1))
        sign_in(client, provider_user.email)

        assert is_signed_in(client)


def test_the_lock_is_per_account_so_others_can_still_sign_in(client, world):
    fail_logins(client, world.bidder_a.email, settings.AXES_FAILURE_LIMIT)

    sign_in(client, world.bidder_b.email)

    assert is_signed_in(client)


@pytest.fixture
def operator(db):
    """A staff user of the Django admin, with no organisation, and a second factor."""
    user = UserFactory(email="operator@dps.test")
    user.is_staff = True
    user.save()
    user.totp_secret = generate_totp_secret()
    TOTP.activate(user, user.totp_secret)
    return user


def test_the_admin_has_no_password_only_login_of_its_own(client, operator):
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/")

    posted = client.post(
        "/admin/login/?next=/admin/",
        {"username": operator.email, "password": PASSWORD, "next": "/admin/"},
    )

    assert posted.status_code == 302
    assert not is_signed_in(client)


def test_a_staff_user_reaches_the_admin_through_the_services_sign_in_and_second_factor(
    client, operator
):
    response = sign_in(client, operator.email)
    assert response["Location"] == MFA_URL
    assert client.get("/admin/").status_code == 302  # not signed in before the code

    client.post(MFA_URL, {"code": totp_code(operator.totp_secret)})

    assert client.get("/admin/").status_code == 200


def test_the_admin_sign_in_is_throttled_like_every_other(client, operator):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, operator.email, "wrong-password-guess")

    response = sign_in(client, operator.email)

    assert response.status_code == 429
    assert not is_signed_in(client)
    assert client.get("/admin/").status_code == 302
