"""The closing task: it closes each request once (a second run changes nothing and sends
nothing), checks every bid at the deadline (marking invalid ones with their reason), and ends a
request with no valid bid as "no suitable offer"."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dps.models import AuditEvent, OutboundEmail
from placements import tasks
from placements.models import Bid, Evaluation, PlacementRequest, RequestTransition
from placements.services import bids as bid_services
from placements.services import closing
from placements.services import requests as request_services
from providers.models import Enrolment, Service
from tests.placements import helpers
from tests.placements.helpers import actor_of

D = Decimal
Status = PlacementRequest.Status


@pytest.fixture
def market(world):
    return helpers.market(world)


def snapshot(placement_request):
    """Everything closing writes, to compare before and after a second run."""
    evaluation = Evaluation.objects.filter(request=placement_request).values().first()
    return {
        "request": PlacementRequest.objects.filter(pk=placement_request.pk).values().get(),
        "transitions": list(RequestTransition.objects.values_list("id", "to_status", "at")),
        "bids": list(Bid.objects.order_by("pk").values()),
        "evaluation": evaluation,
        "emails": list(OutboundEmail.objects.order_by("pk").values_list("pk", "to", "subject")),
        "audit": AuditEvent.objects.count(),
    }


def closed_emails():
    return OutboundEmail.objects.filter(subject__contains="bids are open to read")


def invalid_emails():
    return OutboundEmail.objects.filter(subject__contains="your bid was not valid")


def test_closing_twice_changes_nothing_and_sends_nothing_more(world, market):
    lot, services = market
    placement_request = helpers.published(world, lot)
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
    helpers.close(placement_request)
    assert closed_emails().count() == 1
    before = snapshot(placement_request)

    # The task runs again, a minute later and a day later; and the request is closed by id.
    for later in (timedelta(minutes=2), timedelta(days=1)):
        with time_machine.travel(placement_request.bid_deadline + later, tick=False):
            assert closing.requests_close_due() == 0
            assert closing.request_close(placement_request.pk) is False

    assert snapshot(placement_request) == before


def test_the_borough_is_told_once_with_the_counts_after_the_deadline(world, market):
    lot, services = market
    placement_request = helpers.published(world, lot)
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
    assert not closed_emails().exists()

    helpers.close(placement_request)

    # The placement officers of the borough, not its commissioner, nor another borough.
    email = closed_emails().get()
    assert email.to == "officer@a.test"
    assert email.organisation == world.borough_a
    assert "2 valid bids." in email.body_text
    assert "invalid" not in email.body_text
    assert f"/requests/{placement_request.pk}/" in email.body_text


def test_the_task_closes_every_due_request_and_only_those(world, market):
    lot, _ = market
    due_one = helpers.published(world, lot)
    due_two = helpers.published(world, lot, reference="AB-2")
    later = helpers.published(
        world, lot, reference="AB-3", bid_deadline=due_one.bid_deadline + timedelta(hours=3)
    )
    draft = helpers.draft(world, lot, reference="AB-4")

    with time_machine.travel(due_one.bid_deadline + timedelta(minutes=1), tick=False):
        assert tasks.requests_close_due() == 2  # the beat task itself
    statuses = dict(PlacementRequest.objects.values_list("reference", "status"))

    # Neither got a bid: both end with no suitable offer; the later one and the draft wait.
    assert statuses == {
        "AB-1234": Status.NO_SUITABLE_OFFER,
        "AB-2": Status.NO_SUITABLE_OFFER,
        "AB-3": Status.OPEN,
        "AB-4": Status.DRAFT,
    }
    with time_machine.travel(later.bid_deadline + timedelta(minutes=1), tick=False):
        assert closing.requests_close_due() == 1
    later.refresh_from_db()
    draft.refresh_from_db()
    due_two.refresh_from_db()
    assert later.status == Status.NO_SUITABLE_OFFER
    assert draft.status == Status.DRAFT
    assert due_two.closed_at is not None


def test_request_close_refuses_a_request_before_its_deadline(world, market):
    lot, _ = market
    placement_request = helpers.published(world, lot)

    with time_machine.travel(placement_request.bid_deadline - timedelta(seconds=1), tick=False):
        assert closing.request_close(placement_request.pk) is False

    placement_request.refresh_from_db()
    assert placement_request.status == Status.OPEN
    assert placement_request.closed_at is None


@pytest.mark.parametrize("status", ["suspended", "removed"])
def test_a_bid_from_a_provider_no_longer_enrolled_is_invalid_with_the_reason(world, market, status):
    lot, services = market
    placement_request = helpers.published(world, lot)
    a = helpers.bid(placement_request, world.bidder_a, services["a"], "2000")
    b = helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
    # A's enrolment ends before the deadline.
    with time_machine.travel(placement_request.bid_deadline - timedelta(hours=1), tick=False):
        Enrolment.objects.filter(provider=world.provider_a, lot=lot).update(status=status)

    helpers.close(placement_request)

    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == Bid.Status.INVALID
    assert a.invalid_reason == f"The provider's enrolment on the lot was {status} at the deadline."
    assert (a.rank, a.total_score, a.quality_snapshot) == (None, None, None)
    # B alone is scored: its 2500 is the lowest valid fee (A's 2000 does not count).
    assert (b.status, b.rank, b.price_score) == (Bid.Status.SUBMITTED, 1, D("100.00"))
    evaluation = placement_request.evaluation
    assert (evaluation.valid_bids, evaluation.invalid_bids) == (1, 1)
    assert evaluation.lowest_fee == D("2500.00")
    assert str(a.pk) not in evaluation.inputs
    # A's people are told why; the borough reads the counts.
    assert sorted(invalid_emails().values_list("to", flat=True)) == [
        "admin@provider-a.test",
        "bidder@provider-a.test",
    ]
    assert all(a.invalid_reason in e.body_text for e in invalid_emails())
    assert "1 valid bid and 1 invalid." in closed_emails().get().body_text
    assert placement_request.status == Status.CLOSED


def test_a_bid_not_reconfirmed_after_a_change_of_terms_is_invalid(world, market):
    lot, services = market
    placement_request = helpers.published(world, lot)
    a = helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    b = helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
    request_services.request_update(
        actor=actor_of(world.officer_a),
        placement_request=placement_request,
        max_weekly_budget=D("3500"),
    )
    # A re-confirms; B does not.
    bid_services.bid_confirm(actor=actor_of(world.bidder_a), bid=a)

    helpers.close(placement_request)

    a.refresh_from_db()
    b.refresh_from_db()
    assert b.status == Bid.Status.INVALID
    assert b.invalid_reason == "The bid was not re-confirmed after the request's terms changed."
    assert b.rank is None
    assert (a.status, a.rank) == (Bid.Status.SUBMITTED, 1)
    assert sorted(invalid_emails().values_list("to", flat=True)) == [
        "admin@provider-b.test",
        "bidder@provider-b.test",
    ]


def test_a_bid_with_a_service_deactivated_before_the_deadline_is_invalid(world, market):
    lot, services = market
    placement_request = helpers.published(world, lot)
    a = helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
    Service.objects.filter(pk=services["a"].pk).update(is_active=False)

    helpers.close(placement_request)

    a.refresh_from_db()
    assert a.status == Bid.Status.INVALID
    assert a.invalid_reason == "The service bid with was deactivated before the deadline."


def test_when_every_bid_is_invalid_the_request_ends_with_no_suitable_offer(world, market):
    lot, services = market
    placement_request = helpers.published(world, lot)
    a = helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    Enrolment.objects.filter(provider=world.provider_a, lot=lot).update(status="suspended")

    helpers.close(placement_request)

    assert placement_request.status == Status.NO_SUITABLE_OFFER
    assert placement_request.status_reason == "No valid bid was made."
    assert list(
        RequestTransition.objects.filter(request=placement_request).values_list(
            "to_status", flat=True
        )
    ) == [Status.OPEN, Status.CLOSED, Status.NO_SUITABLE_OFFER]
    a.refresh_from_db()
    assert a.status == Bid.Status.INVALID
    evaluation = placement_request.evaluation
    assert (evaluation.valid_bids, evaluation.invalid_bids, evaluation.lowest_fee) == (0, 1, None)
    body = closed_emails().get().body_text
    assert "0 valid bids and 1 invalid." in body
    assert "ended with no suitable offer" in body


def test_with_no_bid_at_all_the_request_ends_with_no_suitable_offer(world, market):
    lot, _ = market
    placement_request = helpers.close(helpers.published(world, lot))

    assert placement_request.status == Status.NO_SUITABLE_OFFER
    assert placement_request.bids_unsealed
    assert "0 valid bids." in closed_emails().get().body_text
    assert not invalid_emails().exists()


def test_a_draft_or_cancelled_request_past_its_deadline_is_left_alone(world, market):
    lot, _ = market
    deadline = helpers.published(world, lot).bid_deadline
    cancelled = PlacementRequest.objects.get()
    request_services.request_cancel(
        actor=actor_of(world.officer_a),
        placement_request=cancelled,
        reason=PlacementRequest.CancelReason.NO_LONGER_NEEDED,
    )
    draft = helpers.draft(world, lot, reference="AB-2", bid_deadline=deadline)

    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        assert closing.requests_close_due() == 0
        assert closing.request_close(cancelled.pk) is False
        assert closing.request_close(draft.pk) is False

    cancelled.refresh_from_db()
    draft.refresh_from_db()
    assert (cancelled.status, cancelled.closed_at) == (Status.CANCELLED, None)
    assert (draft.status, draft.closed_at) == (Status.DRAFT, None)
    assert not Evaluation.objects.exists()


def test_after_a_reopened_round_closes_only_its_own_bids_are_ranked(world, market):
    lot, services = market
    placement_request = helpers.published(world, lot)
    earlier = helpers.bid(placement_request, world.bidder_a, services["a"], "2000")
    helpers.close(placement_request)
    request_services.request_no_suitable_offer(
        actor=actor_of(world.officer_a), placement_request=placement_request, reason="Too far"
    )
    later = placement_request.bid_deadline + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        request_services.request_reopen(
            actor=actor_of(world.officer_a),
            placement_request=placement_request,
            bid_deadline=later + timedelta(hours=24),
        )
        placement_request.refresh_from_db()
        new = helpers.bid(placement_request, world.bidder_b, services["b"], "2500")

    helpers.close(placement_request)

    earlier.refresh_from_db()
    new.refresh_from_db()
    assert (new.status, new.rank) == (Bid.Status.SUBMITTED, 1)
    assert earlier.status == Bid.Status.INVALID
    assert (earlier.rank, earlier.total_score) == (None, None)
    assert list(
        Bid.objects.filter(request=placement_request, rank__isnull=False).values_list(
            "pk", flat=True
        )
    ) == [new.pk]


def test_closing_takes_as_many_queries_for_two_valid_bids_as_for_one(world, market):
    lot, services = market
    one = helpers.published(world, lot)
    helpers.bid(one, world.bidder_a, services["a"], "3000")
    two = helpers.published(world, lot, reference="AB-2")
    helpers.bid(two, world.bidder_a, services["a"], "3000")
    helpers.bid(two, world.bidder_b, services["b"], "2500")

    counts = []
    for placement_request in (one, two):
        with (
            time_machine.travel(placement_request.bid_deadline + timedelta(minutes=1), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            assert closing.request_close(placement_request.pk)
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
    assert Bid.objects.filter(rank__isnull=False).count() == 3
