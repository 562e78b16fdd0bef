"""The award: the top-ranked bid in one step, another only with a written reason; the placement
it creates, its IPA queued, and what every bidder is told. Also the young person's view of each
shortlisted offer, and the story released to the shortlisted and then to the winner alone."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from dps.models import AuditEvent, OutboundEmail
from dps.services import DomainError
from placements import tasks
from placements.models import Bid, Placement, PlacementRequest
from placements.selectors.story import story_released_to
from placements.services import award as award_services
from placements.services import requests as request_services
from placements.services import story as story_services
from providers.models import Enrolment
from tests.placements import helpers
from tests.placements.helpers import actor_of

D = Decimal
Status = PlacementRequest.Status

# helpers.shortlisted(world): A bids 3000 (quality 80), B 2500 (quality 60), both meeting every
# need. A: price 100 x 2500 / 3000 = 83.33; total (60 x 80 + 30 x 83.33 + 10 x 100) / 100
#          = 82.999 -> 83.00, rank 1.
# B: price 100; total (60 x 60 + 30 x 100 + 10 x 100) / 100 = 76.00, rank 2.


@pytest.fixture
def shortlist(world):
    placement_request, services = helpers.shortlisted(world)
    bids = {b.provider_id: b for b in Bid.objects.filter(request=placement_request)}
    return placement_request, bids[world.provider_a.pk], bids[world.provider_b.pk], services


def do_award(world, placement_request, bid, reason="", user=None):
    return award_services.award(
        actor=actor_of(user or world.officer_a),
        placement_request=placement_request,
        bid=bid,
        reason=reason,
    )


def emails_to(*addresses, subject):
    return OutboundEmail.objects.filter(to__in=addresses, subject__contains=subject)


def test_the_ranks_the_award_is_made_from(shortlist):
    _, a, b, _ = shortlist
    assert (a.rank, a.total_score) == (1, D("83.00"))
    assert (b.rank, b.total_score, b.quality_score, b.price_score, b.needs_fit_score) == (
        2,
        D("76.00"),
        D("60.00"),
        D("100.00"),
        D("100.00"),
    )


def test_the_top_ranked_bid_is_awarded_without_a_reason(
    world, shortlist, monkeypatch, django_capture_on_commit_callbacks
):
    placement_request, a, _, services = shortlist
    queued = []

    class IpaTask:
        """Stands in for the IPA task: records which placements are sent to the worker."""

        def delay(self, placement_id):
            queued.append(placement_id)

        def apply_async(self, args, **options):
            queued.append(args[0])

    monkeypatch.setattr(tasks, "ipa_generate_task", IpaTask())

    with django_capture_on_commit_callbacks(execute=True):
        placement = do_award(world, placement_request, a)

    placement.refresh_from_db()
    assert placement.request == placement_request
    assert placement.bid == a
    assert placement.borough == world.borough_a
    assert placement.provider == world.provider_a
    assert placement.service == services["a"]
    assert placement.lot == placement_request.lot
    assert placement.child_reference == "AB-1234"
    assert placement.weekly_fee == D("3000.00")
    assert placement.needs_total == sum(placement_request.needs.values()) > 0
    assert placement.start_date == a.start_date
    assert placement.planned_end_date == a.start_date + timedelta(weeks=52)
    assert placement.award_reason == ""
    assert placement.awarded_by == world.officer_a
    assert placement.status == Placement.Status.AWARDED
    placement_request.refresh_from_db()
    assert placement_request.status == Status.AWARDED
    event = AuditEvent.objects.get(action="placement.created")
    assert event.detail == {"bid": a.pk, "rank": 1, "weekly_fee": "3000.00"}
    # Its Individual Placement Agreement is rendered in the background.
    assert queued == [placement.pk]


def test_another_bid_without_a_reason_is_refused_beside_the_reason(world, shortlist):
    placement_request, _, b, _ = shortlist

    for reason in ("", "   "):
        with pytest.raises(DomainError) as refused:
            do_award(world, placement_request, b, reason=reason)
        assert refused.value.field == "reason"

    assert not Placement.objects.exists()
    placement_request.refresh_from_db()
    assert placement_request.status == Status.SHORTLISTED
    assert not OutboundEmail.objects.filter(subject__contains="awarded").exists()


def test_another_bid_with_a_reason_is_awarded(world, shortlist):
    placement_request, _, b, services = shortlist

    placement = do_award(world, placement_request, b, reason="  She wants to stay near school. ")

    assert placement.bid == b
    assert placement.provider == world.provider_b
    assert placement.service == services["b"]
    assert placement.weekly_fee == D("2500.00")
    assert placement.award_reason == "She wants to stay near school."


def test_the_winner_is_emailed_the_award(world, shortlist):
    placement_request, a, _, _ = shortlist

    placement = do_award(world, placement_request, a)

    won = emails_to("admin@provider-a.test", "bidder@provider-a.test", subject="has been awarded")
    assert won.count() == 2
    for email in won:
        assert "Alpha Care the placement at £3000.00 a week" in email.body_text
        assert f"/placements/{placement.pk}/" in email.body_text
    assert not emails_to(
        "admin@provider-a.test", "bidder@provider-a.test", subject="not chosen"
    ).exists()


def test_the_unsuccessful_bidders_are_emailed_their_rank_and_score_parts(world, shortlist):
    placement_request, a, _, _ = shortlist

    do_award(world, placement_request, a)

    lost = emails_to("admin@provider-b.test", "bidder@provider-b.test", subject="not chosen")
    assert lost.count() == 2
    for email in lost:
        body = email.body_text
        assert "ranked 2 of 2, with a total score of 76.00" in body
        assert "- quality 60.00" in body
        assert "- price 100.00" in body
        assert "- needs fit 100.00" in body
        # Nothing of the winning bid.
        assert "3000" not in body
        assert "Alpha" not in body
    assert not emails_to(
        "admin@provider-b.test", "bidder@provider-b.test", subject="has been awarded"
    ).exists()


def test_a_bidder_ranked_below_the_award_is_told_its_own_rank(world, shortlist):
    placement_request, _, b, _ = shortlist

    do_award(world, placement_request, b, reason="Closer to her school.")

    lost = emails_to("bidder@provider-a.test", subject="not chosen").get()
    assert "ranked 1 of 2, with a total score of 83.00" in lost.body_text
    assert "- price 83.33" in lost.body_text


def test_a_request_is_awarded_once(world, shortlist):
    placement_request, a, b, _ = shortlist
    do_award(world, placement_request, a)

    with pytest.raises(DomainError, match="already been awarded"):
        do_award(world, placement_request, b, reason="Changed our mind.")
    with pytest.raises(DomainError, match="already been awarded"):
        do_award(world, placement_request, a)

    assert Placement.objects.count() == 1


def test_an_invalid_bid_cannot_be_awarded(world):
    lot, services = helpers.market(world)
    placement_request = helpers.published(world, lot)
    invalid = helpers.bid(placement_request, world.bidder_a, services["a"], "2000")
    helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
    Enrolment.objects.filter(provider=world.provider_a).update(status="suspended")
    helpers.close(placement_request)
    request_services.request_shortlist_confirm(
        actor=actor_of(world.officer_a), placement_request=placement_request
    )

    with pytest.raises(DomainError) as refused:
        do_award(world, placement_request, invalid, reason="Cheapest")

    assert refused.value.field == "bid"
    assert not Placement.objects.exists()


def test_a_bid_on_another_request_cannot_be_awarded(world, shortlist):
    _, a, _, _ = shortlist
    other = PlacementRequest.objects.create(borough=world.borough_a, status=Status.SHORTLISTED)

    with pytest.raises(DomainError) as refused:
        do_award(world, other, a, reason="Wrong request")

    assert refused.value.field == "bid"
    assert not Placement.objects.exists()


@pytest.mark.parametrize("who", ["commissioner_a", "officer_b", "bidder_a", "admin"])
def test_only_the_boroughs_placement_officers_award(world, shortlist, who):
    placement_request, a, _, _ = shortlist

    with pytest.raises(PermissionDenied):
        do_award(world, placement_request, a, user=getattr(world, who))

    assert not Placement.objects.exists()


# ---------------------------------------------------------------------------------------------
# The young person's view


def test_the_young_persons_view_of_a_shortlisted_offer_is_recorded(world, shortlist):
    _, _, b, _ = shortlist

    award_services.young_person_view_record(
        actor=actor_of(world.officer_a), bid=b, view="  Liked the garden.  "
    )

    b.refresh_from_db()
    assert b.young_person_view == "Liked the garden."
    assert b.young_person_view_by == world.officer_a
    assert b.young_person_view_at is not None
    assert AuditEvent.objects.get(action="bid.young_person_view").detail == {"bid": b.pk}


def test_an_empty_view_is_refused(world, shortlist):
    _, a, _, _ = shortlist

    with pytest.raises(DomainError) as refused:
        award_services.young_person_view_record(actor=actor_of(world.officer_a), bid=a, view=" ")

    assert refused.value.field == "view"


def test_the_view_is_recorded_only_while_shortlisted(world):
    placement_request, _ = helpers.closed_with_bids(world)
    bid = Bid.objects.get(request=placement_request, rank=1)

    with pytest.raises(DomainError, match="while the request is shortlisted"):
        award_services.young_person_view_record(
            actor=actor_of(world.officer_a), bid=bid, view="Fine"
        )


def test_only_the_borough_records_the_view(world, shortlist):
    _, a, _, _ = shortlist

    for who in ("bidder_a", "officer_b", "commissioner_a"):
        with pytest.raises(PermissionDenied):
            award_services.young_person_view_record(
                actor=actor_of(getattr(world, who)), bid=a, view="Fine"
            )

    a.refresh_from_db()
    assert a.young_person_view == ""


# ---------------------------------------------------------------------------------------------
# The story: to the shortlisted, then to the winner alone; each view audited


def test_the_story_is_released_at_the_shortlist_and_then_to_the_winner_alone(world):
    placement_request, _ = helpers.closed_with_bids(world)
    a, b = actor_of(world.bidder_a), actor_of(world.bidder_b)
    assert not story_released_to(a, placement_request)
    with pytest.raises(PermissionDenied):
        story_services.story_view(actor=a, placement_request=placement_request)

    request_services.request_shortlist_confirm(
        actor=actor_of(world.officer_a), placement_request=placement_request
    )
    placement_request.refresh_from_db()

    story = story_services.story_view(actor=b, placement_request=placement_request)
    assert story["story"] == helpers.STORY
    assert story["strengths"] == helpers.STRENGTHS
    viewed = AuditEvent.objects.get(action="request.story_viewed")
    assert viewed.actor_user == world.bidder_b
    assert viewed.organisation == world.provider_b

    top = Bid.objects.get(request=placement_request, rank=1)
    do_award(world, placement_request, top)
    placement_request.refresh_from_db()

    assert story_released_to(a, placement_request)
    assert not story_released_to(b, placement_request)
    with pytest.raises(PermissionDenied):
        story_services.story_view(actor=b, placement_request=placement_request)
    # The borough's own staff read it; another borough does not.
    assert story_released_to(actor_of(world.commissioner_a), placement_request)
    assert not story_released_to(actor_of(world.officer_b), placement_request)
