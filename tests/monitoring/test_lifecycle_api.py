"""A placement's life over the API: the borough's case systems record reviews, fee changes,
endings and spot purchases; the borough and the provider read the timeline."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring.models import PlacementReview
from placements.models import Fee, Placement
from placements.services import award as award_services
from providers.needs import INDICATOR_CODES
from tests.api.conftest import assert_problem
from tests.placements import helpers

API = "/api/v1"
TODAY = timezone.localdate()


def call(client, method, path, data=None, auth=None):
    headers = {"Authorization": auth} if auth else {}
    if method == "get":
        return client.get(API + path, headers=headers)
    return client.post(
        API + path, json.dumps(data or {}), content_type="application/json", headers=headers
    )


@pytest.fixture
def placement(world):
    _, placement = helpers.awarded(world)
    return award_services.placement_start(
        actor=helpers.actor_of(world.officer_a),
        placement=placement,
        actual_start_date=TODAY - timedelta(days=7),
    )


@pytest.fixture
def keys(world, api_key_for):
    keys = {
        name: api_key_for(getattr(world, name))
        for name in ("borough_a", "borough_b", "provider_a", "provider_b")
    }
    keys["borough_a_read"] = api_key_for(world.borough_a, can_write=False)
    return keys


REVIEW = {
    "review_date": TODAY.isoformat(),
    "needs": dict.fromkeys(INDICATOR_CODES, 2),
    "outcomes_progress": {
        "be_healthy": {"progress": "achieved", "note": "Well."},
        "be_safe": {"progress": "improving"},
    },
    "education_status": "attending",
    "attendance_percent": 90,
    "notes": "Doing well.",
}


def test_the_borough_records_a_review_and_both_sides_read_the_timeline(client, placement, keys):
    made = call(client, "post", f"/placements/{placement.pk}/reviews/", REVIEW, keys["borough_a"])

    assert made.status_code == 201, made.content
    assert made.json()["needs_total"] == 24
    for key in ("borough_a", "provider_a"):
        events = call(client, "get", f"/placements/{placement.pk}/events/", auth=keys[key])
        assert events.status_code == 200
        kinds = [e["kind"] for e in events.json()]
        assert kinds == ["award", "start", "review"]
        assert events.json()[2]["detail"]["needs_change"] == 24 - 15
    borough = call(client, "get", f"/placements/{placement.pk}/events/", auth=keys["borough_a"])
    provider = call(client, "get", f"/placements/{placement.pk}/events/", auth=keys["provider_a"])
    assert borough.json()[2]["by"].startswith("API client")
    assert provider.json()[2]["by"] == "Alpha Borough"


@pytest.mark.parametrize("who", ["borough_b", "provider_b"])
def test_others_do_not_see_the_timeline(client, placement, keys, who):
    response = call(client, "get", f"/placements/{placement.pk}/events/", auth=keys[who])

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"needs": {"identity": 1}}, "needs"),
        ({"needs": dict.fromkeys(INDICATOR_CODES, 5)}, "needs"),
        ({"review_date": "2001-02-30"}, "review_date"),
        ({"education_status": "neet"}, "education_status"),
        ({"outcomes_progress": {}}, "outcomes_progress"),
        ({"attendance_percent": 120}, "attendance_percent"),
    ],
)
def test_a_bad_review_is_a_400_naming_the_field(client, placement, keys, change, field):
    response = call(
        client, "post", f"/placements/{placement.pk}/reviews/", REVIEW | change, keys["borough_a"]
    )

    assert_problem(response, 400)
    assert field in response.json()["errors"]
    assert not PlacementReview.objects.exists()


@pytest.mark.parametrize("who", ["provider_a", "borough_a_read"])
def test_the_provider_and_read_only_keys_do_not_record(client, placement, keys, who):
    for path, data in (
        ("reviews/", REVIEW),
        ("fee-changes/", {"effective_date": TODAY.isoformat(), "weekly_fee": "1", "reason": "x"}),
        ("end/", {"end_date": TODAY.isoformat(), "planned": True, "reason": "E4A"}),
    ):
        response = call(client, "post", f"/placements/{placement.pk}/{path}", data, keys[who])
        assert response.status_code == 403, path
    placement.refresh_from_db()
    assert placement.status == Placement.Status.STARTED


def test_fee_change_and_ending(client, placement, keys):
    base = f"/placements/{placement.pk}"

    fee = call(
        client,
        "post",
        f"{base}/fee-changes/",
        {"effective_date": TODAY.isoformat(), "weekly_fee": "3250.50", "reason": "Uplift"},
        keys["borough_a"],
    )
    early = call(
        client,
        "post",
        f"{base}/fee-changes/",
        {"effective_date": "2001-01-01", "weekly_fee": "3250.50", "reason": "Uplift"},
        keys["borough_a"],
    )
    bad_reason = call(
        client,
        "post",
        f"{base}/end/",
        {"end_date": TODAY.isoformat(), "planned": True, "reason": "NOPE"},
        keys["borough_a"],
    )
    ended = call(
        client,
        "post",
        f"{base}/end/",
        {"end_date": TODAY.isoformat(), "planned": False, "reason": "ALLEG", "destination": "X"},
        keys["borough_a"],
    )

    assert fee.status_code == 201
    assert fee.json()["weekly_fee"] == "3250.50"
    assert_problem(early, 400)
    assert "effective_date" in early.json()["errors"]
    assert_problem(bad_reason, 400)
    assert "reason" in bad_reason.json()["errors"]
    assert ended.status_code == 200
    body = ended.json()
    assert (body["status"], body["end_reason"], body["end_planned"]) == ("ended", "ALLEG", False)
    assert body["weekly_fee"] == "3250.50"
    assert Fee.objects.exclude(kind=Fee.Kind.AGREED).count() == 1


def test_spot_purchases(client, world, keys):
    _lot, services = helpers.market(world)
    on_dps = call(
        client,
        "post",
        "/spot-placements/",
        {
            "child_reference": "SPOT-API-1",
            "service": services["b"].pk,
            "start_date": TODAY.isoformat(),
            "weekly_fee": "4200.00",
        },
        keys["borough_a"],
    )
    off_dps = call(
        client,
        "post",
        "/spot-placements/",
        {
            "child_reference": "SPOT-API-2",
            "spot_provider_name": "Faraway Homes",
            "start_date": TODAY.isoformat(),
            "weekly_fee": "4200.00",
        },
        keys["borough_a"],
    )
    neither = call(
        client,
        "post",
        "/spot-placements/",
        {"child_reference": "SPOT-API-3", "start_date": TODAY.isoformat(), "weekly_fee": "1"},
        keys["borough_a"],
    )
    by_provider = call(
        client,
        "post",
        "/spot-placements/",
        {
            "child_reference": "X",
            "spot_provider_name": "Y",
            "start_date": "2025-01-01",
            "weekly_fee": "1",
        },
        keys["provider_a"],
    )

    assert on_dps.status_code == 201, on_dps.content
    assert on_dps.json()["provider"] == world.provider_b.pk
    assert on_dps.json()["source"] == "spot"
    assert off_dps.status_code == 201
    assert off_dps.json()["provider_name"] is None
    assert off_dps.json()["spot_provider_name"] == "Faraway Homes"
    assert_problem(neither, 400)
    assert "service" in neither.json()["errors"]
    assert by_provider.status_code == 403
    # Provider B sees the spot placement made with its service, and its timeline.
    listed = call(client, "get", "/placements/", auth=keys["provider_b"]).json()["results"]
    assert [p["child_reference"] for p in listed] == ["SPOT-API-1"]
    events = call(client, "get", f"/placements/{listed[0]['id']}/events/", auth=keys["provider_b"])
    assert [e["kind"] for e in events.json()] == ["spot", "start"]


def test_a_user_choice_spot_purchase(client, world, keys):
    made = call(
        client,
        "post",
        "/spot-placements/",
        {
            "child_reference": "SPOT-API-UC",
            "spot_provider_name": "Faraway Homes",
            "start_date": TODAY.isoformat(),
            "weekly_fee": "4200.00",
            "user_choice": True,
            "user_choice_grounds": "The young person chose it.",
        },
        keys["borough_a"],
    )
    assert made.status_code == 201, made.content
    assert made.json()["user_choice_grounds"] == "The young person chose it."
    refused = call(
        client,
        "post",
        "/spot-placements/",
        {
            "child_reference": "SPOT-API-UC2",
            "spot_provider_name": "Faraway Homes",
            "start_date": TODAY.isoformat(),
            "weekly_fee": "4200.00",
            "user_choice": True,
        },
        keys["borough_a"],
    )
    assert refused.status_code == 400
    assert "user_choice_grounds" in refused.json()["errors"]
