"""API filters refuse what the database cannot store, with a 400."""

import pytest


@pytest.mark.parametrize(
    "since", ["1698-04-29T00:58:32+23:21", "0001-01-01T00:00:00Z", "2026-13-01T00:00:00Z"]
)
def test_audit_event_dates_the_database_cannot_store_are_a_400(client, world, since):
    client.force_login(world.admin)

    response = client.get("/api/v1/audit-events/", {"since": since})

    assert response.status_code == 400
    assert "since" in response.content.decode()
