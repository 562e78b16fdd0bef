"""Every error under /api/ is RFC 9457 problem details."""

import pytest
from django.test import Client

from tests.factories import make_api_client

from .conftest import assert_problem

INVITATIONS = "/api/v1/invitations/"


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.commissioner_a)
    return client


def test_bad_input_is_a_400_with_the_errors_of_each_field(admin_client):
    response = admin_client.post(
        INVITATIONS, {"email": "not-an-email", "role": "wizard"}, content_type="application/json"
    )

    body = assert_problem(response, 400)
    assert body["title"] == "Invalid request"
    assert body["detail"] == "The request has invalid fields."
    assert set(body["errors"]) == {"email", "role"}
    assert body["errors"]["email"] == ["Enter a valid email address."]


def test_a_missing_field_is_named_in_the_errors(admin_client):
    response = admin_client.post(
        INVITATIONS, {"role": "commissioner"}, content_type="application/json"
    )

    body = assert_problem(response, 400)
    assert body["errors"] == {"email": ["This field is required."]}


def test_a_domain_rule_broken_is_a_400_on_the_field_concerned(admin_client):
    # A borough has no bidders: that is a provider's role.
    response = admin_client.post(
        INVITATIONS, {"email": "new@a.test", "role": "bidder"}, content_type="application/json"
    )

    body = assert_problem(response, 400)
    assert list(body["errors"]) == ["role"]
    assert "no such role" in body["errors"]["role"][0]


def test_a_body_that_is_not_a_json_object_is_a_400(admin_client):
    response = admin_client.post(INVITATIONS, "[1, 2]", content_type="application/json")

    body = assert_problem(response, 400)
    assert "non_field_errors" in body["errors"]


def test_malformed_json_is_a_400(admin_client):
    response = admin_client.post(INVITATIONS, "{not json", content_type="application/json")

    body = assert_problem(response, 400)
    assert "JSON parse error" in body["detail"]


def test_a_form_encoded_body_is_a_415(admin_client):
    response = admin_client.post(INVITATIONS, {"email": "new@a.test", "role": "commissioner"})

    assert_problem(response, 415)


def test_an_unknown_address_under_the_api_is_a_404_problem(client, world):
    _client, key = make_api_client(world.borough_a)

    response = client.get("/api/v1/no-such-thing/", headers={"Authorization": f"Bearer {key}"})

    assert_problem(response, 404)


def test_an_unknown_page_outside_the_api_is_still_an_html_page(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_invalid_cursor_is_a_404_problem(client, world):
    _client, key = make_api_client(world.borough_a)

    response = client.get(
        "/api/v1/organisations/?cursor=garbage", headers={"Authorization": f"Bearer {key}"}
    )

    body = assert_problem(response, 404)
    assert body["detail"] == "Invalid cursor"


def test_a_method_the_endpoint_does_not_have_is_a_405_with_allow(client, world):
    _client, key = make_api_client(world.borough_a)

    response = client.put("/api/v1/me/", {}, headers={"Authorization": f"Bearer {key}"})

    body = assert_problem(response, 405)
    assert body["detail"] == 'Method "PUT" not allowed.'
    assert "GET" in response["Allow"]
    assert "PUT" not in response["Allow"]


def test_a_bad_filter_value_is_a_400(client, world):
    client.force_login(world.admin)

    response = client.get("/api/v1/audit-events/?since=yesterday")

    body = assert_problem(response, 400)
    assert "since" in body["errors"]


def test_a_server_error_is_a_500_problem_without_internals(world, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr("dps.api.views.invitation_create", explode)
    client = Client(raise_request_exception=False)
    client.force_login(world.commissioner_a)

    response = client.post(
        INVITATIONS,
        {"email": "new@a.test", "role": "commissioner"},
        content_type="application/json",
    )

    body = assert_problem(response, 500)
    assert "hunter2" not in response.content.decode()
    assert body["title"] == "Server error"


@pytest.mark.urls("tests.api.urls")
def test_a_refusal_from_outside_the_api_views_is_a_403_problem(client, db):
    assert_problem(client.get("/api/v1/test-forbidden/"), 403)


@pytest.mark.urls("tests.api.urls")
def test_a_refusal_outside_the_api_is_still_an_html_page(client, db):
    response = client.get("/test-forbidden/")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.urls("tests.api.urls")
def test_a_suspicious_request_is_a_400_problem(client, db):
    assert_problem(client.get("/api/v1/test-suspicious/"), 400)
