"""Placements over the API: the borough and the winning provider each read theirs, download
the Individual Placement Agreement, and the borough records the start."""

import io
import json
from datetime import timedelta

import pypdf
import pytest
from django.utils import timezone

from placements.models import Placement, PlacementRequest
from placements.services import ipa
from tests.api.conftest import assert_problem
from tests.placements import helpers

API = "/api/v1"


def call(client, method, path, data=None, auth=None):
    headers = {"Authorization": auth} if auth else {}
    if method == "get":
        return client.get(API + path, data or {}, headers=headers)
    return client.post(
        API + path, json.dumps(data or {}), content_type="application/json", headers=headers
    )


@pytest.fixture
def placement(world):
    _placement_request, placement = helpers.awarded(world)
    return placement


@pytest.fixture
def keys(world, api_key_for):
    return {
        name: api_key_for(getattr(world, name))
        for name in ("borough_a", "borough_b", "provider_a", "provider_b")
    }


def test_the_borough_and_the_winner_list_the_placement_and_no_one_else(
    client, world, placement, keys
):
    def ids(key, **params):
        return [p["id"] for p in call(client, "get", "/placements/", params, key).json()["results"]]

    assert ids(keys["borough_a"]) == [placement.pk]
    assert ids(keys["provider_a"]) == [placement.pk]
    assert ids(keys["borough_b"]) == []
    assert ids(keys["provider_b"]) == []
    assert ids(keys["borough_a"], status="awarded") == [placement.pk]
    assert ids(keys["borough_a"], status="started") == []


def test_a_placement_reads_the_same_to_both_sides_but_the_award_reason(
    client, world, placement, keys
):
    Placement.objects.filter(pk=placement.pk).update(award_reason="Closer to school")

    borough = call(client, "get", f"/placements/{placement.pk}/", auth=keys["borough_a"]).json()
    provider = call(client, "get", f"/placements/{placement.pk}/", auth=keys["provider_a"]).json()

    assert borough["award_reason"] == "Closer to school"
    assert provider["award_reason"] is None
    assert borough["provider_name"] == provider["provider_name"] == "Alpha Care"
    assert borough["borough_name"] == "Alpha Borough"
    assert borough["weekly_fee"] == "3000.00"
    assert borough["child_reference"] == "AB-1234"
    assert borough["planned_end_date"] == (placement.start_date + timedelta(weeks=52)).isoformat()
    for other in ("borough_b", "provider_b"):
        assert_problem(call(client, "get", f"/placements/{placement.pk}/", auth=keys[other]), 404)


def test_both_sides_download_the_ipa(client, world, placement, keys):
    for side in ("borough_a", "provider_a"):
        response = call(client, "get", f"/placements/{placement.pk}/ipa/", auth=keys[side])

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="ipa-{placement.pk}.pdf"'
        text = "".join(
            p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages
        )
        assert "Alpha Care" in text
        assert "3,000.00" in text


def test_the_ipa_is_rendered_once_and_then_served_as_stored(
    client, world, placement, keys, monkeypatch
):
    renders = []

    def render(placement):
        renders.append(placement.pk)
        return b"%PDF-1.4 stand-in"

    monkeypatch.setattr(ipa, "ipa_render", render)
    path = f"/placements/{placement.pk}/ipa/"

    first = call(client, "get", path, auth=keys["borough_a"])
    second = client.get(
        API + path, headers={"Authorization": keys["provider_a"], "Accept": "application/pdf"}
    )

    assert first.content == second.content == b"%PDF-1.4 stand-in"
    assert renders == [placement.pk]


def test_no_one_else_downloads_the_ipa(client, world, placement, keys):
    for other in ("borough_b", "provider_b"):
        response = client.get(
            f"{API}/placements/{placement.pk}/ipa/",
            headers={"Authorization": keys[other], "Accept": "application/pdf"},
        )
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/problem+json")
    assert_problem(call(client, "get", f"/placements/{placement.pk}/ipa/"), 401)


def test_the_borough_records_the_start(client, world, placement, keys):
    path = f"/placements/{placement.pk}/start/"
    tomorrow = {"actual_start_date": (timezone.localdate() + timedelta(days=1)).isoformat()}
    today = {"actual_start_date": timezone.localdate().isoformat()}
    refused = assert_problem(call(client, "post", path, tomorrow, keys["borough_a"]), 400)
    assert refused["errors"] == {"actual_start_date": ["The start date cannot be in the future."]}
    assert_problem(call(client, "post", path, {"actual_start_date": "x"}, keys["borough_a"]), 400)
    assert_problem(call(client, "post", path, today, keys["provider_a"]), 403)
    assert_problem(call(client, "post", path, today, keys["borough_b"]), 404)

    response = call(client, "post", path, today, keys["borough_a"])

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "started"
    assert response.json()["actual_start_date"] == today["actual_start_date"]
    placement_request = PlacementRequest.objects.get(pk=placement.request_id)
    assert placement_request.status == PlacementRequest.Status.PLACED
    again = call(client, "post", path, today, keys["borough_a"])
    assert assert_problem(again, 400)["detail"] == "This placement has already started."


def test_consortium_admins_are_refused(client, world, placement):
    client.force_login(world.admin)

    assert_problem(call(client, "get", "/placements/"), 403)
    assert_problem(call(client, "get", f"/placements/{placement.pk}/"), 403)
