"""Sessions end after 30 minutes idle and 12 hours in all, are renewed at sign-in, and end
when the user is deactivated."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from dps.models import Invitation, Membership, Role

from .conftest import MFA_URL, is_signed_in, sign_in, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def traveller():
    with time_machine.travel(timezone.now(), tick=False) as t:
        yield t


def test_the_session_limits_are_thirty_minutes_idle_and_twelve_hours_in_all():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_MAX_AGE == 12 * 60 * 60


def test_a_session_ends_after_thirty_minutes_without_a_request(client, world, traveller):
    client.force_login(world.officer_a)
    assert client.get("/").status_code == 200

    traveller.shift(timedelta(minutes=31))
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not is_signed_in(client)


def test_a_session_survives_twenty_nine_minutes_without_a_request(client, world, traveller):
    client.force_login(world.officer_a)
    client.get("/")

    traveller.shift(timedelta(minutes=29))

    assert client.get("/").status_code == 200


def test_activity_keeps_a_session_alive_past_the_idle_limit(client, world, traveller):
    client.force_login(world.officer_a)
    for _ in range(6):  # two hours, a request every 20 minutes
        assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=20))

    assert client.get("/").status_code == 200


def test_a_session_ends_after_twelve_hours_however_active(client, world, traveller):
    client.force_login(world.officer_a)
    for _ in range(37):  # a request every 20 minutes, from 0:00 to 12:00
        assert client.get("/").status_code == 200, timezone.now()
        traveller.shift(timedelta(minutes=20))

    response = client.get("/")  # 12:20, only 20 minutes after the last request

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not is_signed_in(client)
    assert client.get("/").status_code == 302


def test_signing_in_again_after_the_twelve_hours_starts_a_new_session(client, world, traveller):
    client.force_login(world.bidder_a)
    client.get("/")
    for _ in range(37):
        traveller.shift(timedelta(minutes=20))
        client.get("/")
    assert not is_signed_in(client)

    sign_in(client, world.bidder_a.email)

    assert client.get("/").status_code == 200


def test_the_session_key_changes_at_sign_in(client, world):
    client.get("/accounts/login/")
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before

    sign_in(client, world.bidder_a.email)

    assert is_signed_in(client)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_the_session_key_changes_at_sign_in_with_a_second_factor(client, world):
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before

    sign_in(client, world.officer_a.email)
    client.post(MFA_URL, {"code": totp_code(world.officer_a.totp_secret)})

    assert is_signed_in(client)
    assert client.session.session_key != before


def test_a_planted_session_key_does_not_get_the_victims_session(client, world):
    attacker = Client()
    attacker_session = attacker.session
    attacker_session.save()
    planted = attacker_session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = planted

    sign_in(client, world.bidder_a.email)

    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert attacker.get("/").status_code == 302


def test_deactivating_a_user_ends_their_signed_in_sessions(client, world):
    victim_client = Client()
    sign_in(victim_client, world.bidder_a.email)
    assert victim_client.get("/").status_code == 200
    session_key = victim_client.session.session_key
    membership = world.bidder_a.memberships.get()

    client.force_login(world.provider_admin_a)
    response = client.post(f"/organisation/users/{membership.pk}/deactivate/")
    assert response.status_code == 302

    response = victim_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not is_signed_in(victim_client)
    assert not Session.objects.filter(session_key=session_key).exists()


def test_a_deactivated_user_cannot_sign_in(client, world):
    membership = world.bidder_a.memberships.get()
    admin = Client()
    admin.force_login(world.provider_admin_a)
    admin.post(f"/organisation/users/{membership.pk}/deactivate/")

    sign_in(client, world.bidder_a.email)

    assert not is_signed_in(client)


def test_reactivating_a_user_does_not_revive_their_old_session(client, world):
    victim_client = Client()
    victim_client.force_login(world.bidder_a)
    assert victim_client.get("/").status_code == 200
    membership = world.bidder_a.memberships.get()
    client.force_login(world.provider_admin_a)
    client.post(f"/organisation/users/{membership.pk}/deactivate/")
    client.post(f"/organisation/users/{membership.pk}/reactivate/")

    assert victim_client.get("/").status_code == 302


def test_deactivation_ends_a_session_begun_by_accepting_an_invitation(client, world):
    admin = Client()
    admin.force_login(world.provider_admin_a)
    admin.post("/organisation/users/", {"email": "joiner@provider-a.test", "role": Role.BIDDER})
    invitation = Invitation.objects.get(email="joiner@provider-a.test")
    password = "a-much-longer-passphrase-2024"
    client.post(
        f"/invitations/{invitation.token}/",
        {"full_name": "Jo Joiner", "password1": password, "password2": password},
    )
    assert client.get("/").status_code == 200
    membership = Membership.objects.get(user__email="joiner@provider-a.test")

    admin.post(f"/organisation/users/{membership.pk}/deactivate/")
    admin.post(f"/organisation/users/{membership.pk}/reactivate/")

    assert client.get("/").status_code == 302


def test_there_is_no_remember_me_and_the_session_cookie_ends_with_the_browser(client, world):
    assert 'name="remember"' not in client.get("/accounts/login/").content.decode()
    response = sign_in(client, world.bidder_a.email)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert not cookie["max-age"]
    assert not cookie["expires"]
