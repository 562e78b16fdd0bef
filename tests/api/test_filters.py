"""API filters refuse, with a 400 naming them, values they cannot read and values the database
cannot store."""

import pytest

from .conftest import assert_problem


@pytest.mark.parametrize(
    "since", ["1698-04-29T00:58:32+23:21", "0001-01-01T00:00:00Z", "2026-13-01T00:00:00Z"]
)
def test_audit_event_dates_the_database_cannot_store_are_a_400(client, world, since):
    client.force_login(world.admin)

    response = client.get("/api/v1/audit-events/", {"since": since})

    assert response.status_code == 400
    assert "since" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "param", "value", "message"),
    [
        ("/api/v1/requests/", "status", "", "Enter a valid value, or leave the parameter out."),
        ("/api/v1/requests/", "status", "nonsense", "Select a valid choice."),
        ("/api/v1/services/", "is_active", "null", "Enter true or false."),
        ("/api/v1/services/", "is_active", "", "Enter true or false."),
        ("/api/v1/services/", "is_active", "2", "Enter true or false."),
        ("/api/v1/services/", "is_active", "on", "Enter true or false."),
        ("/api/v1/providers/", "has_vacancies", "maybe", "Enter true or false."),
        (
            "/api/v1/kpi-snapshots/",
            "period_start_before",
            "",
            "Enter a valid value, or leave the parameter out.",
        ),
    ],
)
def test_a_filter_value_that_cannot_be_read_is_a_400_naming_it(
    client, world, api_key_for, path, param, value, message
):
    response = client.get(path, {param: value}, HTTP_AUTHORIZATION=api_key_for(world.borough_a))

    body = assert_problem(response, 400)
    assert list(body["errors"]) == [param]
    assert body["errors"][param][0].startswith(message)


def test_a_filter_left_out_or_read_filters_as_before(client, world, api_key_for):
    key = api_key_for(world.borough_a)

    for query in ({}, {"status": "open"}, {"is_active": "false"}):
        path = "/api/v1/services/" if "is_active" in query else "/api/v1/requests/"
        assert client.get(path, query, HTTP_AUTHORIZATION=key).status_code == 200
