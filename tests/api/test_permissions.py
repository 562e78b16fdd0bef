"""Scopes (read and write keys) and tenancy: each caller sees its own organisation only."""

import pytest

from tests.factories import make_api_client

from . import urls as echo_urls
from .conftest import assert_problem

ECHO = "/api/v1/test-echo/"


def bearer(organisation, *, can_write=True):
    _client, key = make_api_client(organisation, can_write=can_write)
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def echo_calls():
    echo_urls.CALLS.clear()
    yield echo_urls.CALLS
    echo_urls.CALLS.clear()


# --- Scopes -----------------------------------------------------------------------------


@pytest.mark.urls("tests.api.urls")
def test_a_read_only_key_is_refused_a_post_with_403(client, world, echo_calls):
    response = client.post(
        ECHO,
        {"text": "hi"},
        content_type="application/json",
        headers=bearer(world.borough_a, can_write=False),
    )

    body = assert_problem(response, 403)
    assert body["detail"] == "Your API key does not have the write scope."
    assert echo_calls == []


@pytest.mark.urls("tests.api.urls")
def test_a_write_key_may_post(client, world, echo_calls):
    response = client.post(
        ECHO, {"text": "hi"}, content_type="application/json", headers=bearer(world.borough_a)
    )

    assert response.status_code == 201
    assert echo_calls == ["hi"]


def test_a_read_only_key_may_read(client, world):
    response = client.get("/api/v1/lots/", headers=bearer(world.provider_a, can_write=False))

    assert response.status_code == 200


def test_a_read_only_key_is_refused_an_invitation_for_want_of_the_write_scope(client, world):
    response = client.post(
        "/api/v1/invitations/",
        {"email": "new@a.test", "role": "placement_officer"},
        content_type="application/json",
        headers=bearer(world.borough_a, can_write=False),
    )

    body = assert_problem(response, 403)
    assert body["detail"] == "Your API key does not have the write scope."


def test_even_a_write_key_cannot_invite_people_only_a_human_admin_can(client, world):
    response = client.post(
        "/api/v1/invitations/",
        {"email": "new@a.test", "role": "placement_officer"},
        content_type="application/json",
        headers=bearer(world.borough_a),
    )

    body = assert_problem(response, 403)
    assert body["detail"] == "Only your organisation's admin can do this."
    assert world.borough_a.invitations.count() == 0


# --- Tenancy ----------------------------------------------------------------------------


def slugs(response):
    assert response.status_code == 200, response.content
    return {row["slug"] for row in response.json()["results"]}


def test_a_boroughs_key_sees_its_own_organisation_and_its_consortium_only(client, world):
    response = client.get("/api/v1/organisations/", headers=bearer(world.borough_a))

    assert slugs(response) == {"borough-a", "consortium"}


def test_another_boroughs_key_sees_nothing_of_borough_a(client, world):
    response = client.get("/api/v1/organisations/", headers=bearer(world.borough_b))

    assert slugs(response) == {"borough-b", "consortium"}


def test_a_providers_key_sees_its_own_organisation_only(client, world):
    response = client.get("/api/v1/organisations/", headers=bearer(world.provider_a))

    assert slugs(response) == {"provider-a"}


def test_a_consortium_admin_oversees_every_organisation(client, world):
    client.force_login(world.admin)

    response = client.get("/api/v1/organisations/")

    assert slugs(response) == {
        "consortium",
        "borough-a",
        "borough-b",
        "provider-a",
        "provider-b",
    }


@pytest.mark.parametrize(
    "url", ["/api/v1/me/", "/api/v1/organisations/", "/api/v1/members/", "/api/v1/lots/"]
)
def test_anonymous_callers_are_refused(client, world, url):
    assert_problem(client.get(url), 401)


def test_a_signed_in_user_with_no_organisation_is_refused(client, world):
    world.officer_a.memberships.update(is_active=False)
    client.force_login(world.officer_a)

    body = assert_problem(client.get("/api/v1/organisations/"), 403)
    assert body["detail"] == "You do not belong to an active organisation."


def emails(response):
    assert response.status_code == 200, response.content
    return {row["email"] for row in response.json()["results"]}


def test_a_boroughs_admin_sees_only_its_own_members(client, world):
    client.force_login(world.commissioner_a)

    assert emails(client.get("/api/v1/members/")) == {
        "commissioner@a.test",
        "officer@a.test",
        "finance@a.test",
    }


def test_another_boroughs_admin_sees_none_of_borough_as_members(client, world):
    client.force_login(world.commissioner_b)

    assert emails(client.get("/api/v1/members/")) == {
        "commissioner@b.test",
        "officer@b.test",
        "finance@b.test",
    }


def test_a_member_who_is_not_an_admin_cannot_list_members(client, world):
    client.force_login(world.officer_a)

    assert_problem(client.get("/api/v1/members/"), 403)


@pytest.mark.parametrize("organisation", ["borough_a", "provider_a"])
def test_an_api_key_cannot_list_the_people_of_its_organisation(client, world, organisation):
    response = client.get("/api/v1/members/", headers=bearer(getattr(world, organisation)))

    assert_problem(response, 403)


@pytest.mark.parametrize("organisation", ["borough_a", "provider_a"])
def test_only_a_consortium_admin_reads_the_audit_log(client, world, organisation):
    assert_problem(
        client.get("/api/v1/audit-events/", headers=bearer(getattr(world, organisation))), 403
    )
    client.force_login(world.commissioner_a)
    assert_problem(client.get("/api/v1/audit-events/"), 403)

    client.force_login(world.admin)
    assert client.get("/api/v1/audit-events/").status_code == 200


def test_an_invitation_goes_to_the_inviting_admins_own_organisation(client, world):
    client.force_login(world.commissioner_b)

    response = client.post(
        "/api/v1/invitations/",
        {"email": "new@b.test", "role": "placement_officer"},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert world.borough_b.invitations.filter(email="new@b.test").exists()
    assert not world.borough_a.invitations.exists()
