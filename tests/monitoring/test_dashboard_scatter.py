"""The fee-against-need scatter draws every current placement with a fee and a needs score (the
latest review's, else the request's), and says which it leaves out and why."""

import json
from datetime import date
from decimal import Decimal

import pytest

from monitoring.models import PlacementReview
from placements.models import Placement
from providers.models import Service
from providers.needs import INDICATOR_CODES
from tests.monitoring.test_dashboards import DASHBOARD, lot, page, place, rows_of

pytestmark = pytest.mark.django_db


def spot(world, reference, *, reviewed_needs=None):
    """A placement made outside the DPS (no request), reviewed with `reviewed_needs` if given."""
    placement = Placement.objects.create(
        borough=world.borough_a,
        provider=world.provider_a,
        service=Service.objects.filter(provider=world.provider_a).first(),
        lot=lot(world),
        child_reference=reference,
        weekly_fee=Decimal("4000"),
        start_date=date(2024, 1, 1),
        status=Placement.Status.STARTED,
    )
    if reviewed_needs is not None:
        review(placement, reviewed_needs)
    return placement


def review(placement, score, day=date(2024, 6, 1)):
    needs = dict.fromkeys(INDICATOR_CODES, 0)
    needs[INDICATOR_CODES[0]] = score
    PlacementReview.objects.create(
        placement=placement,
        review_date=day,
        needs=needs,
        needs_total=score,
        education_status="attending",
    )


@pytest.fixture
def twenty_five(world):
    """Borough A's 25 current placements: 20 from scored requests (one reviewed since), 3 spot
    purchases reviewed, 2 spot purchases never reviewed."""
    for i in range(20):
        place(world, world.borough_a, world.provider_a, 3000 + i, f"REQ-{i}")
    reviewed = Placement.objects.get(child_reference="REQ-0")
    review(reviewed, 2, day=date(2024, 3, 1))
    review(reviewed, 3)  # the latest review counts
    for i in range(3):
        spot(world, f"SPOT-REVIEWED-{i}", reviewed_needs=2)
    spot(world, "SPOT-UNSCORED-0")
    spot(world, "SPOT-UNSCORED-1")


def scatter_points(html):
    data = html.split('id="chart-data-fee-against-need" type="application/json">')[1]
    config = json.loads(data.split("</script>")[0])
    return [point for dataset in config["datasets"] for point in dataset["data"]]


def test_every_placement_with_a_fee_and_a_needs_score_is_drawn(client, world, twenty_five):
    _response, html = page(client, world.commissioner_a, DASHBOARD)

    points = scatter_points(html)
    assert len(points) == 23
    assert sorted(points)[:4] == [[2, 4000.0]] * 3 + [[3, 3000.0]]  # REQ-0 at its review's 3
    assert "It shows 23 of the 25 current placements; 2 left out with no needs score" in html


def test_the_page_lists_the_placements_left_out_and_why(client, world, twenty_five):
    _response, html = page(client, world.commissioner_a, DASHBOARD)
    left_out = html.split('id="fee-against-need-left-out-heading"')[1].split("</section>")[0]
    csv_rows = rows_of(
        client.get(DASHBOARD, {"format": "csv", "chart": "fee-against-need-left-out"})
    )

    assert "SPOT-UNSCORED-0" in left_out
    assert "SPOT-UNSCORED-1" in left_out
    assert "SPOT-REVIEWED" not in left_out
    assert [row[1:] for row in csv_rows[1:]] == [
        [
            "SPOT-UNSCORED-0",
            "Left out: no needs score (made without a scored request, and not yet reviewed)",
        ],
        [
            "SPOT-UNSCORED-1",
            "Left out: no needs score (made without a scored request, and not yet reviewed)",
        ],
    ]


def test_nothing_is_said_to_be_left_out_when_every_placement_is_drawn(client, world):
    place(world, world.borough_a, world.provider_a, 3000, "REQ-ONLY")
    _response, html = page(client, world.commissioner_a, DASHBOARD)

    assert "current placements;" not in html
    assert 'id="fee-against-need-left-out-heading"' not in html
