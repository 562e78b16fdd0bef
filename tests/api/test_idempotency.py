"""Idempotency-Key: a retried POST gets the first answer again instead of acting twice."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from dps.models import IdempotencyKey, Invitation
from tests.factories import make_api_client

from . import urls as echo_urls
from .conftest import assert_problem

INVITATIONS = "/api/v1/invitations/"
ECHO = "/api/v1/test-echo/"


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.commissioner_a)
    return client


@pytest.fixture
def echo_calls():
    echo_urls.CALLS.clear()
    yield echo_urls.CALLS
    echo_urls.CALLS.clear()


def invite(client, key=None, email="new@a.test", role="placement_officer"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        INVITATIONS,
        {"email": email, "role": role},
        content_type="application/json",
        headers=headers,
    )


def test_a_retry_with_the_same_key_replays_the_first_answer_and_acts_once(admin_client):
    first = invite(admin_client, key="invite-1")
    retry = invite(admin_client, key="invite-1")

    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert retry["Content-Type"] == first["Content-Type"]
    assert Invitation.objects.filter(email="new@a.test").count() == 1


def test_without_a_key_each_post_acts(admin_client):
    invite(admin_client)
    invite(admin_client)

    # The second invitation replaces the first, which is revoked: two were made.
    assert Invitation.objects.filter(email="new@a.test").count() == 2
    assert IdempotencyKey.objects.count() == 0


def test_the_same_key_with_another_body_is_a_422(admin_client):
    invite(admin_client, key="invite-1", email="new@a.test")

    response = invite(admin_client, key="invite-1", email="other@a.test")

    assert_problem(response, 422)
    assert not Invitation.objects.filter(email="other@a.test").exists()


def test_a_retry_while_the_first_is_still_running_is_a_409(admin_client):
    invite(admin_client, key="invite-1")
    # As if the first request had not finished yet: its record has no answer.
    IdempotencyKey.objects.update(status_code=None, response_body=None)

    response = invite(admin_client, key="invite-1")

    assert_problem(response, 409)
    assert Invitation.objects.filter(email="new@a.test").count() == 1


def test_a_key_over_255_characters_is_a_400(admin_client):
    response = invite(admin_client, key="k" * 256)

    body = assert_problem(response, 400)
    assert "Idempotency-Key" in body["detail"]
    assert not Invitation.objects.exists()


def test_a_key_of_255_characters_is_fine(admin_client):
    assert invite(admin_client, key="k" * 255).status_code == 201


@pytest.mark.parametrize("key", ["", "   ", "tab\tinside", "caf\u00e9"])
def test_an_empty_or_unprintable_key_is_a_400(admin_client, key):
    assert_problem(invite(admin_client, key=key), 400)


def test_a_400_answer_is_kept_and_replayed_too(admin_client):
    first = invite(admin_client, key="bad-1", role="wizard")
    retry = invite(admin_client, key="bad-1", role="wizard")

    assert_problem(first, 400)
    assert_problem(retry, 400)
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()


def test_a_server_error_is_not_kept_so_a_retry_runs_again(world, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(world.commissioner_a)

    def explode(**kwargs):
        raise RuntimeError("boom")

    with monkeypatch.context() as patch:
        patch.setattr("dps.api.views.invitation_create", explode)
        failed = invite(client, key="invite-1")
    assert failed.status_code == 500
    assert IdempotencyKey.objects.count() == 0

    retry = invite(client, key="invite-1")

    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert Invitation.objects.filter(email="new@a.test").count() == 1


def test_a_request_that_fails_after_writing_leaves_nothing_so_a_retry_acts_once(world, monkeypatch):
    from dps.services import people

    client = Client(raise_request_exception=False)
    client.force_login(world.commissioner_a)

    def write_then_explode(**kwargs):
        people.invitation_create(**kwargs)
        raise RuntimeError("the process died after writing")

    with monkeypatch.context() as patch:
        patch.setattr("dps.api.views.invitation_create", write_then_explode)
        assert invite(client, key="invite-1").status_code == 500
    assert not Invitation.objects.exists()
    assert not IdempotencyKey.objects.exists()

    assert invite(client, key="invite-1").status_code == 201
    assert Invitation.objects.filter(email="new@a.test").count() == 1


@pytest.mark.urls("tests.api.urls")
def test_a_refusal_is_not_kept(client, world, echo_calls):
    _client, read_key = make_api_client(world.borough_a, can_write=False)
    body = {"text": "hi"}

    refused = client.post(
        ECHO,
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {read_key}", "Idempotency-Key": "k1"},
    )
    assert_problem(refused, 403)
    assert IdempotencyKey.objects.count() == 0
    assert echo_calls == []


@pytest.mark.urls("tests.api.urls")
def test_keys_are_per_caller_so_two_clients_may_use_the_same_key(client, world, echo_calls):
    _a, key_a = make_api_client(world.borough_a)
    _b, key_b = make_api_client(world.borough_b)

    for key in (key_a, key_b, key_a):
        client.post(
            ECHO,
            {"text": "hi"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "same"},
        )

    assert echo_calls == ["hi", "hi"]


@pytest.mark.urls("tests.api.urls")
def test_a_revoked_key_replays_nothing(client, world, echo_calls):
    api_client, key = make_api_client(world.borough_a)
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "k1"}
    first = client.post(ECHO, {"text": "hi"}, content_type="application/json", headers=headers)
    assert first.status_code == 201
    api_client.revoked_at = timezone.now()
    api_client.save(update_fields=["revoked_at"])

    retry = client.post(ECHO, {"text": "hi"}, content_type="application/json", headers=headers)

    assert_problem(retry, 401)
    assert "Idempotent-Replayed" not in retry
    assert echo_calls == ["hi"]


def test_a_deactivated_user_replays_nothing(admin_client, world):
    assert invite(admin_client, key="invite-1").status_code == 201
    world.commissioner_a.is_active = False
    world.commissioner_a.save(update_fields=["is_active"])

    retry = invite(admin_client, key="invite-1")

    assert "Idempotent-Replayed" not in retry
    assert retry.status_code in (401, 403)


def test_a_key_is_kept_for_24_hours_only(client, world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(world.commissioner_a)
        invite(client, key="invite-1")
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        client.force_login(world.commissioner_a)  # sessions end sooner than keys
        assert invite(client, key="invite-1")["Idempotent-Replayed"] == "true"

    with time_machine.travel(start + timedelta(hours=25), tick=False):
        client.force_login(world.commissioner_a)
        later = invite(client, key="invite-1")

    assert later.status_code == 201
    assert "Idempotent-Replayed" not in later
    assert Invitation.objects.filter(email="new@a.test").count() == 2


def test_a_get_ignores_the_key(client, world):
    _client, key = make_api_client(world.borough_a)

    response = client.get(
        "/api/v1/me/", headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "x" * 300}
    )

    assert response.status_code == 200
    assert IdempotencyKey.objects.count() == 0
