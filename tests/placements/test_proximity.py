"""Distance after the bids: the proximity part of the evaluation (worked by hand below), the
shortlist's distances, the lot's proximity weight, and what a placement records of its distance
at the award. Hand-worked directory (tests/geography/directory.py): from district N19's
centre, SE1 7PB is 4.4 miles (Lambeth, across the boundary) and ME2 1NF 29.3 (Medway)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from dps.services import DomainError
from placements.models import Bid, Evaluation
from placements.services import award as award_services
from placements.services import lots as lot_services
from placements.services import requests as request_services
from placements.services.scoring import Offer, proximity, score_bids
from tests.geography.directory import ISLINGTON
from tests.placements import helpers
from tests.placements.helpers import actor_of
from tests.placements.test_api_requests import get

D = Decimal
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALL = frozenset(helpers.NEEDS)
WEIGHTS = {"quality": 50, "price": 20, "needs_fit": 10, "proximity": 20}


def offer(bid_id, fee, quality, miles):
    return Offer(
        bid_id=bid_id,
        weekly_fee=D(fee),
        quality=D(quality),
        needs_claimed=ALL,
        submitted_at=T0,
        miles=None if miles is None else D(miles),
    )


# --- The arithmetic --------------------------------------------------------------------------


def test_proximity_falls_in_proportion_to_the_limit_and_stops_at_zero():
    assert proximity(D("0"), D(20)) == D("100.00")
    assert proximity(D("4.4"), D(20)) == D("78.00")  # 100 x (1 - 4.4 / 20)
    assert proximity(D("4.4"), D(50)) == D("91.20")  # 100 x (1 - 4.4 / 50)
    assert proximity(D("29.3"), D(50)) == D("41.40")  # 100 x (1 - 29.3 / 50)
    assert proximity(D("20"), D(20)) == D("0")
    assert proximity(D("29.3"), D(20)) == D("0")  # beyond the limit: 0, never negative
    assert proximity(None, D(20)) == D("0")  # distance not known


def test_the_worked_example_with_a_maximum_distance_of_20_miles():
    # A: £3,000, quality 80, 4.4 miles. B: £2,500, quality 60, 29.3 miles. C: £2,800, quality
    # 70, distance not known. Every need met (needs fit 100).
    # Price: A 100 x 2500 / 3000 = 83.33; B 100; C 100 x 2500 / 2800 = 89.29.
    # Proximity (limit 20): A 78.00; B 0 (beyond); C 0 (not known).
    # Total: A (50 x 80 + 20 x 83.33 + 10 x 100 + 20 x 78) / 100 = 82.27
    #        B (50 x 60 + 20 x 100 + 10 x 100 + 20 x 0) / 100 = 60.00
    #        C (50 x 70 + 20 x 89.29 + 10 x 100 + 0) / 100 = 62.86
    offers = [
        offer(1, "3000", "80", "4.4"),
        offer(2, "2500", "60", "29.3"),
        offer(3, "2800", "70", None),
    ]
    scores = {
        s.bid_id: s
        for s in score_bids(offers, needs=helpers.NEEDS, weights=WEIGHTS, proximity_limit=D(20))
    }

    assert [scores[i].proximity for i in (1, 2, 3)] == [D("78.00"), D("0"), D("0")]
    assert [scores[i].total for i in (1, 2, 3)] == [D("82.27"), D("60.00"), D("62.86")]
    assert [scores[i].rank for i in (1, 3, 2)] == [1, 2, 3]


def test_without_a_maximum_distance_the_limit_is_50_miles():
    # Proximity: A 91.20, B 41.40. Totals: A 84.91, B (3000 + 2000 + 1000 + 828) / 100 = 68.28.
    offers = [offer(1, "3000", "80", "4.4"), offer(2, "2500", "60", "29.3")]
    scores = {s.bid_id: s for s in score_bids(offers, needs=helpers.NEEDS, weights=WEIGHTS)}

    assert scores[1].proximity == D("91.20")
    assert scores[2].proximity == D("41.40")
    assert (scores[1].total, scores[2].total) == (D("84.91"), D("68.28"))


def test_weights_without_proximity_score_as_before():
    old = {"quality": 60, "price": 30, "needs_fit": 10}  # an evaluation from before proximity
    scores = score_bids([offer(1, "3000", "80", "4.4")], needs=helpers.NEEDS, weights=old)

    assert scores[0].total == D("88.00")  # (60 x 80 + 30 x 100 + 10 x 100) / 100


# --- Closing, the shortlist and the award ---------------------------------------------------------


@pytest.fixture
def located_market(world, directory):
    world.borough_a.la_code = ISLINGTON
    world.borough_a.save()
    lot, services = helpers.market(world)
    lot.weight_quality, lot.weight_price, lot.weight_needs, lot.weight_proximity = 50, 20, 10, 20
    lot.save()
    helpers.locate(services["a"], "SE1 7PB")
    helpers.locate(services["b"], "ME2 1NF")
    return lot, services


def closed(world, lot, services, **fields):
    placement_request = helpers.published(world, lot, home_district="N19", **fields)
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
    return helpers.close(placement_request)


def test_closing_scores_proximity_from_the_child_s_home(world, located_market):
    lot, services = located_market
    placement_request = closed(world, lot, services)

    a = Bid.objects.get(request=placement_request, service=services["a"])
    b = Bid.objects.get(request=placement_request, service=services["b"])
    # Quality A 80, B 60 (helpers.market); limit 50 miles: the worked example above.
    assert (a.proximity_score, b.proximity_score) == (D("91.20"), D("41.40"))
    assert (a.total_score, b.total_score) == (D("84.91"), D("68.28"))
    evaluation = Evaluation.objects.get(request=placement_request)
    assert evaluation.weights["proximity"] == 20
    assert evaluation.inputs[str(a.pk)]["distance_miles"] == "4.4"
    assert evaluation.inputs[str(a.pk)]["proximity_limit_miles"] == "50"


def test_the_shortlist_shows_each_bid_s_distance_band_and_side_of_the_boundary(
    client, world, located_market
):
    lot, services = located_market
    placement_request = closed(world, lot, services)
    client.force_login(world.officer_a)

    page = client.get(f"/requests/{placement_request.pk}/shortlist/").content.decode()

    assert "4.4 miles (up to 5 miles)" in page
    assert "29.3 miles (over 20, up to 50 miles)" in page
    assert "Outside the borough" in page
    assert "proximity 20%" in page
    assert "91.20" in page


def test_the_evaluation_api_gives_distances_and_the_proximity_part(
    client, world, located_market, api_key_for
):
    lot, services = located_market
    placement_request = closed(world, lot, services)

    body = get(
        client, f"/requests/{placement_request.pk}/evaluation/", api_key_for(world.borough_a)
    )

    assert body.status_code == 200, body.content
    data = body.json()
    assert data["weights"]["proximity"] == 20
    top = data["ranked"][0]
    assert top["proximity_score"] == "91.20"
    assert top["distance_miles"] == "4.4"
    assert top["distance_band"] == "Up to 5 miles"
    assert top["outside_boundary"] is True


def test_the_award_records_the_placement_s_distance(client, world, located_market, api_key_for):
    lot, services = located_market
    placement_request = closed(world, lot, services)
    request_services.request_shortlist_confirm(
        actor=actor_of(world.officer_a), placement_request=placement_request
    )
    top = Bid.objects.get(request=placement_request, rank=1)

    placement = award_services.award(
        actor=actor_of(world.officer_a), placement_request=placement_request, bid=top
    )

    # N19's centre to SE1 7PB, in Lambeth: across Islington's boundary, not over 20 miles.
    assert placement.distance_miles == D("4.4")
    assert placement.distance_unknown == ""
    assert placement.council == "E09000022"
    assert placement.outside_boundary is True
    client.force_login(world.officer_a)
    page = client.get(f"/placements/{placement.pk}/").content.decode()
    assert "4.4 miles (up to 5 miles)" in page
    assert "Lambeth, outside the borough's boundary" in page
    body = get(client, f"/placements/{placement.pk}/", api_key_for(world.borough_a)).json()
    assert body["distance_miles"] == "4.4"
    assert body["council"] == "E09000022"
    assert body["outside_boundary"] is True
    # The provider reads the band, not the miles.
    provider_body = get(
        client, f"/placements/{placement.pk}/", api_key_for(world.provider_a)
    ).json()
    assert provider_body["distance_miles"] is None
    assert provider_body["distance_band"] == "Up to 5 miles"
    client.force_login(world.bidder_a)
    provider_page = client.get(f"/placements/{placement.pk}/").content.decode()
    assert "4.4 miles" not in provider_page
    assert "Up to 5 miles" in provider_page


def test_a_confidential_home_records_the_distance_as_unknown(world, located_market):
    lot, services = located_market
    placement_request = helpers.published(world, lot, home_location="borough")
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    placement_request = helpers.close(placement_request)
    request_services.request_shortlist_confirm(
        actor=actor_of(world.officer_a), placement_request=placement_request
    )

    placement = award_services.award(
        actor=actor_of(world.officer_a),
        placement_request=placement_request,
        bid=Bid.objects.get(request=placement_request, rank=1),
    )

    assert placement.distance_miles is None
    assert placement.distance_unknown == "confidential"
    assert placement.outside_boundary is True  # Lambeth is still outside Islington


def test_a_service_not_located_records_why(world, located_market):
    lot, services = located_market
    services["a"].postcode = "M2 3RT"  # not in the directory
    helpers.locate(services["a"], "M2 3RT")
    placement_request = helpers.published(world, lot, home_district="N19")
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    placement_request = helpers.close(placement_request)
    request_services.request_shortlist_confirm(
        actor=actor_of(world.officer_a), placement_request=placement_request
    )

    placement = award_services.award(
        actor=actor_of(world.officer_a),
        placement_request=placement_request,
        bid=Bid.objects.get(request=placement_request, rank=1),
    )

    assert placement.distance_miles is None
    assert placement.distance_unknown == "not_found"
    assert placement.outside_boundary is None


# --- The lot's proximity weight ----------------------------------------------------------------


def test_the_admin_gives_the_lot_a_proximity_weight(world):
    lot, _ = helpers.market(world)

    lot_services.lot_update(
        actor=actor_of(world.admin),
        lot=lot,
        weight_quality=50,
        weight_price=20,
        weight_needs=10,
        weight_proximity=20,
    )

    lot.refresh_from_db()
    assert lot.evaluation_weights == {"quality": 50, "price": 20, "needs_fit": 10, "proximity": 20}


def test_the_weights_with_proximity_must_still_total_100(world):
    lot, _ = helpers.market(world)

    with pytest.raises(DomainError, match=r"The weights must total 100\. They total 110\."):
        lot_services.lot_update(actor=actor_of(world.admin), lot=lot, weight_proximity=10)


def test_the_lot_form_takes_the_proximity_weight(client, world):
    lot, _ = helpers.market(world)
    client.force_login(world.admin)
    form = {
        "weight_quality": "50",
        "weight_price": "20",
        "weight_needs": "10",
        "weight_proximity": "20",
        "over_budget_rule": lot.over_budget_rule,
    }

    page = client.get(f"/consortium/lots/{lot.pk}/").content.decode()
    response = client.post(f"/consortium/lots/{lot.pk}/", form)

    assert "Proximity (%)" in page
    assert "100 for a service at the child" in page
    assert response.status_code == 302, response.content.decode()
    lot.refresh_from_db()
    assert lot.weight_proximity == 20


def test_the_lot_form_refuses_weights_over_100_with_proximity(client, world):
    lot, _ = helpers.market(world)
    client.force_login(world.admin)

    response = client.post(
        f"/consortium/lots/{lot.pk}/",
        {
            "weight_quality": "60",
            "weight_price": "30",
            "weight_needs": "10",
            "weight_proximity": "5",
        },
    )

    assert response.status_code == 400
    assert "The weights must total 100. They total 105." in response.content.decode()
