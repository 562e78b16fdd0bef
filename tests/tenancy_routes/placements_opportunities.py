"""Routes of the placements app's provider pages (opportunities and bids), for
tests/test_url_tenancy.py.

The victim is provider A: its invitation to an open request of borough A that provider B is
invited to as well, and (where the route needs one) its bid "Alpha House" at £4,321 a week.
Provider B reaches only its own invitation; boroughs, the consortium and anonymous users are
refused. Each builder finds what an earlier one made, so a route's URL argument and its POST
data point at the same objects."""

from datetime import timedelta

from django.utils import timezone

from placements.models import Bid, ProviderInvitation
from placements.services import requests as request_services
from tests.placements import helpers
from tests.test_url_tenancy import PROVIDER_MARKERS, Tenant

FEE = "4321"
MARKERS = (*PROVIDER_MARKERS, "Alpha House", "4,321", "4321.00")


def invited(world):
    """Provider A's invitation to an open request (no bid yet)."""
    invitation = ProviderInvitation.objects.filter(provider=world.provider_a).first()
    if invitation is None:
        lot, _services = helpers.market(world)
        placement_request = helpers.published(world, lot)
        invitation = helpers.invitation(placement_request, world.provider_a)
    return invitation


def with_bid(world):
    """The invitation, with provider A's bid on it."""
    invitation = invited(world)
    if not Bid.objects.filter(provider=world.provider_a).exists():
        helpers.bid(invitation.request, world.bidder_a, invitation.services.get(), FEE)
    return invitation


def with_changed_terms(world):
    """The invitation, with a bid made before the borough changed the request's terms."""
    invitation = with_bid(world)
    placement_request = invitation.request
    placement_request.refresh_from_db()
    if placement_request.terms_version == 1:
        request_services.request_update(
            actor=helpers.actor_of(world.officer_a),
            placement_request=placement_request,
            needs=dict(helpers.NEEDS, physical_health=2),
        )
    return invitation


def bid_form(world):
    invitation = invited(world)
    return {
        "service": invitation.services.get().pk,
        "core_weekly_fee": FEE,
        "start_date": (timezone.localdate() + timedelta(days=14)).strftime("%d/%m/%Y"),
        "need_emotional_health": "Weekly therapy.",
    }


def creating(builder):
    """A post recipe for a list route: makes the victim's objects, posts nothing."""

    def recipe(world):
        builder(world)

    return recipe


def provider_route(**kwargs):
    return Tenant(victim="provider_a", owner="bidder_a", markers=MARKERS, **kwargs)


ROUTES = {
    "placements:opportunity_list": provider_route(
        owner_sees="Bid submitted", post=creating(with_bid)
    ),
    "placements:opportunity_detail": provider_route(
        kwargs={"pk": with_bid}, owner_sees="£4,321.00"
    ),
    "placements:bid": provider_route(
        kwargs={"pk": invited}, owner_sees="Alpha House", post=bid_form, changes=True
    ),
    "placements:bid_withdraw": provider_route(
        kwargs={"pk": with_bid}, owner_sees="Withdraw your bid?", post={}, changes=True
    ),
    "placements:bid_confirm": provider_route(
        kwargs={"pk": with_changed_terms}, get=False, post={}, changes=True
    ),
    "placements:opportunity_decline": provider_route(
        kwargs={"pk": invited},
        owner_sees="Decline this request",
        post={"reason": "No vacancy until spring."},
        changes=True,
    ),
    "placements:question_ask": provider_route(
        kwargs={"pk": invited},
        owner_sees="Ask a question",
        post={"text": "Does the child have a bike?"},
        changes=True,
    ),
}
