"""Each change of a request's, a bid's or a placement's status made through a service is
recorded as a StatusChange row by its state machine, beside the request's own timeline."""

from datetime import timedelta

from django.utils import timezone

from dps.models import StatusChange
from placements.models import Bid, PlacementRequest
from placements.services import award as award_services
from placements.services import bids as bid_services
from tests.placements import helpers
from tests.placements.helpers import actor_of

Status = PlacementRequest.Status


def rows(obj):
    return StatusChange.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk))


def changes(obj):
    return list(rows(obj).values_list("old_status", "new_status", "actor_label"))


def test_publishing_a_request_records_the_change_by_the_officer(world):
    lot, _ = helpers.market(world)

    placement_request = helpers.published(world, lot)

    officer = actor_of(world.officer_a)
    assert changes(placement_request) == [(Status.DRAFT, Status.OPEN, officer.label)]
    change = rows(placement_request).get()
    assert change.actor_user == world.officer_a
    assert change.organisation == world.borough_a


def test_closing_at_the_deadline_is_recorded_as_the_system_s(world):
    placement_request, _ = helpers.closed_with_bids(world)

    assert changes(placement_request)[-1] == (Status.OPEN, Status.CLOSED, "system")
    change = rows(placement_request).last()
    assert change.organisation == world.borough_a
    assert change.reason == "The deadline passed: 2 valid bids."


def test_withdrawing_a_bid_records_the_change_by_the_bidder(world):
    lot, services = helpers.market(world)
    placement_request = helpers.published(world, lot)
    bid = helpers.bid(placement_request, world.bidder_a, services["a"], "3000")

    bid_services.bid_withdraw(actor=actor_of(world.bidder_a), bid=bid)

    assert changes(bid) == [
        (Bid.Status.SUBMITTED, Bid.Status.WITHDRAWN, actor_of(world.bidder_a).label)
    ]


def test_starting_a_placement_records_the_change(world):
    _, placement = helpers.awarded(world)

    award_services.placement_start(
        actor=actor_of(world.officer_a),
        placement=placement,
        actual_start_date=timezone.localdate() - timedelta(days=1),
    )

    assert [(old, new) for old, new, _ in changes(placement)] == [("awarded", "started")]
