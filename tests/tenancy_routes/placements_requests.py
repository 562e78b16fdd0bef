"""Routes of the placements app's borough pages (requests, shortlist, award) and of the placement
pages, for tests/test_url_tenancy.py.

The victim is borough A: its requests in each state (each with its own reference), a question a
provider asked on the open one, the bids on the closed one ("Alpha House" at £3,111, "Bravo
House" at £2,222) and the placement awarded from the shortlisted one. Providers, borough B and
anonymous users are refused; the winning provider (A) may see its placement, so only borough B
and provider B are intruders there. Each builder finds what an earlier one made, so a route's
URL arguments and its POST data point at the same objects."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from placements.forms.requests import RequestForm
from placements.models import Bid, Placement, PlacementRequest, Question
from placements.services import award as award_services
from placements.services import questions as question_services
from placements.services import requests as request_services
from providers.models import Lot, Service
from tests.placements import helpers
from tests.test_url_tenancy import MARKERS as BOROUGH_MARKERS
from tests.test_url_tenancy import Tenant

DRAFT, OPEN, CLOSED, SHORTLISTED, NO_OFFER = (
    "ALPHA-DRAFT-1",
    "ALPHA-OPEN-1",
    "ALPHA-CLOSED-1",
    "ALPHA-SHORT-1",
    "ALPHA-NONE-1",
)
QUESTION = "Is there a garden for the dog?"
FEES = ("3111", "2222")
MARKERS = (
    *BOROUGH_MARKERS,
    DRAFT,
    OPEN,
    CLOSED,
    SHORTLISTED,
    NO_OFFER,
    QUESTION,
    helpers.STRENGTHS,
    "3,111",
    "3111.00",
    "2,222",
    "2222.00",
)
# The placement is provider A's as well as borough A's.
PLACEMENT_INTRUDERS = ("commissioner_b", "officer_b", "provider_admin_b", "bidder_b")


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
    found = Question.objects.filter(request=placement_request).first()
    return found or question_services.question_ask(
        actor=helpers.actor_of(world.bidder_a), placement_request=placement_request, text=QUESTION
    )


def _closed(world, reference):
    placement_request = helpers.published(world, lot(world), reference=reference)
    helpers.bid(placement_request, world.bidder_a, services(world)["a"], FEES[0])
    helpers.bid(placement_request, world.bidder_b, services(world)["b"], FEES[1])
    return helpers.close(placement_request)


def closed(world):
    return _find(world, CLOSED) or _closed(world, CLOSED)


def shortlisted(world):
    found = _find(world, SHORTLISTED)
    if found:
        return found
    placement_request = _closed(world, SHORTLISTED)
    request_services.request_shortlist_confirm(
        actor=helpers.actor_of(world.officer_a), placement_request=placement_request
    )
    placement_request.refresh_from_db()
    return placement_request


def top_bid(world):
    return Bid.objects.get(request=shortlisted(world), rank=1)


def no_offer(world):
    found = _find(world, NO_OFFER)
    if found:
        return found
    return helpers.close(helpers.published(world, lot(world), reference=NO_OFFER))  # no bids


def placement(world):
    """The placement awarded to provider A's top bid, its agreement already stored."""
    placement_request = shortlisted(world)
    found = Placement.objects.filter(request=placement_request).first()
    if found:
        return found
    made = award_services.award(
        actor=helpers.actor_of(world.officer_a),
        placement_request=placement_request,
        bid=top_bid(world),
    )
    made.ipa_pdf.save("ipa-test.pdf", ContentFile(b"%PDF-1.4 " + SHORTLISTED.encode()))
    return made


def creating(builder):
    """A post recipe for a list route: makes the victim's objects, posts nothing."""

    def recipe(world):
        builder(world)

    return recipe


def edit_form(world):
    return {**RequestForm.values_for(draft(world)), "strengths": "Loves swimming."}


def reopen_form(world):
    no_offer(world)
    tomorrow = timezone.localdate() + timedelta(days=1)
    return {"bid_deadline_date": tomorrow.strftime("%d/%m/%Y"), "bid_deadline_time": "12:00"}


def answer_form(world):
    prefix = f"question-{question(world).pk}"
    return {f"{prefix}-answer": "Yes, a large one.", f"{prefix}-shared": "on"}


def view_form(world):
    return {f"bid-{top_bid(world).pk}-view": "She liked the garden."}


def borough_route(**kwargs):
    kwargs.setdefault("markers", MARKERS)
    return Tenant(**kwargs)


def writer_route(**kwargs):
    return borough_route(owner="officer_a", **kwargs)


def placement_route(**kwargs):
    return borough_route(intruders=PLACEMENT_INTRUDERS, **kwargs)


ROUTES = {
    # The requests
    "placements:request_list": borough_route(owner_sees=OPEN, post=creating(open_request)),
    "placements:request_create": writer_route(
        owner_sees="Post a placement request",
        post={"reference": "ALPHA-NEW-1", "urgency": "planned", "strengths": "Sings."},
        changes=True,
    ),
    "placements:request_detail": borough_route(kwargs={"pk": open_request}, owner_sees=OPEN),
    "placements:request_edit": writer_route(
        kwargs={"pk": draft}, owner_sees=DRAFT, post=edit_form, changes=True
    ),
    "placements:request_publish": writer_route(
        kwargs={"pk": draft}, owner_sees=DRAFT, post={}, changes=True
    ),
    "placements:request_cancel": writer_route(
        kwargs={"pk": open_request},
        owner_sees=OPEN,
        post={"reason": "no_longer_needed"},
        changes=True,
    ),
    "placements:request_reopen": writer_route(
        kwargs={"pk": no_offer}, owner_sees=NO_OFFER, post=reopen_form, changes=True
    ),
    "placements:request_no_offer": writer_route(
        kwargs={"pk": closed},
        owner_sees=CLOSED,
        post={"reason": "Neither is near her school."},
        changes=True,
    ),
    "placements:question_answer": writer_route(
        kwargs={"pk": open_request, "qpk": question},
        owner_sees=QUESTION,
        post=answer_form,
        changes=True,
    ),
    # The evaluation, shortlist and award
    "placements:shortlist": borough_route(kwargs={"pk": closed}, owner_sees="£3,111.00"),
    "placements:shortlist_confirm": writer_route(
        kwargs={"pk": closed}, get=False, post={}, changes=True
    ),
    "placements:young_person_view": writer_route(
        kwargs={"pk": shortlisted, "bpk": top_bid},
        owner_sees="Alpha Care",
        post=view_form,
        changes=True,
    ),
    "placements:award": writer_route(
        kwargs={"pk": shortlisted},
        owner_sees="Rank 1: Alpha Care",
        post=lambda world: {"bid": top_bid(world).pk},
        changes=True,
    ),
    # Placements (the winning provider's too)
    "placements:placement_list": placement_route(owner_sees=SHORTLISTED, post=creating(placement)),
    "placements:placement_detail": placement_route(
        kwargs={"pk": placement},
        owner="officer_a",
        owner_sees=SHORTLISTED,
        post=lambda world: {"actual_start_date": timezone.localdate().strftime("%d/%m/%Y")},
        changes=True,
    ),
    "placements:placement_ipa": placement_route(
        kwargs={"pk": placement}, owner_sees=f"%PDF-1.4 {SHORTLISTED}"
    ),
}
