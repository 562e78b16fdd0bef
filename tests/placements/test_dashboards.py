"""The home pages show the mini-competition without revealing a sealed bid."""

from tests.placements import helpers


def test_the_officer_sees_requests_waiting_and_open_ones_but_no_bid(client, world):
    lot, services = helpers.market(world)
    helpers.draft(world, lot, reference="DRAFT-1")
    open_request = helpers.published(world, lot, reference="OPEN-1")
    helpers.bid(open_request, world.bidder_a, services["a"], "3456")
    client.force_login(world.officer_a)

    page = client.get("/").content.decode()

    assert "Drafts to finish and publish: 1" in page
    assert "OPEN-1" in page
    assert "3,456" not in page
    assert "3456" not in page
    assert "1 bid" not in page


def test_a_provider_sees_the_requests_open_for_it(client, world):
    lot, _ = helpers.market(world)
    helpers.published(world, lot)
    client.force_login(world.bidder_a)

    page = client.get("/").content.decode()

    assert "You are invited to bid on 1 request still open" in page
    assert "Residential homes, request" in page


def test_another_borough_sees_none_of_them(client, world):
    lot, _ = helpers.market(world)
    helpers.published(world, lot, reference="OPEN-1")
    client.force_login(world.officer_b)

    page = client.get("/").content.decode()

    assert "OPEN-1" not in page
    assert "Your borough has no placement requests yet." in page
