"""Two-factor authentication: TOTP and recovery codes, required for council staff, optional
for providers; codes work once; production cannot turn the requirement off."""

from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.test import override_settings
from django.utils import timezone

from dps.models import Role
from tests.conftest import PASSWORD, person

from .conftest import MFA_URL, PRODUCTION, is_signed_in, run_manage, sign_in, totp_code

pytestmark = pytest.mark.django_db

ACTIVATE_URL = "/accounts/2fa/totp/activate/"


def test_a_council_user_with_totp_needs_a_code_after_the_password(client, world):
    response = sign_in(client, world.officer_a.email)

    assert response.status_code == 302
    assert response["Location"] == MFA_URL
    assert not is_signed_in(client)
    assert client.get("/").status_code == 302


def test_a_correct_totp_code_completes_the_sign_in(client, world):
    sign_in(client, world.officer_a.email)

    response = client.post(MFA_URL, {"code": totp_code(world.officer_a.totp_secret)})

    assert response.status_code == 302
    assert is_signed_in(client)
    assert client.get("/").status_code == 200


def test_a_wrong_totp_code_is_refused(client, world):
    sign_in(client, world.officer_a.email)
    code = totp_code(world.officer_a.totp_secret)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    response = client.post(MFA_URL, {"code": wrong})

    assert response.status_code == 200
    assert not is_signed_in(client)


def test_a_totp_code_cannot_be_used_twice(client, world):
    with time_machine.travel(timezone.now(), tick=False):
        code = totp_code(world.officer_a.totp_secret)
        sign_in(client, world.officer_a.email)
        client.post(MFA_URL, {"code": code})
        assert is_signed_in(client)
        client.post("/accounts/logout/")
        assert not is_signed_in(client)

        sign_in(client, world.officer_a.email)
        response = client.post(MFA_URL, {"code": code})

        assert response.status_code == 200
        assert not is_signed_in(client)


def test_a_stolen_code_replayed_from_another_browser_is_refused(client, world):
    from django.test import Client

    with time_machine.travel(timezone.now(), tick=False):
        code = totp_code(world.officer_a.totp_secret)
        sign_in(client, world.officer_a.email)
        client.post(MFA_URL, {"code": code})
        attacker = Client()
        sign_in(attacker, world.officer_a.email)

        attacker.post(MFA_URL, {"code": code})

        assert is_signed_in(client)
        assert not is_signed_in(attacker)


def test_each_recovery_code_signs_in_once(client, world):
    codes = RecoveryCodes.activate(world.officer_a).get_unused_codes()
    assert len(codes) >= 2

    sign_in(client, world.officer_a.email)
    client.post(MFA_URL, {"code": codes[0]})
    assert is_signed_in(client)
    client.post("/accounts/logout/")

    sign_in(client, world.officer_a.email)
    client.post(MFA_URL, {"code": codes[0]})
    assert not is_signed_in(client)

    client.post(MFA_URL, {"code": codes[1]})
    assert is_signed_in(client)


# --- Enforcement --------------------------------------------------------------------------


@pytest.fixture
def officer_without_totp(world):
    return person("new-officer@a.test", world.borough_a, Role.PLACEMENT_OFFICER, mfa=False)


@pytest.mark.parametrize(
    "role_key", ["consortium_admin", "commissioner", "placement_officer"], ids=str
)
def test_mfa_is_required_for_consortium_admins_commissioners_and_officers(client, world, role_key):
    organisation = {
        "consortium_admin": world.consortium,
        "commissioner": world.borough_a,
        "placement_officer": world.borough_b,
    }[role_key]
    user = person(f"{role_key}@new.test", organisation, Role(role_key), mfa=False)
    client.force_login(user)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_URL


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/organisation/users/",
        "/audit/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/sessions/",
        "/admin/",
        "/emails/",
    ],
)
def test_a_council_user_without_totp_is_sent_to_set_it_up_from_any_page(
    client, officer_without_totp, path
):
    client.force_login(officer_without_totp)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_URL


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/organisations/", "/api/v1/lots/"])
def test_api_requests_of_a_council_user_without_totp_are_forbidden(
    client, officer_without_totp, path
):
    client.force_login(officer_without_totp)

    response = client.get(path)

    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def test_a_staff_user_without_totp_must_set_it_up_before_using_the_admin(client, db):
    from tests.factories import UserFactory

    operator = UserFactory(email="operator@dps.test")
    operator.is_staff = True
    operator.save()
    client.force_login(operator)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_URL


def test_a_council_user_can_sign_out_without_setting_up_totp(client, officer_without_totp):
    client.force_login(officer_without_totp)

    client.post("/accounts/logout/")

    assert not is_signed_in(client)


@pytest.mark.parametrize("persona", ["provider_admin_a", "bidder_a", "bidder_b"])
def test_mfa_is_optional_for_provider_users(client, world, persona):
    user = getattr(world, persona)
    assert not Authenticator.objects.filter(user=user).exists()

    sign_in(client, user.email)

    assert is_signed_in(client)
    assert client.get("/").status_code == 200


def test_a_council_user_sets_up_totp_and_then_reaches_the_service(client, officer_without_totp):
    sign_in(client, officer_without_totp.email)
    assert is_signed_in(client)
    assert client.get("/")["Location"] == ACTIVATE_URL

    # Setting up a second factor is a sensitive change: the password is asked again first.
    response = client.get(ACTIVATE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    client.post(response["Location"], {"password": PASSWORD})

    page = client.get(ACTIVATE_URL)
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(ACTIVATE_URL, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(
        user=officer_without_totp, type=Authenticator.Type.TOTP
    ).exists()
    assert client.get("/").status_code == 200


def test_the_requirement_can_be_switched_off_by_the_setting(client, officer_without_totp):
    client.force_login(officer_without_totp)

    with override_settings(MFA_ENFORCED=False):
        response = client.get("/")

    assert response.status_code == 200


# --- The setting in each mode -------------------------------------------------------------


def test_production_refuses_to_start_with_mfa_turned_off():
    result = run_manage("check", **PRODUCTION, MFA_ENFORCED="false")

    assert result.returncode != 0
    assert "MFA_ENFORCED cannot be turned off in production" in result.stderr


def test_production_starts_with_mfa_enforced_by_default():
    result = run_manage("check", **PRODUCTION)

    assert result.returncode == 0, result.stderr


def test_the_embedded_demo_turns_the_requirement_off():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.MFA_ENFORCED)",
        DJANGO_ENV="local",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_mfa_codes_expire_with_their_time_window(client, world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        code = totp_code(world.officer_a.totp_secret)
        sign_in(client, world.officer_a.email)
        traveller.shift(timedelta(minutes=5))

        client.post(MFA_URL, {"code": code})

        assert not is_signed_in(client)


def test_a_code_typed_as_it_rolls_over_still_works_once(client, world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        code = totp_code(world.officer_a.totp_secret)
        sign_in(client, world.officer_a.email)
        traveller.shift(timedelta(seconds=30))

        client.post(MFA_URL, {"code": code})

        assert is_signed_in(client)
