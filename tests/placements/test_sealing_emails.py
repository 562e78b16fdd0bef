"""Sealed bids in emails: until the request closes, no email to the borough carries a bid's fee or
how many bids there are, no email to a provider carries another provider's bid, and what the
borough and the other providers are sent does not change with who has bid."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from dps.models import OutboundEmail
from placements.models import PlacementRequest
from placements.services import bids as bid_services
from placements.services import questions as question_services
from placements.services import requests as request_services
from tests.placements import helpers
from tests.placements.helpers import actor_of

D = Decimal
START = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
# Fees no other figure in an email could be mistaken for.
A_FEE, B_FEE = "3137.41", "2718.28"
FEE_TEXTS = {
    "a": ["3137", "3,137", "137.41"],
    "b": ["2718", "2,718", "718.28"],
}
COUNT = re.compile(r"\b\d+\s+(?:valid\s+|invalid\s+)?(?:bid|offer)s?\b", re.IGNORECASE)
BOROUGH_PEOPLE = {"officer@a.test", "commissioner@a.test"}
A_PEOPLE = {"admin@provider-a.test", "bidder@provider-a.test"}
B_PEOPLE = {"admin@provider-b.test", "bidder@provider-b.test"}


def competition(world, lot, services, *, b_bids, cancel=False):
    """Everything that sends email while a request is open: publishing, bids (A always, B if
    `b_bids`), a question and a shared answer, a change of terms, a new deadline, a
    re-confirmation; then the request is cancelled or closes. Returns the request and the
    emails sent before it closed, in order."""
    first = OutboundEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with time_machine.travel(START, tick=False):
        placement_request = helpers.published(world, lot)
        # A's weekly fee: a core fee plus extra staffing.
        a = helpers.bid(
            placement_request,
            world.bidder_a,
            services["a"],
            "3000",
            extra_staffing_hours="3",
            extra_staffing_cost="137.41",
        )
        assert a.weekly_fee == D(A_FEE)
        if b_bids:
            b = helpers.bid(placement_request, world.bidder_b, services["b"], B_FEE)
        question = question_services.question_ask(
            actor=actor_of(world.bidder_a),
            placement_request=placement_request,
            text="Is there a sibling who visits?",
        )
        question_services.question_answer(
            actor=actor_of(world.officer_a), question=question, answer="Monthly.", shared=True
        )
        request_services.request_update(
            actor=actor_of(world.officer_a),
            placement_request=placement_request,
            max_weekly_budget=D("4000"),
        )
        request_services.request_update(
            actor=actor_of(world.officer_a),
            placement_request=placement_request,
            bid_deadline=placement_request.bid_deadline + timedelta(hours=2),
        )
        bid_services.bid_confirm(actor=actor_of(world.bidder_a), bid=a)
        if b_bids:
            bid_services.bid_confirm(actor=actor_of(world.bidder_b), bid=b)
        if cancel:
            request_services.request_cancel(
                actor=actor_of(world.officer_a),
                placement_request=placement_request,
                reason=PlacementRequest.CancelReason.PLACED_ELSEWHERE,
            )
    placement_request.refresh_from_db()
    assert placement_request.closed_at is None  # still sealed
    emails = list(OutboundEmail.objects.filter(pk__gt=first).order_by("pk"))
    return placement_request, emails


def to(emails, people):
    return [e for e in emails if e.to in people]


ID = re.compile(r"(?i)(request |/opportunities/|/requests/|/placements/)\d+")


def readable(emails):
    """What the emails say, with the ids of this run's objects taken out so that two runs can
    be compared; every other figure (fees, counts, dates) is kept."""

    def clean(text):
        return ID.sub(r"\1#", text)

    return sorted((e.to, clean(e.subject), clean(e.body_text)) for e in emails)


@pytest.fixture
def market(world):
    return helpers.market(world)


def test_no_email_before_closing_gives_the_borough_a_fee_or_a_count(world, market):
    lot, services = market
    _, emails = competition(world, lot, services, b_bids=True)

    borough = to(emails, BOROUGH_PEOPLE)
    assert borough, "the borough is told of the question at least"
    for email in borough + [e for e in emails if e.organisation_id == world.borough_a.pk]:
        text = email.subject + "\n" + email.body_text
        for fee in FEE_TEXTS["a"] + FEE_TEXTS["b"]:
            assert fee not in text, (email.subject, fee)
        assert not COUNT.search(text), (email.subject, COUNT.search(text).group())


def test_no_email_to_a_provider_mentions_another_providers_bid(world, market):
    lot, services = market
    _, emails = competition(world, lot, services, b_bids=True)

    for people, other, names in (
        (A_PEOPLE, "b", ("Bravo", "provider-b")),
        (B_PEOPLE, "a", ("Alpha", "provider-a")),
    ):
        received = to(emails, people)
        assert received
        for email in received:
            text = email.subject + "\n" + email.body_text
            for fee in FEE_TEXTS[other]:
                assert fee not in text, (email.to, email.subject)
            for name in names:
                assert name not in text, (email.to, email.subject)
            assert not COUNT.search(text), (email.to, email.subject)


def test_what_the_borough_and_the_others_are_sent_does_not_change_with_a_bid(world, market):
    # The same competition twice, once with B bidding and once without: until closing, the
    # borough and A are sent exactly the same, and so is B (its own bid sends it nothing).
    lot, services = market
    _, with_b_emails = competition(world, lot, services, b_bids=True)
    _, without_b_emails = competition(world, lot, services, b_bids=False)

    for people in (BOROUGH_PEOPLE, A_PEOPLE, B_PEOPLE):
        assert readable(to(with_b_emails, people)) == readable(to(without_b_emails, people))


def test_a_cancellation_before_closing_is_sent_alike_whoever_bid(world, market):
    lot, services = market
    _, with_b_emails = competition(world, lot, services, b_bids=True, cancel=True)
    _, without_b_emails = competition(world, lot, services, b_bids=False, cancel=True)

    assert readable(with_b_emails) == readable(without_b_emails)
    cancelled = [e for e in with_b_emails if "has been cancelled" in e.subject]
    assert {e.to for e in cancelled} == A_PEOPLE | B_PEOPLE


def test_after_closing_the_borough_is_told_the_count(world, market):
    lot, services = market
    placement_request, _ = competition(world, lot, services, b_bids=True)

    helpers.close(placement_request)

    closed = OutboundEmail.objects.get(subject__contains="bids are open to read")
    assert closed.to == "officer@a.test"
    assert "2 valid bids." in closed.body_text
    for fee in FEE_TEXTS["a"] + FEE_TEXTS["b"]:
        assert fee not in closed.body_text
