import re

from django.urls import reverse

from dps.models import ApiClient, AuditEvent
from dps.models.api import hash_key


def test_an_admin_creates_an_api_client_whose_key_is_shown_once_and_stored_hashed(world, client):
    client.force_login(world.commissioner_a)
    response = client.post(reverse("api_clients"), {"name": "Case system", "can_write": "on"})
    assert response.status_code == 200
    key = re.search(r"dps_[0-9a-f]{12}_[\w-]+", response.content.decode()).group(0)
    api_client = ApiClient.objects.get(organisation=world.borough_a)
    assert api_client.can_write
    assert api_client.key_hash == hash_key(key.split("_", 2)[2])
    assert key not in str(ApiClient.objects.values().get())
    assert key not in client.get(reverse("api_clients")).content.decode()

    api = client.__class__()
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert me.status_code == 200
    assert me.json()["organisation"]["name"] == world.borough_a.name
    assert AuditEvent.objects.filter(action="api_client.create").exists()


def test_a_revoked_key_is_refused(world, client, api_key_for):
    header = api_key_for(world.borough_a)
    api_client = ApiClient.objects.get(organisation=world.borough_a)
    client.force_login(world.commissioner_a)
    client.post(reverse("api_client_revoke", args=[api_client.pk]))
    api_client.refresh_from_db()
    assert api_client.revoked_at is not None
    assert client.__class__().get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code == 401


def test_a_name_is_required(world, client):
    client.force_login(world.commissioner_a)
    response = client.post(reverse("api_clients"), {"name": ""})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not ApiClient.objects.exists()


def test_only_an_org_admin_of_a_borough_or_provider_manages_api_clients(world, client):
    for user, status in [
        (world.officer_a, 403),
        (world.bidder_a, 403),
        (world.admin, 403),
        (world.provider_admin_a, 200),
    ]:
        client.force_login(user)
        assert client.get(reverse("api_clients")).status_code == status, user


def test_another_borough_cannot_revoke_a_client(world, client, api_key_for):
    api_key_for(world.borough_a)
    api_client = ApiClient.objects.get(organisation=world.borough_a)
    client.force_login(world.commissioner_b)
    assert client.post(reverse("api_client_revoke", args=[api_client.pk])).status_code == 404
    api_client.refresh_from_db()
    assert api_client.revoked_at is None
