"""The borough's evaluation and shortlist pages: ranks and every score part, invalid bids with
their reasons, confirming the shortlist, the young person's view, and the award (one click for
the top offer, a reason for any other, once only)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dps.models import Role
from placements.models import Bid, Placement, PlacementRequest
from placements.services import bids as bid_services
from placements.services import requests as request_services
from providers.models import Enrolment
from providers.needs import INDICATOR_CODES
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    ProviderFactory,
    ServiceFactory,
    UserFactory,
)
from tests.placements import helpers

Status = PlacementRequest.Status


def url(name, *args):
    return reverse(f"placements:{name}", args=args)


def text(response):
    return response.content.decode()


@pytest.fixture
def officer(client, world):
    client.force_login(world.officer_a)
    return client


def ranked(placement_request):
    return list(Bid.objects.filter(request=placement_request, rank__isnull=False).order_by("rank"))


def test_the_shortlist_shows_each_rank_with_every_score_part(officer, world):
    placement_request, _ = helpers.closed_with_bids(world, fees=("3000", "2500"))
    first, second = ranked(placement_request)

    page = text(officer.get(url("shortlist", placement_request.pk)))

    # A: quality 80, price 100 x 2500 / 3000 = 83.33, needs fit 100: total 48 + 25 + 10 = 83.
    assert (first.provider.name, first.total_score) == ("Alpha Care", Decimal("83.00"))
    assert (second.provider.name, second.total_score) == ("Bravo Care", Decimal("76.00"))
    assert "Quality 60%, price 30%, needs fit 10%" in page
    assert 'Lowest valid weekly fee</dt><dd class="govuk-summary-list__value">£2,500.00' in page
    card_a = page[page.index("Rank 1: Alpha Care") : page.index("Rank 2: Bravo Care")]
    for part in ("83.33", "80.00", "100.00", "83.00", "£3,000.00", "Alpha House"):
        assert part in card_a, part
    card_b = page[page.index("Rank 2: Bravo Care") :]
    for part in ("100.00", "60.00", "76.00", "£2,500.00", "Bravo House"):
        assert part in card_b, part
    assert "Confirm the shortlist" in page


def test_bids_beyond_the_top_three_are_ranked_below_and_invalid_ones_give_their_reason(
    officer, world
):
    lot, services = helpers.market(world)
    placement_request = helpers.published(world, lot)
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
    extra = []
    for index, name in enumerate(("Charlie", "Delta")):
        provider = ProviderFactory(name=f"{name} Care")
        EnrolmentFactory(provider=provider, lot=lot)
        service = ServiceFactory(
            provider=provider,
            name=f"{name} House",
            age_min=8,
            age_max=17,
            vacancies=1,
            registered_places=4,
            needs_met=dict.fromkeys(INDICATOR_CODES, 3),
        )
        user = UserFactory(email=f"bidder{index}@{name.lower()}.test")
        MembershipFactory(user=user, organisation=provider, role=Role.BIDDER)
        extra.append((provider, service, user))
    # Invite the new providers: an open request's change of terms invites newly eligible ones.
    request_services.request_update(
        actor=helpers.actor_of(world.officer_a),
        placement_request=placement_request,
        duration_weeks=40,
    )
    for _provider, service, user in extra:
        helpers.bid(placement_request, user, service, "4000")
    # Bravo's enrolment is suspended before the deadline: its bid is invalid at closing.
    Enrolment.objects.filter(provider=world.provider_b, lot=lot).update(status="suspended")
    # Alpha bid before the terms changed and re-confirms; Charlie and Delta bid after.
    bid_services.bid_confirm(
        actor=helpers.actor_of(world.bidder_a),
        bid=Bid.objects.get(request=placement_request, provider=world.provider_a),
    )
    helpers.close(placement_request)

    page = text(officer.get(url("shortlist", placement_request.pk)))

    ranks = dict(
        Bid.objects.filter(request=placement_request).values_list("provider__name", "rank")
    )
    assert ranks == {"Alpha Care": 1, "Charlie Care": 2, "Delta Care": 3, "Bravo Care": None}
    invalid = page[page.index("Invalid bids") :]
    assert "Bravo Care" in invalid
    assert "suspended at the deadline" in invalid


def test_confirming_the_shortlist(officer, world):
    placement_request, _ = helpers.closed_with_bids(world)

    response = officer.post(url("shortlist_confirm", placement_request.pk), follow=True)

    placement_request.refresh_from_db()
    assert placement_request.status == Status.SHORTLISTED
    page = text(response)
    assert "Shortlist confirmed" in page
    assert "Confirm the shortlist" not in page.replace("Shortlist confirmed", "")
    assert "Record the view" in page
    assert "Award to Alpha Care" in page


def test_the_shortlist_cannot_be_confirmed_twice(officer, world):
    placement_request, _ = helpers.shortlisted(world)

    response = officer.post(url("shortlist_confirm", placement_request.pk), follow=True)

    assert "cannot become shortlisted" in text(response)
    assert placement_request.transitions.filter(to_status=Status.SHORTLISTED).count() == 1


def test_the_young_persons_view_is_recorded_for_a_shortlisted_offer(officer, world):
    placement_request, _ = helpers.shortlisted(world)
    bid = ranked(placement_request)[1]
    field = f"bid-{bid.pk}-view"

    empty = officer.post(url("young_person_view", placement_request.pk, bid.pk), {field: " "})
    response = officer.post(
        url("young_person_view", placement_request.pk, bid.pk),
        {field: "She liked the garden and the dog."},
        follow=True,
    )

    assert empty.status_code == 400
    assert "Enter the young person&#x27;s view." in text(empty)
    bid.refresh_from_db()
    assert bid.young_person_view == "She liked the garden and the dog."
    assert bid.young_person_view_by == world.officer_a
    assert "She liked the garden and the dog." in text(response)


def test_the_young_persons_view_waits_for_the_shortlist(officer, world):
    placement_request, _ = helpers.closed_with_bids(world)
    bid = ranked(placement_request)[0]

    response = officer.post(
        url("young_person_view", placement_request.pk, bid.pk), {f"bid-{bid.pk}-view": "Yes"}
    )

    assert response.status_code == 400
    bid.refresh_from_db()
    assert bid.young_person_view == ""


def test_the_top_offer_is_awarded_in_one_click(officer, world):
    placement_request, _ = helpers.shortlisted(world)
    top = ranked(placement_request)[0]

    response = officer.post(url("award", placement_request.pk), {"bid": top.pk})

    placement = Placement.objects.get(request=placement_request)
    assert response.status_code == 302
    assert response["Location"] == url("placement_detail", placement.pk)
    assert placement.bid == top
    assert placement.award_reason == ""
    placement_request.refresh_from_db()
    assert placement_request.status == Status.AWARDED


def test_another_offer_needs_a_reason_shown_beside_the_reason_field(officer, world):
    placement_request, _ = helpers.shortlisted(world)
    second = ranked(placement_request)[1]

    form = text(officer.get(url("award", placement_request.pk) + f"?bid={second.pk}"))
    refused = officer.post(url("award", placement_request.pk), {"bid": second.pk, "reason": ""})

    assert f'value="{second.pk}"' in form
    assert "checked" in form
    assert refused.status_code == 400
    page = text(refused)
    error = page[page.index('id="id_reason-error"') :]
    assert error.index("Say why you are choosing this bid rather than the top-ranked one.") < 200
    assert '<a href="#id_reason">' in page
    assert not Placement.objects.filter(request=placement_request).exists()

    response = officer.post(
        url("award", placement_request.pk),
        {"bid": second.pk, "reason": "Closer to her school and her sister."},
    )

    assert response.status_code == 302
    placement = Placement.objects.get(request=placement_request)
    assert placement.bid == second
    assert placement.award_reason == "Closer to her school and her sister."


def test_a_request_is_awarded_once_only(officer, world):
    placement_request, placement = helpers.awarded(world)
    second = ranked(placement_request)[1]

    response = officer.post(
        url("award", placement_request.pk), {"bid": second.pk, "reason": "Changed our mind"}
    )

    assert response.status_code == 302
    assert "already been awarded" in text(officer.get(response["Location"]))
    assert Placement.objects.filter(request=placement_request).count() == 1
    assert Placement.objects.get(request=placement_request) == placement


def test_a_bid_of_another_request_cannot_be_awarded(officer, world):
    placement_request, _ = helpers.shortlisted(world)

    response = officer.post(url("award", placement_request.pk), {"bid": 999999})

    assert response.status_code == 400
    assert not Placement.objects.exists()


def test_a_commissioner_reads_the_shortlist_but_cannot_act(client, world):
    placement_request, _ = helpers.shortlisted(world)
    top = ranked(placement_request)[0]
    client.force_login(world.commissioner_a)

    page = text(client.get(url("shortlist", placement_request.pk)))

    assert "Rank 1: Alpha Care" in page
    assert "Award to" not in page
    assert "Record the view" not in page
    assert client.post(url("award", placement_request.pk), {"bid": top.pk}).status_code == 403
    assert (
        client.post(
            url("young_person_view", placement_request.pk, top.pk), {f"bid-{top.pk}-view": "x"}
        ).status_code
        == 403
    )
    assert client.post(url("shortlist_confirm", placement_request.pk)).status_code == 403
    assert not Placement.objects.exists()


def test_the_shortlist_of_an_open_request_is_sealed(officer, world):
    lot, services = helpers.market(world)
    placement_request = helpers.published(world, lot)
    helpers.bid(placement_request, world.bidder_a, services["a"], "3456.78")

    page = text(officer.get(url("shortlist", placement_request.pk)))

    assert "Bids are sealed until the deadline" in page
    assert "3,456.78" not in page
    assert "Alpha House" not in page
    assert "Rank 1" not in page


def test_other_boroughs_and_providers_cannot_reach_the_shortlist(client, world):
    placement_request, _ = helpers.shortlisted(world)
    top = ranked(placement_request)[0]

    client.force_login(world.officer_b)
    assert client.get(url("shortlist", placement_request.pk)).status_code == 404
    assert client.post(url("award", placement_request.pk), {"bid": top.pk}).status_code == 404
    client.force_login(world.bidder_a)
    assert client.get(url("shortlist", placement_request.pk)).status_code == 403
    assert client.post(url("award", placement_request.pk), {"bid": top.pk}).status_code == 403
    assert not Placement.objects.exists()
