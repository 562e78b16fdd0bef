"""Every change of a request's status, allowed and refused: each allowed one is dated,
attributed and audited (a RequestTransition and an AuditEvent); each refused one changes
nothing. Publishing says everything that is missing."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dps.models import AuditEvent, OutboundEmail
from dps.services import DomainError
from dps.tenancy import Actor
from placements.models import Bid, PlacementRequest, RequestTransition
from placements.services import award as award_services
from placements.services import bids as bid_services
from placements.services import closing
from placements.services import requests as request_services
from placements.services.requests import REOPENED, REQUIRED, RequestIncomplete
from providers.models import Lot
from providers.needs import INDICATOR_LABELS
from tests.factories import make_api_client
from tests.placements import helpers
from tests.placements.helpers import actor_of

Status = PlacementRequest.Status
Reason = PlacementRequest.CancelReason


# ---------------------------------------------------------------------------------------------
# Building blocks


def transitions(placement_request):
    return list(
        RequestTransition.objects.filter(request=placement_request).values_list(
            "from_status", "to_status"
        )
    )


def last_transition(placement_request):
    return RequestTransition.objects.filter(request=placement_request).order_by("id").last()


def audit_events(placement_request, action):
    return AuditEvent.objects.filter(
        action=action,
        object_type="placements.PlacementRequest",
        object_id=str(placement_request.pk),
    )


def assert_transitioned(placement_request, frm, to, *, user=None, reason=None):
    """The request is now `to`; its last transition went frm -> to by `user` (None: the
    system), and one audit event records it with the same from, to and reason."""
    placement_request.refresh_from_db()
    assert placement_request.status == to
    row = last_transition(placement_request)
    assert (row.from_status, row.to_status) == (frm, to)
    assert row.actor == user
    if user is None:
        assert row.actor_label == "system"
    else:
        assert row.actor_label.startswith(user.email)
    if reason is not None:
        assert row.reason == reason
    assert row.at is not None
    events = audit_events(placement_request, f"request.{to}")
    matching = [e for e in events if e.detail.get("from") == frm and e.detail.get("to") == to]
    assert len(matching) == 1, [e.detail for e in events]
    event = matching[0]
    assert event.actor_user == user
    assert event.detail["reason"] == row.reason
    if user is None:
        # A system action is filed under the borough whose request it is.
        assert event.organisation_id == placement_request.borough_id
    return row


def assert_refused_without_change(placement_request, call, *, match=None, field=None):
    """`call()` raises DomainError; the status and the transitions are as they were."""
    placement_request.refresh_from_db()
    status = placement_request.status
    before = transitions(placement_request)
    with pytest.raises(DomainError, match=match) as refused:
        call()
    if field is not None:
        assert refused.value.field == field
    placement_request.refresh_from_db()
    assert placement_request.status == status
    assert transitions(placement_request) == before
    return refused.value


@pytest.fixture
def market(world):
    return helpers.market(world)


def in_state(world, state):
    """A request (with bids from A at 3000 and B at 2500 once past draft) in `state`."""
    if state == Status.DRAFT:
        lot, _ = helpers.market(world)
        return helpers.draft(world, lot)
    if state == Status.OPEN:
        lot, services = helpers.market(world)
        placement_request = helpers.published(world, lot)
        helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
        helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
        return placement_request
    if state == Status.CLOSED:
        return helpers.closed_with_bids(world)[0]
    if state == Status.SHORTLISTED:
        return helpers.shortlisted(world)[0]
    if state == Status.AWARDED:
        return helpers.awarded(world)[0]
    if state == Status.PLACED:
        placement_request, placement = helpers.awarded(world)
        award_services.placement_start(
            actor=actor_of(world.officer_a),
            placement=placement,
            actual_start_date=timezone.localdate(),
        )
        placement_request.refresh_from_db()
        return placement_request
    if state == Status.CANCELLED:
        lot, _ = helpers.market(world)
        placement_request = helpers.published(world, lot)
        request_services.request_cancel(
            actor=actor_of(world.officer_a),
            placement_request=placement_request,
            reason=Reason.NO_LONGER_NEEDED,
        )
        placement_request.refresh_from_db()
        return placement_request
    if state == Status.NO_SUITABLE_OFFER:
        lot, _ = helpers.market(world)
        return helpers.close(helpers.published(world, lot))  # no bid: no suitable offer
    raise AssertionError(state)


# ---------------------------------------------------------------------------------------------
# draft -> open


def test_publishing_opens_a_draft_with_a_default_deadline_24_hours_on(world, market):
    lot, _ = market
    placement_request = helpers.draft(world, lot)
    assert placement_request.status == Status.DRAFT
    assert placement_request.bid_deadline is None

    request_services.request_publish(
        actor=actor_of(world.officer_a), placement_request=placement_request
    )

    row = assert_transitioned(
        placement_request, Status.DRAFT, Status.OPEN, user=world.officer_a, reason=""
    )
    assert placement_request.published_at is not None
    assert placement_request.closed_at is None
    assert placement_request.bid_deadline == placement_request.published_at + timedelta(hours=24)
    assert abs(row.at - placement_request.published_at) < timedelta(seconds=5)


def test_an_emergency_request_closes_4_hours_after_publishing(world, market):
    lot, _ = market
    placement_request = helpers.published(world, lot, urgency="emergency")

    assert placement_request.bid_deadline == placement_request.published_at + timedelta(hours=4)


def test_publishing_keeps_the_deadline_the_officer_set(world, market):
    lot, _ = market
    deadline = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)
    placement_request = helpers.published(world, lot, bid_deadline=deadline)

    assert placement_request.bid_deadline == deadline


def test_publishing_twice_is_refused(world, market):
    lot, _ = market
    placement_request = helpers.published(world, lot)
    emails = OutboundEmail.objects.count()

    assert_refused_without_change(
        placement_request,
        lambda: request_services.request_publish(
            actor=actor_of(world.officer_a), placement_request=placement_request
        ),
        match="Only a draft can be published",
    )
    assert transitions(placement_request) == [(Status.DRAFT, Status.OPEN)]
    assert OutboundEmail.objects.count() == emails


@pytest.mark.parametrize("who", ["commissioner_a", "officer_b", "bidder_a", "admin"])
def test_only_the_boroughs_placement_officers_publish(world, market, who):
    lot, _ = market
    placement_request = helpers.draft(world, lot)

    with pytest.raises(PermissionDenied):
        request_services.request_publish(
            actor=actor_of(getattr(world, who)), placement_request=placement_request
        )

    placement_request.refresh_from_db()
    assert placement_request.status == Status.DRAFT
    assert transitions(placement_request) == []


def test_a_case_system_with_write_access_is_recorded_as_the_actor(world, market):
    lot, _ = market
    client, _key = make_api_client(world.borough_a, can_write=True)
    actor = Actor.for_api_client(client)
    placement_request = request_services.request_create(actor=actor, **helpers.complete_fields(lot))

    request_services.request_publish(actor=actor, placement_request=placement_request)

    row = last_transition(placement_request)
    assert row.actor is None
    assert row.actor_label == "API client Case system (Alpha Borough)"
    event = audit_events(placement_request, "request.open").get()
    assert event.actor_api_client == client
    assert event.organisation == world.borough_a


# ---------------------------------------------------------------------------------------------
# Publishing says everything that is missing


def test_an_empty_draft_lists_every_missing_field(world, market):
    placement_request = request_services.request_create(actor=actor_of(world.officer_a))

    with pytest.raises(RequestIncomplete) as refused:
        request_services.request_publish(
            actor=actor_of(world.officer_a), placement_request=placement_request
        )

    problems = refused.value.problems
    # Every required field, each with its own message; no needs scored at all; no outcomes.
    assert set(problems) == set(REQUIRED) | {"needs", "outcomes"}
    for name, message in REQUIRED.items():
        assert problems[name] == message + "."
    for label in INDICATOR_LABELS.values():
        assert label in problems["needs"]
    assert "13 things to put right" in str(refused.value)
    placement_request.refresh_from_db()
    assert placement_request.status == Status.DRAFT
    assert placement_request.invitations.count() == 0
    assert transitions(placement_request) == []
    assert OutboundEmail.objects.count() == 0


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_each_missing_required_field_is_named(world, market, name):
    lot, _ = market
    fields = helpers.complete_fields(lot)
    fields.pop(name)
    placement_request = request_services.request_create(actor=actor_of(world.officer_a), **fields)

    with pytest.raises(RequestIncomplete) as refused:
        request_services.request_publish(
            actor=actor_of(world.officer_a), placement_request=placement_request
        )

    assert refused.value.problems == {name: REQUIRED[name] + "."}
    assert refused.value.field == name
    placement_request.refresh_from_db()
    assert placement_request.status == Status.DRAFT


def test_an_unscored_need_is_named(world, market):
    lot, _ = market
    needs = dict(helpers.NEEDS)
    del needs["identity"]
    del needs["self_care"]
    placement_request = helpers.draft(world, lot, needs=needs)

    with pytest.raises(RequestIncomplete) as refused:
        request_services.request_publish(
            actor=actor_of(world.officer_a), placement_request=placement_request
        )

    assert set(refused.value.problems) == {"needs"}
    message = refused.value.problems["needs"]
    assert INDICATOR_LABELS["identity"] in message
    assert INDICATOR_LABELS["self_care"] in message
    assert INDICATOR_LABELS["emotional_health"] not in message


def test_a_need_scored_above_0_without_its_line_of_detail_is_named(world, market):
    lot, _ = market
    details = dict(helpers.DETAILS)
    del details["emotional_health"]
    needs = dict(helpers.NEEDS, physical_health=0)
    del details["physical_health"]  # scored 0: no detail needed
    placement_request = helpers.draft(world, lot, needs=needs, need_details=details)

    with pytest.raises(RequestIncomplete) as refused:
        request_services.request_publish(
            actor=actor_of(world.officer_a), placement_request=placement_request
        )

    assert set(refused.value.problems) == {"need_details"}
    message = refused.value.problems["need_details"]
    assert INDICATOR_LABELS["emotional_health"] in message
    assert INDICATOR_LABELS["physical_health"] not in message


def test_no_desired_outcome_is_named(world, market):
    lot, _ = market
    placement_request = helpers.draft(world, lot, outcomes={})

    with pytest.raises(RequestIncomplete) as refused:
        request_services.request_publish(
            actor=actor_of(world.officer_a), placement_request=placement_request
        )

    assert set(refused.value.problems) == {"outcomes"}


def test_a_date_needed_in_the_past_is_named(world, market):
    lot, _ = market
    placement_request = helpers.draft(
        world, lot, date_needed=timezone.localdate() - timedelta(days=1)
    )

    with pytest.raises(RequestIncomplete) as refused:
        request_services.request_publish(
            actor=actor_of(world.officer_a), placement_request=placement_request
        )

    assert set(refused.value.problems) == {"date_needed"}


def test_a_deadline_less_than_30_minutes_after_publishing_is_named(world, market):
    lot, _ = market
    placement_request = helpers.draft(
        world, lot, bid_deadline=timezone.now() + timedelta(minutes=10)
    )

    with pytest.raises(RequestIncomplete) as refused:
        request_services.request_publish(
            actor=actor_of(world.officer_a), placement_request=placement_request
        )

    assert set(refused.value.problems) == {"bid_deadline"}
    assert "30 minutes" in refused.value.problems["bid_deadline"]


def test_a_lot_closed_since_the_draft_was_written_is_named(world, market):
    lot, _ = market
    placement_request = helpers.draft(world, lot)
    Lot.objects.filter(pk=lot.pk).update(is_active=False)

    with pytest.raises(RequestIncomplete) as refused:
        request_services.request_publish(
            actor=actor_of(world.officer_a), placement_request=placement_request
        )

    assert set(refused.value.problems) == {"lot"}


def test_several_problems_are_all_listed_at_once(world, market):
    lot, _ = market
    fields = helpers.complete_fields(lot, outcomes={}, age=None)
    fields.pop("story")
    placement_request = request_services.request_create(actor=actor_of(world.officer_a), **fields)

    with pytest.raises(RequestIncomplete) as refused:
        request_services.request_publish(
            actor=actor_of(world.officer_a), placement_request=placement_request
        )

    assert set(refused.value.problems) == {"outcomes", "age", "story"}
    assert "3 things to put right" in str(refused.value)


# ---------------------------------------------------------------------------------------------
# open -> closed (the task), closed -> shortlisted, shortlisted -> awarded, awarded -> placed


def test_the_task_closes_an_open_request_once_its_deadline_and_grace_have_passed(world, market):
    lot, services = market
    placement_request = helpers.published(world, lot)
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
    deadline = placement_request.bid_deadline

    # Before the deadline, and within the grace after it, the request stays open.
    for moment in (deadline - timedelta(seconds=1), deadline + timedelta(seconds=2)):
        with time_machine.travel(moment, tick=False):
            assert closing.requests_close_due() == 0
        placement_request.refresh_from_db()
        assert placement_request.status == Status.OPEN
        assert placement_request.closed_at is None

    at = deadline + timedelta(seconds=6)
    with time_machine.travel(at, tick=False):
        assert closing.requests_close_due() == 1

    assert_transitioned(
        placement_request, Status.OPEN, Status.CLOSED, reason="The deadline passed: 2 valid bids."
    )
    assert placement_request.closed_at == at
    assert placement_request.bids_unsealed


def test_the_officer_confirms_the_shortlist_of_a_closed_request(world):
    placement_request, _ = helpers.closed_with_bids(world)

    request_services.request_shortlist_confirm(
        actor=actor_of(world.officer_a), placement_request=placement_request
    )

    assert_transitioned(
        placement_request, Status.CLOSED, Status.SHORTLISTED, user=world.officer_a, reason=""
    )


@pytest.mark.parametrize("state", [Status.DRAFT, Status.OPEN, Status.SHORTLISTED, Status.AWARDED])
def test_only_a_closed_request_can_be_shortlisted(world, state):
    placement_request = in_state(world, state)

    assert_refused_without_change(
        placement_request,
        lambda: request_services.request_shortlist_confirm(
            actor=actor_of(world.officer_a), placement_request=placement_request
        ),
    )


def test_awarding_the_top_ranked_bid_moves_a_shortlisted_request_to_awarded(world):
    placement_request, _ = helpers.shortlisted(world)
    top = Bid.objects.get(request=placement_request, rank=1)

    award_services.award(
        actor=actor_of(world.officer_a), placement_request=placement_request, bid=top
    )

    assert_transitioned(
        placement_request,
        Status.SHORTLISTED,
        Status.AWARDED,
        user=world.officer_a,
        reason="The top-ranked bid.",
    )


def test_awarding_another_bid_records_the_reason_on_the_transition(world):
    placement_request, _ = helpers.shortlisted(world)
    second = Bid.objects.get(request=placement_request, rank=2)

    award_services.award(
        actor=actor_of(world.officer_a),
        placement_request=placement_request,
        bid=second,
        reason="Closer to her school.",
    )

    assert_transitioned(
        placement_request,
        Status.SHORTLISTED,
        Status.AWARDED,
        user=world.officer_a,
        reason="Closer to her school.",
    )


@pytest.mark.parametrize("state", [Status.OPEN, Status.CLOSED])
def test_a_request_cannot_be_awarded_before_its_shortlist(world, state):
    placement_request = in_state(world, state)
    top = Bid.objects.filter(request=placement_request).order_by("weekly_fee").first()

    assert_refused_without_change(
        placement_request,
        lambda: award_services.award(
            actor=actor_of(world.officer_a),
            placement_request=placement_request,
            bid=top,
            reason="Any reason",
        ),
    )
    assert not hasattr(PlacementRequest.objects.get(pk=placement_request.pk), "placement")


def test_recording_the_start_moves_an_awarded_request_to_placed(world):
    placement_request, placement = helpers.awarded(world)
    started = timezone.localdate()

    award_services.placement_start(
        actor=actor_of(world.officer_a), placement=placement, actual_start_date=started
    )

    assert_transitioned(placement_request, Status.AWARDED, Status.PLACED, user=world.officer_a)
    placement.refresh_from_db()
    assert placement.status == placement.Status.STARTED
    assert placement.actual_start_date == started


def test_a_placement_cannot_start_twice_nor_in_the_future(world):
    placement_request, placement = helpers.awarded(world)

    assert_refused_without_change(
        placement_request,
        lambda: award_services.placement_start(
            actor=actor_of(world.officer_a),
            placement=placement,
            actual_start_date=timezone.localdate() + timedelta(days=1),
        ),
        field="actual_start_date",
    )
    award_services.placement_start(
        actor=actor_of(world.officer_a),
        placement=placement,
        actual_start_date=timezone.localdate(),
    )
    assert_refused_without_change(
        placement_request,
        lambda: award_services.placement_start(
            actor=actor_of(world.officer_a),
            placement=placement,
            actual_start_date=timezone.localdate(),
        ),
        match="already started",
    )
    assert transitions(placement_request).count((Status.AWARDED, Status.PLACED)) == 1


# ---------------------------------------------------------------------------------------------
# Cancelling


CANCEL_REASONS = [
    (Reason.NO_LONGER_NEEDED, "", "No longer needed"),
    (Reason.PLACED_IN_HOUSE, "", "Placed in-house"),
    (Reason.PLACED_ELSEWHERE, "", "Placed elsewhere"),
    (Reason.OTHER, "The family found a kinship carer.", "Other: The family found a kinship carer."),
]


@pytest.mark.parametrize("state", [Status.DRAFT, Status.OPEN, Status.CLOSED, Status.SHORTLISTED])
@pytest.mark.parametrize(("reason", "detail", "recorded"), CANCEL_REASONS)
def test_a_request_is_cancelled_with_a_reason_from_the_list(world, state, reason, detail, recorded):
    placement_request = in_state(world, state)

    request_services.request_cancel(
        actor=actor_of(world.officer_a),
        placement_request=placement_request,
        reason=reason,
        detail=detail,
    )

    assert_transitioned(
        placement_request, state, Status.CANCELLED, user=world.officer_a, reason=recorded
    )
    assert placement_request.cancel_reason == reason
    assert placement_request.status_reason == detail


def test_other_needs_a_detail(world, market):
    lot, _ = market
    placement_request = helpers.published(world, lot)

    assert_refused_without_change(
        placement_request,
        lambda: request_services.request_cancel(
            actor=actor_of(world.officer_a),
            placement_request=placement_request,
            reason=Reason.OTHER,
            detail="   ",
        ),
        field="detail",
    )


@pytest.mark.parametrize("reason", ["", "bored", None])
def test_a_reason_outside_the_list_is_refused(world, market, reason):
    lot, _ = market
    placement_request = helpers.published(world, lot)

    assert_refused_without_change(
        placement_request,
        lambda: request_services.request_cancel(
            actor=actor_of(world.officer_a),
            placement_request=placement_request,
            reason=reason,
            detail="Something",
        ),
        field="reason",
    )


@pytest.mark.parametrize(
    "state", [Status.AWARDED, Status.PLACED, Status.CANCELLED, Status.NO_SUITABLE_OFFER]
)
def test_a_request_past_its_shortlist_or_ended_cannot_be_cancelled(world, state):
    placement_request = in_state(world, state)

    assert_refused_without_change(
        placement_request,
        lambda: request_services.request_cancel(
            actor=actor_of(world.officer_a),
            placement_request=placement_request,
            reason=Reason.NO_LONGER_NEEDED,
        ),
    )


def cancelled_emails():
    return OutboundEmail.objects.filter(subject__contains="has been cancelled")


def test_cancelling_while_bids_are_sealed_tells_every_invited_provider(world, market):
    # Whom the email goes to must not reveal who bid: B never bid, and is told all the same.
    lot, services = market
    placement_request = helpers.published(world, lot)
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")

    request_services.request_cancel(
        actor=actor_of(world.officer_a),
        placement_request=placement_request,
        reason=Reason.PLACED_ELSEWHERE,
    )

    assert sorted(cancelled_emails().values_list("to", flat=True)) == [
        "admin@provider-a.test",
        "admin@provider-b.test",
        "bidder@provider-a.test",
        "bidder@provider-b.test",
    ]
    assert all("Reason: Placed elsewhere" in e.body_text for e in cancelled_emails())


def test_cancelling_after_closing_tells_the_bidders_but_not_one_that_withdrew(world, market):
    lot, services = market
    placement_request = helpers.published(world, lot)
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    withdrawn = helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
    bid_services.bid_withdraw(actor=actor_of(world.bidder_b), bid=withdrawn)
    helpers.close(placement_request)

    request_services.request_cancel(
        actor=actor_of(world.officer_a),
        placement_request=placement_request,
        reason=Reason.NO_LONGER_NEEDED,
    )

    assert sorted(cancelled_emails().values_list("to", flat=True)) == [
        "admin@provider-a.test",
        "bidder@provider-a.test",
    ]


def test_another_boroughs_officer_cannot_cancel(world, market):
    lot, _ = market
    placement_request = helpers.published(world, lot)

    with pytest.raises(PermissionDenied):
        request_services.request_cancel(
            actor=actor_of(world.officer_b),
            placement_request=placement_request,
            reason=Reason.NO_LONGER_NEEDED,
        )

    placement_request.refresh_from_db()
    assert placement_request.status == Status.OPEN


# ---------------------------------------------------------------------------------------------
# No suitable offer, and re-opening


@pytest.mark.parametrize("state", [Status.CLOSED, Status.SHORTLISTED])
def test_the_officer_finds_no_suitable_offer(world, state):
    placement_request = in_state(world, state)

    request_services.request_no_suitable_offer(
        actor=actor_of(world.officer_a),
        placement_request=placement_request,
        reason="  None can meet her education needs.  ",
    )

    assert_transitioned(
        placement_request,
        state,
        Status.NO_SUITABLE_OFFER,
        user=world.officer_a,
        reason="None can meet her education needs.",
    )
    assert placement_request.status_reason == "None can meet her education needs."
    told = set(
        OutboundEmail.objects.filter(subject__contains="no offer was chosen").values_list(
            "to", flat=True
        )
    )
    assert told == {
        "admin@provider-a.test",
        "bidder@provider-a.test",
        "admin@provider-b.test",
        "bidder@provider-b.test",
    }


def test_no_suitable_offer_needs_a_reason(world):
    placement_request, _ = helpers.closed_with_bids(world)

    assert_refused_without_change(
        placement_request,
        lambda: request_services.request_no_suitable_offer(
            actor=actor_of(world.officer_a), placement_request=placement_request, reason="  "
        ),
        field="reason",
    )


@pytest.mark.parametrize(
    "state", [Status.DRAFT, Status.OPEN, Status.AWARDED, Status.CANCELLED, Status.NO_SUITABLE_OFFER]
)
def test_no_suitable_offer_only_from_closed_or_shortlisted(world, state):
    placement_request = in_state(world, state)

    assert_refused_without_change(
        placement_request,
        lambda: request_services.request_no_suitable_offer(
            actor=actor_of(world.officer_a),
            placement_request=placement_request,
            reason="None suitable",
        ),
    )


def test_with_no_valid_bid_the_request_ends_with_no_suitable_offer_by_itself(world, market):
    lot, _ = market
    placement_request = helpers.close(helpers.published(world, lot))

    assert transitions(placement_request) == [
        (Status.DRAFT, Status.OPEN),
        (Status.OPEN, Status.CLOSED),
        (Status.CLOSED, Status.NO_SUITABLE_OFFER),
    ]
    assert_transitioned(
        placement_request, Status.CLOSED, Status.NO_SUITABLE_OFFER, reason="No valid bid."
    )
    assert placement_request.status_reason == "No valid bid was made."
    assert placement_request.closed_at is not None
    assert placement_request.evaluation.valid_bids == 0


def test_reopening_with_a_new_deadline_opens_a_new_round(world, market):
    lot, services = market
    placement_request = helpers.published(world, lot)
    first = helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    helpers.close(placement_request)
    request_services.request_no_suitable_offer(
        actor=actor_of(world.officer_a), placement_request=placement_request, reason="Too dear"
    )
    later = placement_request.bid_deadline + timedelta(hours=2)
    new_deadline = later + timedelta(hours=12)
    emails = OutboundEmail.objects.count()

    with time_machine.travel(later, tick=False):
        request_services.request_reopen(
            actor=actor_of(world.officer_a),
            placement_request=placement_request,
            bid_deadline=new_deadline,
        )

    assert_transitioned(
        placement_request,
        Status.NO_SUITABLE_OFFER,
        Status.OPEN,
        user=world.officer_a,
        reason="Re-opened",
    )
    assert placement_request.bid_deadline == new_deadline
    assert placement_request.closed_at is None  # sealed again for the new round
    assert not placement_request.bids_unsealed
    first.refresh_from_db()
    assert first.status == Bid.Status.INVALID
    assert first.invalid_reason == REOPENED
    reopened = OutboundEmail.objects.filter(subject__contains="is open for bids again")
    assert OutboundEmail.objects.count() - emails == reopened.count() == 4

    # The new round takes bids and closes on its own deadline.
    with time_machine.travel(later + timedelta(hours=1), tick=False):
        again = helpers.bid(placement_request, world.bidder_b, services["b"], "2600")
    helpers.close(placement_request)
    assert placement_request.status == Status.CLOSED
    again.refresh_from_db()
    first.refresh_from_db()
    assert again.rank == 1
    assert first.status == Bid.Status.INVALID
    assert placement_request.evaluation.valid_bids == 1


def test_a_reopened_deadline_must_be_at_least_30_minutes_away(world, market):
    lot, services = market
    placement_request = helpers.published(world, lot)
    made = helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    helpers.close(placement_request)
    request_services.request_no_suitable_offer(
        actor=actor_of(world.officer_a), placement_request=placement_request, reason="Too dear"
    )
    later = placement_request.bid_deadline + timedelta(hours=2)

    with time_machine.travel(later, tick=False):
        for deadline in (None, later - timedelta(hours=1), later + timedelta(minutes=10)):
            assert_refused_without_change(
                placement_request,
                lambda deadline=deadline: request_services.request_reopen(
                    actor=actor_of(world.officer_a),
                    placement_request=placement_request,
                    bid_deadline=deadline,
                ),
                field="bid_deadline",
            )
    made.refresh_from_db()
    assert made.status == Bid.Status.SUBMITTED  # the round's bid was not set aside


@pytest.mark.parametrize(
    "state",
    [
        Status.DRAFT,
        Status.OPEN,
        Status.CLOSED,
        Status.SHORTLISTED,
        Status.CANCELLED,
        Status.AWARDED,
        Status.PLACED,
    ],
)
def test_only_a_request_with_no_suitable_offer_can_be_reopened(world, state):
    placement_request = in_state(world, state)
    bids = dict(Bid.objects.filter(request=placement_request).values_list("pk", "status"))
    terms_version = placement_request.terms_version

    assert_refused_without_change(
        placement_request,
        lambda: request_services.request_reopen(
            actor=actor_of(world.officer_a),
            placement_request=placement_request,
            bid_deadline=timezone.now() + timedelta(days=3),
        ),
    )
    # Nothing of the refused re-opening stays behind.
    assert dict(Bid.objects.filter(request=placement_request).values_list("pk", "status")) == bids
    placement_request.refresh_from_db()
    assert placement_request.terms_version == terms_version
