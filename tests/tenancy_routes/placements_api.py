"""Routes of the placements API, for tests/test_url_tenancy.py.

Borough routes: the victim is borough A, with its requests in each state (each with its own
reference), a provider's question on the open one, and the bids on the closed ones. Provider
routes: the victim is provider A, with its invitation to an open request and its bid there
(sealed: borough A is an intruder too, and finds nothing). Placement routes: borough A's
placement awarded to provider B's (second-ranked) bid with a reason. Provider B may read that
placement and download its agreement, so the marker there is what only the borough reads: the
award's reason. Each builder finds what an earlier one made, so a route's URL arguments and its
POST data point at the same objects."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from placements.models import Bid, Placement, PlacementRequest, ProviderInvitation, Question
from placements.services import award as award_services
from placements.services import questions as question_services
from placements.services import requests as request_services
from providers.models import Lot, Service
from tests.placements import helpers
from tests.test_url_tenancy import MARKERS as BOROUGH_MARKERS
from tests.test_url_tenancy import PROVIDER_MARKERS, Tenant

DRAFT, OPEN, CLOSED, SHORTLISTED, NO_OFFER, AWARDED = (
    "ALPHA-API-DRAFT",
    "ALPHA-API-OPEN",
    "ALPHA-API-CLOSED",
    "ALPHA-API-SHORT",
    "ALPHA-API-NONE",
    "ALPHA-API-AWARD",
)
QUESTION = "Is there a garden for the dog?"
PROVIDER_QUESTION = "Alpha asks: is there a school place?"
FEES = ("3111", "2222")
AWARD_REASON = "Alpha Borough chose Bravo for the school run."
MARKERS = (
    *BOROUGH_MARKERS,
    DRAFT,
    OPEN,
    CLOSED,
    SHORTLISTED,
    NO_OFFER,
    QUESTION,
    helpers.STRENGTHS,
    helpers.STORY,
    "3111.00",
    "2222.00",
)
PLACEMENT_MARKERS = (AWARD_REASON, "officer@a.test", "commissioner@a.test")
# Provider B won the placement: it may read it.
PLACEMENT_INTRUDERS = ("commissioner_b", "officer_b", "provider_admin_a", "bidder_a")
PROVIDER_FEE = "4321"
PROVIDER_ROUTE_MARKERS = (*PROVIDER_MARKERS, "Alpha House", "4321.00", PROVIDER_QUESTION)


# --- Borough A's requests --------------------------------------------------------------------


def lot(world):
    found = Lot.objects.filter(consortium=world.consortium, code="residential").first()
    return found or helpers.market(world)[0]


def services(world):
    lot(world)
    return {
        "a": Service.objects.get(provider=world.provider_a, name="Alpha House"),
        "b": Service.objects.get(provider=world.provider_b, name="Bravo House"),
    }


def _find(world, reference):
    return PlacementRequest.objects.filter(borough=world.borough_a, reference=reference).first()


def draft(world):
    return _find(world, DRAFT) or helpers.draft(world, lot(world), reference=DRAFT)


def open_request(world):
    return _find(world, OPEN) or helpers.published(world, lot(world), reference=OPEN)


def question(world):
    placement_request = open_request(world)
    found = Question.objects.filter(request=placement_request, text=QUESTION).first()
    return found or question_services.question_ask(
        actor=helpers.actor_of(world.bidder_b), placement_request=placement_request, text=QUESTION
    )


def asked(world):
    """The open request, with a question on it."""
    return question(world).request


def _closed(world, reference):
    placement_request = helpers.published(world, lot(world), reference=reference)
    helpers.bid(placement_request, world.bidder_a, services(world)["a"], FEES[0])
    helpers.bid(placement_request, world.bidder_b, services(world)["b"], FEES[1])
    return helpers.close(placement_request)


def closed(world):
    return _find(world, CLOSED) or _closed(world, CLOSED)


def _shortlisted(world, reference):
    found = _find(world, reference)
    if found:
        return found
    placement_request = _closed(world, reference)
    request_services.request_shortlist_confirm(
        actor=helpers.actor_of(world.officer_a), placement_request=placement_request
    )
    placement_request.refresh_from_db()
    return placement_request


def shortlisted(world):
    return _shortlisted(world, SHORTLISTED)


def top_bid(world):
    return Bid.objects.get(request=shortlisted(world), rank=1)


def no_offer(world):
    found = _find(world, NO_OFFER)
    if found:
        return found
    return helpers.close(helpers.published(world, lot(world), reference=NO_OFFER))  # no bids


def placement(world):
    """Borough A's placement with provider B (its second-ranked bid), the IPA stored."""
    placement_request = _shortlisted(world, AWARDED)
    found = Placement.objects.filter(request=placement_request).first()
    if found:
        return found
    made = award_services.award(
        actor=helpers.actor_of(world.officer_a),
        placement_request=placement_request,
        bid=Bid.objects.get(request=placement_request, provider=world.provider_b),
        reason=AWARD_REASON,
    )
    made.ipa_pdf.save("ipa-api-test.pdf", ContentFile(b"%PDF-1.4 agreement"))
    return made


def creating(builder, data=None):
    """A post recipe: makes the victim's objects, then posts `data` (None: no POST)."""

    def recipe(world):
        builder(world)
        return data(world) if callable(data) else data

    return recipe


def borough_route(**kwargs):
    kwargs.setdefault("markers", MARKERS)
    return Tenant(**kwargs)


def writer_route(**kwargs):
    return borough_route(owner="officer_a", **kwargs)


def placement_route(**kwargs):
    return Tenant(markers=PLACEMENT_MARKERS, intruders=PLACEMENT_INTRUDERS, **kwargs)


# --- Provider A's invitation and bid ---------------------------------------------------------


def invited(world):
    """Provider A's invitation to borough A's open request."""
    return ProviderInvitation.objects.get(request=open_request(world), provider=world.provider_a)


def own_question(world):
    invitation = invited(world)
    if not Question.objects.filter(provider=world.provider_a).exists():
        question_services.question_ask(
            actor=helpers.actor_of(world.bidder_a),
            placement_request=invitation.request,
            text=PROVIDER_QUESTION,
        )
    return invitation


def own_bid(world):
    invitation = invited(world)
    found = Bid.objects.filter(request=invitation.request, provider=world.provider_a).first()
    return found or helpers.bid(
        invitation.request, world.bidder_a, services(world)["a"], PROVIDER_FEE
    )


def bid_with_changed_terms(world):
    bid = own_bid(world)
    placement_request = bid.request
    placement_request.refresh_from_db()
    if placement_request.terms_version == 1:
        request_services.request_update(
            actor=helpers.actor_of(world.officer_a),
            placement_request=placement_request,
            needs=dict(helpers.NEEDS, physical_health=2),
        )
    return bid


def shortlisted_invitation(world):
    return ProviderInvitation.objects.get(request=shortlisted(world), provider=world.provider_a)


def bid_body(world):
    invitation = invited(world)
    return {
        "invitation": invitation.pk,
        "service": services(world)["a"].pk,
        "core_weekly_fee": PROVIDER_FEE,
        "start_date": (timezone.localdate() + timedelta(days=14)).isoformat(),
        "needs_met": {"emotional_health": "Weekly therapy."},
    }


def provider_route(**kwargs):
    kwargs.setdefault("markers", PROVIDER_ROUTE_MARKERS)
    return Tenant(victim="provider_a", owner="bidder_a", **kwargs)


def tomorrow(world):
    no_offer(world)
    return {"bid_deadline": (timezone.now() + timedelta(days=1)).isoformat()}


ROUTES = {
    # Borough A's requests
    "api:placements:requests": writer_route(
        owner_sees=OPEN,
        post=creating(open_request, {"reference": "ALPHA-API-NEW", "strengths": "Sings."}),
        changes=True,
    ),
    "api:placements:request": borough_route(kwargs={"pk": open_request}, owner_sees=OPEN),
    "api:placements:request-publish": writer_route(
        kwargs={"pk": draft}, get=False, post={}, changes=True
    ),
    "api:placements:request-cancel": writer_route(
        kwargs={"pk": open_request}, get=False, post={"reason": "no_longer_needed"}, changes=True
    ),
    "api:placements:request-reopen": writer_route(
        kwargs={"pk": no_offer}, get=False, post=tomorrow, changes=True
    ),
    "api:placements:request-no-suitable-offer": writer_route(
        kwargs={"pk": closed},
        get=False,
        post={"reason": "Neither is near her school."},
        changes=True,
    ),
    "api:placements:request-shortlist": writer_route(
        kwargs={"pk": closed}, get=False, post={}, changes=True
    ),
    "api:placements:request-evaluation": borough_route(kwargs={"pk": closed}, owner_sees="3111.00"),
    "api:placements:request-award": writer_route(
        kwargs={"pk": shortlisted},
        get=False,
        post=lambda world: {"bid": top_bid(world).pk},
        changes=True,
    ),
    "api:placements:request-questions": borough_route(kwargs={"pk": asked}, owner_sees=QUESTION),
    "api:placements:question-answer": writer_route(
        kwargs={"pk": question},
        get=False,
        post={"answer": "Yes, a large one.", "shared": True},
        changes=True,
    ),
    "api:placements:bid-young-person-view": writer_route(
        kwargs={"pk": top_bid}, get=False, post={"view": "She liked the garden."}, changes=True
    ),
    # Provider A's invitations and bids
    "api:placements:opportunities": provider_route(
        owner_sees="Alpha House", post=creating(invited)
    ),
    "api:placements:opportunity": provider_route(kwargs={"pk": invited}, owner_sees="Alpha House"),
    "api:placements:opportunity-story": provider_route(
        kwargs={"pk": shortlisted_invitation},
        owner_sees=helpers.STORY,
        markers=(*PROVIDER_ROUTE_MARKERS, helpers.STORY),
    ),
    "api:placements:opportunity-decline": provider_route(
        kwargs={"pk": invited}, get=False, post={"reason": "No vacancy."}, changes=True
    ),
    "api:placements:opportunity-questions": provider_route(
        kwargs={"pk": own_question},
        owner_sees=PROVIDER_QUESTION,
        post={"text": "Does the child have a bike?"},
        changes=True,
    ),
    "api:placements:bids": provider_route(
        owner_sees="4321.00", post=creating(own_bid, bid_body), changes=True
    ),
    "api:placements:bid": provider_route(kwargs={"pk": own_bid}, owner_sees="4321.00"),
    "api:placements:bid-withdraw": provider_route(
        kwargs={"pk": own_bid}, get=False, post={}, changes=True
    ),
    "api:placements:bid-confirm": provider_route(
        kwargs={"pk": bid_with_changed_terms}, get=False, post={}, changes=True
    ),
    # Borough A's placement (provider B's too)
    "api:placements:placements": placement_route(owner_sees=AWARD_REASON, post=creating(placement)),
    "api:placements:placement": placement_route(kwargs={"pk": placement}, owner_sees=AWARD_REASON),
    "api:placements:placement-ipa": placement_route(
        kwargs={"pk": placement}, owner_sees="%PDF-1.4"
    ),
    "api:placements:placement-start": placement_route(
        kwargs={"pk": placement},
        owner="officer_a",
        get=False,
        post=lambda world: {"actual_start_date": timezone.localdate().isoformat()},
        changes=True,
    ),
}
