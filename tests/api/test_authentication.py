import hashlib

import pytest
import time_machine
from django.utils import timezone

from dps.models import ApiClient
from dps.services.api_clients import api_client_create, api_client_revoke
from dps.tenancy import Actor
from tests.factories import make_api_client

from .conftest import assert_problem

ME = "/api/v1/me/"


def admin_actor(user):
    return Actor.for_membership(user.membership)


def test_a_valid_key_authenticates_as_its_organisations_client(client, world):
    _client, key = make_api_client(world.borough_a, can_write=False, name="Case system A")

    response = client.get(ME, headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 200
    body = response.json()
    assert body["organisation"]["slug"] == "borough-a"
    assert body["api_client"] == "Case system A"
    assert body["user_email"] is None
    assert body["scopes"] == ["read"]


def test_the_bearer_scheme_is_case_insensitive(client, world):
    _client, key = make_api_client(world.borough_a)

    response = client.get(ME, headers={"Authorization": f"bearer {key}"})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer not-a-key",
        "Bearer dps_",
        "Bearer dps_abc",
        "Bearer xyz_abcdef012345_secret",
        "Bearer dps_NOTHEX_secret",
        "Bearer dps_abcdef012345_sec ret",
        "Bearer dps_abcdef012345_" + "s" * 500,
    ],
)
def test_a_malformed_key_is_refused_with_401(client, world, header):
    response = client.get(ME, headers={"Authorization": header})

    body = assert_problem(response, 401)
    assert body["detail"] == "Malformed API key."
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_key_with_a_wrong_secret_is_refused_with_401(client, world):
    _client, key = make_api_client(world.borough_a)
    prefix = key.split("_")[1]

    response = client.get(ME, headers={"Authorization": f"Bearer dps_{prefix}_wrongsecret"})

    body = assert_problem(response, 401)
    assert body["detail"] == "Invalid or revoked API key."
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_key_with_an_unknown_prefix_is_refused_with_401(client, world):
    response = client.get(ME, headers={"Authorization": "Bearer dps_0123456789ab_secret"})

    assert_problem(response, 401)


def test_a_revoked_key_is_refused_with_401(client, world):
    actor = admin_actor(world.commissioner_a)
    api_client, key = api_client_create(actor=actor, name="Old case system", can_write=True)
    assert client.get(ME, headers={"Authorization": f"Bearer {key}"}).status_code == 200

    api_client_revoke(actor=actor, client=api_client)

    response = client.get(ME, headers={"Authorization": f"Bearer {key}"})
    body = assert_problem(response, 401)
    assert body["detail"] == "Invalid or revoked API key."


def test_the_key_of_a_deactivated_organisation_is_refused(client, world):
    _client, key = make_api_client(world.provider_a)
    world.provider_a.is_active = False
    world.provider_a.save()

    response = client.get(ME, headers={"Authorization": f"Bearer {key}"})

    assert_problem(response, 401)


def test_a_caller_with_no_credentials_gets_401_with_the_scheme_to_use(client, world):
    response = client.get(ME)

    body = assert_problem(response, 401)
    assert body["title"] == "Not authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_only_the_hash_of_the_secret_is_stored(world):
    actor = admin_actor(world.commissioner_a)
    api_client, key = api_client_create(actor=actor, name="Case system", can_write=False)
    _dps, prefix, secret = key.split("_", 2)

    stored = ApiClient.objects.filter(pk=api_client.pk).values().get()

    assert stored["prefix"] == prefix
    assert stored["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    for value in stored.values():
        assert secret not in str(value)


def test_a_key_records_when_it_was_last_used_at_most_once_a_minute(client, world):
    api_client, key = make_api_client(world.borough_a)
    auth = {"Authorization": f"Bearer {key}"}
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        client.get(ME, headers=auth)
    api_client.refresh_from_db()
    assert api_client.last_used_at == start

    with time_machine.travel(start + timezone.timedelta(seconds=30), tick=False):
        client.get(ME, headers=auth)
    api_client.refresh_from_db()
    assert api_client.last_used_at == start

    later = start + timezone.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        client.get(ME, headers=auth)
    api_client.refresh_from_db()
    assert api_client.last_used_at == later


def test_a_signed_in_user_is_authenticated_by_their_session(client, world):
    client.force_login(world.officer_a)

    response = client.get(ME)

    assert response.status_code == 200
    body = response.json()
    assert body["user_email"] == "officer@a.test"
    assert body["role"] == "placement_officer"
    assert body["api_client"] is None
