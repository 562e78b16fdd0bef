"""Distance from home, end to end in a real browser: an officer posts a request for a child
whose home is in postcode district N19 with a 20-mile maximum distance, publishes it and reads
on the request how many providers were too far; a provider invited sees the band of its
service's distance from the child's home, and nothing of where the home is. With the
hand-worked directory: Alpha House (N7 6PA, Islington) is 0.8 miles from N19's centre, Bravo
House (ME2 1NF, Medway) 29.3."""

import pytest

from placements.models import PlacementRequest
from tests.browser.test_placement_journey import alert_path, field, post_request
from tests.geography.directory import ISLINGTON
from tests.placements import helpers

pytestmark = pytest.mark.browser


def test_an_officer_sets_a_20_mile_limit_and_a_provider_sees_its_distance_band(
    ui, world, directory
):
    world.borough_a.la_code = ISLINGTON
    world.borough_a.save()
    lot, services = helpers.market(world)
    helpers.locate(services["a"], "N7 6PA")
    helpers.locate(services["b"], "ME2 1NF")

    ui.sign_in(world.officer_a)

    def where(ui):
        field(ui, "home_district").fill("N19")
        field(ui, "max_distance_miles").fill("20")

    placement_request = post_request(ui, lot, location=where, invited=["Alpha Care"])

    placement_request.refresh_from_db()
    assert placement_request.home_district == "N19"
    assert placement_request.max_distance_miles == 20
    assert placement_request.status == PlacementRequest.Status.OPEN
    ui.visit(f"/requests/{placement_request.pk}/")
    main = ui.page.inner_text("main")
    assert "Postcode district N19" in main
    assert "20 miles from home" in main
    not_invited = ui.page.locator("table", has_text="Providers on the lot not invited")
    row = not_invited.locator("tr", has_text="No service within the maximum distance")
    assert row.locator("td").inner_text().strip() == "1"
    ui.screenshot("distance-request-too-far")

    provider = ui
    provider.page.context.clear_cookies()
    provider.sign_in(world.bidder_a)
    provider.visit(alert_path(world.bidder_a.email))
    main = provider.page.inner_text("main")
    assert "Alpha House" in main
    assert "Distance from the child's home: up to 5 miles" in main
    assert "N19" not in main
    provider.screenshot("distance-opportunity-band")
