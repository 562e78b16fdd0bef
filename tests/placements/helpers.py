"""Building blocks for the placements tests: a lot both test providers are enrolled on, each with
a service that fits the standard child, and requests in each state, made through the services."""

from datetime import timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone

from dps.tenancy import Actor
from placements.models import Bid, ProviderInvitation
from placements.services import award as award_services
from placements.services import bids as bid_services
from placements.services import closing
from placements.services import requests as request_services
from providers.models import QualityScore
from providers.needs import DOMAINS, INDICATOR_CODES
from providers.services.location import service_locate
from tests.factories import EnrolmentFactory, LotFactory, ServiceFactory

NEEDS = dict.fromkeys(INDICATOR_CODES, 1) | {"emotional_health": 3, "education_progress": 2}
DETAILS = {code: f"Detail about {code}" for code, score in NEEDS.items() if score}
STORY = "Came into care last spring after the family moved away; loves football."
STRENGTHS = "Funny, kind to younger children, good at drawing."


def actor_of(user):
    return Actor.for_membership(user.memberships.get(is_active=True))


def complete_fields(lot, **overrides):
    """Everything publishing needs: a 14-year-old girl with the NEEDS profile."""
    fields = {
        "lot": lot,
        "reference": "AB-1234",
        "strengths": STRENGTHS,
        "age": 14,
        "gender": "female",
        "ethnicity": "White British",
        "language": "English",
        "religion": "None",
        "legal_status": "s31",
        "urgency": "planned",
        "date_needed": timezone.localdate() + timedelta(days=14),
        "duration_weeks": 52,
        "needs": dict(NEEDS),
        "need_details": dict(DETAILS),
        "outcomes": {code: f"Outcome for {code}" for code, _ in DOMAINS[:2]},
        "story": STORY,
        "child_views": "Wants to stay near her school.",
    }
    fields.update(overrides)
    return fields


def market(world, *, quality=None, vacancies=1):
    """A lot with providers A and B enrolled, each with one fitting service ("Alpha House",
    "Bravo House"), and each with a quality score (A 80, B 60 unless given)."""
    quality = quality or {"a": Decimal("80"), "b": Decimal("60")}
    lot = LotFactory(consortium=world.consortium, name="Residential homes", code="residential")
    services = {}
    for key, provider, name in (
        ("a", world.provider_a, "Alpha House"),
        ("b", world.provider_b, "Bravo House"),
    ):
        EnrolmentFactory(provider=provider, lot=lot)
        services[key] = ServiceFactory(
            provider=provider,
            name=name,
            age_min=8,
            age_max=17,
            vacancies=vacancies,
            registered_places=4,
            needs_met=dict.fromkeys(INDICATOR_CODES, 3),
            local_authority="Northbridge",
        )
        score = quality[key]
        QualityScore.objects.create(
            provider=provider,
            consortium=world.consortium,
            total=score,
            inspection=score,
            outcomes=score,
            compliance=score,
            responsiveness=score,
            weights={},
            inputs={},
            trigger="test",
        )
    return lot, services


def locate(service, postcode):
    """Give a service its postcode, located in the directory loaded (the `directory` fixture)."""
    service.postcode = postcode
    service_locate(service)
    service.save()
    return service


def draft(world, lot, **overrides):
    return request_services.request_create(
        actor=actor_of(world.officer_a), **complete_fields(lot, **overrides)
    )


def published(world, lot, **overrides):
    placement_request = draft(world, lot, **overrides)
    request_services.request_publish(
        actor=actor_of(world.officer_a), placement_request=placement_request
    )
    placement_request.refresh_from_db()
    return placement_request


def invitation(placement_request, provider):
    return ProviderInvitation.objects.get(request=placement_request, provider=provider)


def bid(placement_request, user, service, fee, **extra):
    actor = actor_of(user)
    fields = {
        "core_weekly_fee": Decimal(fee),
        "start_date": timezone.localdate() + timedelta(days=14),
        "needs_met": dict.fromkeys(INDICATOR_CODES, "We can."),
    }
    fields.update(extra)
    return bid_services.bid_save(
        actor=actor,
        invitation=invitation(placement_request, actor.organisation),
        service=service,
        **fields,
    )


def close(placement_request):
    """Travel past the deadline and close the request."""
    with time_machine.travel(placement_request.bid_deadline + timedelta(minutes=1), tick=False):
        closing.requests_close_due()
    placement_request.refresh_from_db()
    return placement_request


def closed_with_bids(world, fees=("3000", "2500")):
    """A request both providers bid on (A at fees[0], B at fees[1]), closed and evaluated."""
    lot, services = market(world)
    placement_request = published(world, lot)
    bid(placement_request, world.bidder_a, services["a"], fees[0])
    bid(placement_request, world.bidder_b, services["b"], fees[1])
    return close(placement_request), services


def shortlisted(world, fees=("3000", "2500")):
    placement_request, services = closed_with_bids(world, fees)
    request_services.request_shortlist_confirm(
        actor=actor_of(world.officer_a), placement_request=placement_request
    )
    placement_request.refresh_from_db()
    return placement_request, services


def awarded(world, fees=("3000", "2500")):
    placement_request, _ = shortlisted(world, fees)
    top = Bid.objects.get(request=placement_request, rank=1)
    placement = award_services.award(
        actor=actor_of(world.officer_a), placement_request=placement_request, bid=top
    )
    placement_request.refresh_from_db()
    return placement_request, placement
