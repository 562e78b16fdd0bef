"""The notices' API: the consortium's API clients list, read and publish; a bad Find a
Tender id is a 400 with the field's error; others are refused."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from procurement.models import Notice
from procurement.services.notices import notices_sync
from tests.factories import ConsortiumFactory

from . import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def uk6(world):
    h.arrangement(world)
    h.placement(world, "13000")
    notices_sync(consortium=world.consortium, today=date(2026, 6, 1))
    return Notice.objects.get(kind="UK6")


def call(auth, method, path, data=None):
    client = Client()
    if method == "get":
        return client.get(path, HTTP_AUTHORIZATION=auth)
    return client.post(path, data or {}, content_type="application/json", HTTP_AUTHORIZATION=auth)


def test_the_consortiums_client_lists_reads_and_publishes(world, uk6, api_key_for):
    key = api_key_for(world.consortium)
    listed = call(key, "get", reverse("api:procurement:notices") + "?kind=UK6").json()
    assert [n["id"] for n in listed["results"]] == [uk6.pk]
    detail = call(key, "get", reverse("api:procurement:notice", args=[uk6.pk])).json()
    assert (detail["kind"], detail["due_on"]) == ("UK6", "2026-04-06")

    publish = reverse("api:procurement:notice-publish", args=[uk6.pk])
    bad = call(key, "post", publish, {"fts_notice_id": "2026-012345"})
    assert bad.status_code == 400
    assert "fts_notice_id" in bad.json()["errors"]
    missing = call(key, "post", publish, {})
    assert missing.status_code == 400
    assert "fts_notice_id" in missing.json()["errors"]
    done = call(key, "post", publish, {"fts_notice_id": "012345-2026"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "published"


def test_a_read_only_client_cannot_publish(world, uk6, api_key_for):
    key = api_key_for(world.consortium, can_write=False)
    publish = reverse("api:procurement:notice-publish", args=[uk6.pk])
    assert call(key, "post", publish, {"fts_notice_id": "012345-2026"}).status_code == 403


def test_others_are_refused(world, uk6, api_key_for):
    detail = reverse("api:procurement:notice", args=[uk6.pk])
    other = api_key_for(ConsortiumFactory(slug="other", name="Other Consortium"))
    assert call(other, "get", detail).status_code == 404
    assert call(other, "get", reverse("api:procurement:notices")).json()["results"] == []
    for org in (world.borough_a, world.provider_a):
        assert call(api_key_for(org), "get", detail).status_code == 403
    assert Client().get(detail).status_code in (401, 403)
