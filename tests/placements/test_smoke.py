"""The whole competition through the services, end to end."""

from decimal import Decimal

from dps.models import OutboundEmail
from placements.models import Bid, PlacementRequest
from tests.placements import helpers


def test_request_to_award(world):
    placement_request, placement = helpers.awarded(world)
    assert placement_request.status == PlacementRequest.Status.AWARDED
    ranks = dict(Bid.objects.values_list("provider__name", "rank"))
    assert ranks == {"Alpha Care": 1, "Bravo Care": 2}
    assert placement.weekly_fee == Decimal("3000.00")
    subjects = list(OutboundEmail.objects.values_list("to", "subject"))
    assert any(to == "bidder@provider-b.test" for to, _ in subjects)
