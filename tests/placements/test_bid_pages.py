"""The provider's bid pages: making, changing, withdrawing and re-making a bid, the deadline
race through the form, re-confirming after the terms change, declining, and a suspended
enrolment."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from placements.models import Bid, ProviderInvitation
from placements.services import requests as request_services
from providers.models import Enrolment
from tests.placements import helpers


@pytest.fixture
def opportunity(world):
    """An open request both providers are invited to; provider A's invitation."""
    lot, services = helpers.market(world)
    placement_request = helpers.published(world, lot)
    invitation = helpers.invitation(placement_request, world.provider_a)
    return invitation, services


def bid_url(invitation):
    return reverse("placements:bid", args=[invitation.pk])


def detail_url(invitation):
    return reverse("placements:opportunity_detail", args=[invitation.pk])


def list_state(client, invitation):
    """The provider's status shown in the list row of the invitation's request."""
    text = client.get(reverse("placements:opportunity_list")).content.decode()
    row = text.split(f'href="{detail_url(invitation)}"', 1)[1].split("</tr>", 1)[0]
    return row.split("govuk-tag--", 1)[1].split(">", 1)[1].split("<", 1)[0]


def form_data(service, **overrides):
    data = {
        "service": str(service.pk),
        "core_weekly_fee": "£3,000",
        "extra_staffing_hours": "10",
        "extra_staffing_cost": "250.50",
        "start_date": (timezone.localdate() + timedelta(days=14)).strftime("%d/%m/%Y"),
        "need_emotional_health": "Weekly therapy on site.",
        "need_education_progress": "A tutor two afternoons a week.",
        "volume_discount": "5% off a second child.",
    }
    data.update(overrides)
    return data


def test_a_bidder_makes_a_bid_and_sees_the_weekly_fee_total(client, world, opportunity):
    invitation, services = opportunity
    client.force_login(world.bidder_a)

    page = client.get(bid_url(invitation))
    response = client.post(bid_url(invitation), form_data(services["a"]), follow=True)

    assert page.status_code == 200
    bid = Bid.objects.get(request=invitation.request, provider=world.provider_a)
    assert bid.status == Bid.Status.SUBMITTED
    assert bid.service == services["a"]
    assert bid.core_weekly_fee == Decimal("3000.00")
    assert bid.extra_staffing_hours == Decimal("10")
    assert bid.weekly_fee == Decimal("3250.50")
    # Blank needs are needs the bid does not meet.
    assert bid.needs_met == {
        "emotional_health": "Weekly therapy on site.",
        "education_progress": "A tutor two afternoons a week.",
    }
    assert bid.volume_discount == "5% off a second child."
    text = response.content.decode()
    assert response.redirect_chain[-1][0] == detail_url(invitation)
    assert "Your bid has been submitted: a weekly fee of £3,250.50." in text
    assert "£3,250.50" in text
    assert "Weekly therapy on site." in text
    assert list_state(client, invitation) == "Bid submitted"


def test_the_form_offers_the_invited_services_and_only_the_needs_the_request_scores(client, world):
    lot, _ = helpers.market(world)
    needs = dict(helpers.NEEDS, physical_health=0)
    details = {k: v for k, v in helpers.DETAILS.items() if k != "physical_health"}
    placement_request = helpers.published(world, lot, needs=needs, need_details=details)
    invitation = helpers.invitation(placement_request, world.provider_a)
    client.force_login(world.provider_admin_a)

    text = client.get(bid_url(invitation)).content.decode()

    assert 'name="need_emotional_health"' in text
    assert 'name="need_physical_health"' not in text
    assert "Alpha House" in text
    assert "Bravo House" not in text  # provider B's service


def test_a_service_not_invited_is_refused(client, world, opportunity):
    invitation, services = opportunity
    client.force_login(world.bidder_a)

    response = client.post(bid_url(invitation), form_data(services["b"]))

    assert response.status_code == 400
    assert "Choose one of the services listed." in response.content.decode()
    assert not Bid.objects.exists()


def test_bad_input_is_shown_beside_its_field_and_what_was_typed_is_kept(client, world, opportunity):
    invitation, services = opportunity
    client.force_login(world.bidder_a)

    bad_fee = client.post(bid_url(invitation), form_data(services["a"], core_weekly_fee="lots"))
    yesterday = (timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y")
    past = client.post(bid_url(invitation), form_data(services["a"], start_date=yesterday))
    zero = client.post(bid_url(invitation), form_data(services["a"], core_weekly_fee="0"))

    assert bad_fee.status_code == 400
    text = bad_fee.content.decode()
    assert "Enter the core weekly fee in pounds, like 4250.00." in text
    assert 'value="lots"' in text
    assert "Weekly therapy on site." in text
    assert past.status_code == 400
    assert "The start date must be today or later." in past.content.decode()
    assert zero.status_code == 400
    assert "The core weekly fee must be more than £0." in zero.content.decode()
    assert not Bid.objects.exists()


def test_a_bid_is_changed_from_its_prefilled_form(client, world, opportunity):
    invitation, services = opportunity
    helpers.bid(invitation.request, world.bidder_a, services["a"], "2800")
    client.force_login(world.provider_admin_a)

    page = client.get(bid_url(invitation)).content.decode()
    changed = form_data(
        services["a"], core_weekly_fee="2900", extra_staffing_cost="", extra_staffing_hours=""
    )
    response = client.post(bid_url(invitation), changed, follow=True)

    assert 'value="2800.00"' in page
    assert "Change your bid" in page
    bid = Bid.objects.get()
    assert bid.weekly_fee == Decimal("2900.00")
    assert bid.extra_staffing_cost == 0
    assert "Your bid has been changed: a weekly fee of £2,900.00." in response.content.decode()


def test_a_bid_is_withdrawn_after_confirming_and_can_be_made_again(client, world, opportunity):
    invitation, services = opportunity
    first = helpers.bid(invitation.request, world.bidder_a, services["a"], "2800")
    client.force_login(world.bidder_a)
    withdraw = reverse("placements:bid_withdraw", args=[invitation.pk])

    confirm_page = client.get(withdraw)
    first.refresh_from_db()
    still_submitted = first.status
    response = client.post(withdraw, follow=True)
    first.refresh_from_db()
    withdrawn_state = list_state(client, invitation)
    again = client.post(bid_url(invitation), form_data(services["a"], core_weekly_fee="2700"))

    assert confirm_page.status_code == 200
    assert "Withdraw your bid?" in confirm_page.content.decode()
    assert still_submitted == Bid.Status.SUBMITTED  # the GET changes nothing
    assert first.status == Bid.Status.WITHDRAWN
    assert "Your bid has been withdrawn." in response.content.decode()
    assert withdrawn_state == "Bid withdrawn"
    assert again.status_code == 302
    rebid = Bid.objects.get()
    assert rebid.pk == first.pk
    assert rebid.status == Bid.Status.SUBMITTED
    assert rebid.weekly_fee == Decimal("2950.50")
    assert list_state(client, invitation) == "Bid submitted"


def test_withdrawing_without_a_bid_says_so(client, world, opportunity):
    invitation, _ = opportunity
    client.force_login(world.bidder_a)

    response = client.post(reverse("placements:bid_withdraw", args=[invitation.pk]), follow=True)

    assert "You have no bid to withdraw on this request." in response.content.decode()


def test_a_form_loaded_before_the_deadline_and_sent_after_it_is_refused(client, world, opportunity):
    invitation, services = opportunity
    deadline = invitation.request.bid_deadline

    # (Sessions end after 30 minutes idle: the bidder signs in and loads the form a minute
    # before the deadline.)
    with time_machine.travel(deadline - timedelta(minutes=1), tick=False):
        client.force_login(world.bidder_a)
        page = client.get(bid_url(invitation))
    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        response = client.post(bid_url(invitation), form_data(services["a"]))

    assert page.status_code == 200
    assert response.status_code == 400
    text = response.content.decode()
    assert "The deadline for bids passed at" in text
    assert "Bids can no longer be made or changed." in text
    assert "There is a problem" in text
    # Nothing typed is lost.
    assert 'value="£3,000"' in text
    assert "Weekly therapy on site." in text
    assert "5% off a second child." in text
    assert not Bid.objects.exists()


def test_a_change_sent_after_the_deadline_leaves_the_bid_as_it_was(client, world, opportunity):
    invitation, services = opportunity
    helpers.bid(invitation.request, world.bidder_a, services["a"], "2800")
    deadline = invitation.request.bid_deadline
    with time_machine.travel(deadline - timedelta(minutes=1), tick=False):
        client.force_login(world.bidder_a)
        client.get(bid_url(invitation))

    with time_machine.travel(deadline + timedelta(minutes=5), tick=False):
        response = client.post(bid_url(invitation), form_data(services["a"]))
        withdraw = client.post(
            reverse("placements:bid_withdraw", args=[invitation.pk]), follow=True
        )

    assert response.status_code == 400
    assert "The deadline for bids passed at" in response.content.decode()
    assert "The deadline for bids passed at" in withdraw.content.decode()
    bid = Bid.objects.get()
    assert bid.weekly_fee == Decimal("2800.00")
    assert bid.status == Bid.Status.SUBMITTED


def test_the_bid_form_is_not_offered_once_the_deadline_has_passed(client, world, opportunity):
    invitation, _ = opportunity

    with time_machine.travel(invitation.request.bid_deadline + timedelta(minutes=1), tick=False):
        client.force_login(world.bidder_a)
        response = client.get(bid_url(invitation), follow=True)
        detail = response.content.decode()

    assert response.redirect_chain[-1][0] == detail_url(invitation)
    assert "The deadline for bids passed at" in detail
    assert "Make a bid" not in detail


def test_a_bid_made_before_the_terms_changed_is_re_confirmed(client, world, opportunity):
    invitation, services = opportunity
    placement_request = invitation.request
    bid = helpers.bid(placement_request, world.bidder_a, services["a"], "2800")
    request_services.request_update(
        actor=helpers.actor_of(world.officer_a),
        placement_request=placement_request,
        needs=dict(helpers.NEEDS, physical_health=2),
    )
    client.force_login(world.bidder_a)

    before = client.get(detail_url(invitation)).content.decode()
    state_before = list_state(client, invitation)
    response = client.post(reverse("placements:bid_confirm", args=[invitation.pk]), follow=True)
    after = response.content.decode()

    assert "Your bid needs re-confirmation." in before
    assert reverse("placements:bid_confirm", args=[invitation.pk]) in before
    assert state_before == "Bid needs re-confirmation"
    bid.refresh_from_db()
    placement_request.refresh_from_db()
    assert bid.terms_version == placement_request.terms_version == 2
    assert "Your bid is confirmed on the changed terms." in after
    assert "needs re-confirmation" not in after
    assert list_state(client, invitation) == "Bid submitted"


def test_changing_the_bid_also_re_confirms_it(client, world, opportunity):
    invitation, services = opportunity
    helpers.bid(invitation.request, world.bidder_a, services["a"], "2800")
    request_services.request_update(
        actor=helpers.actor_of(world.officer_a),
        placement_request=invitation.request,
        needs=dict(helpers.NEEDS, physical_health=2),
    )
    client.force_login(world.bidder_a)

    client.post(bid_url(invitation), form_data(services["a"], need_physical_health="Yes."))

    assert not Bid.objects.get().needs_reconfirmation
    assert Bid.objects.get().needs_met["physical_health"] == "Yes."


def test_the_confirm_button_needs_a_post(client, world, opportunity):
    invitation, _ = opportunity
    client.force_login(world.bidder_a)

    response = client.get(reverse("placements:bid_confirm", args=[invitation.pk]))

    assert response.status_code == 405


def test_a_provider_declines_with_a_reason(client, world, opportunity):
    invitation, _ = opportunity
    client.force_login(world.bidder_a)
    decline = reverse("placements:opportunity_decline", args=[invitation.pk])

    page = client.get(decline)
    response = client.post(decline, {"reason": "No vacancy until spring."}, follow=True)

    assert page.status_code == 200
    invitation.refresh_from_db()
    assert invitation.declined_at is not None
    assert invitation.decline_reason == "No vacancy until spring."
    text = response.content.decode()
    assert "You have declined this request." in text
    assert "No vacancy until spring." in text
    assert list_state(client, invitation) == "Declined"


def test_a_provider_with_a_bid_must_withdraw_it_before_declining(client, world, opportunity):
    invitation, services = opportunity
    helpers.bid(invitation.request, world.bidder_a, services["a"], "2800")
    client.force_login(world.bidder_a)

    response = client.post(reverse("placements:opportunity_decline", args=[invitation.pk]), {})

    assert response.status_code == 400
    assert "Withdraw your bid before declining." in response.content.decode()
    assert ProviderInvitation.objects.get(pk=invitation.pk).declined_at is None


def test_bidding_after_declining_clears_the_decline(client, world, opportunity):
    invitation, services = opportunity
    client.force_login(world.bidder_a)
    client.post(reverse("placements:opportunity_decline", args=[invitation.pk]), {})

    client.post(bid_url(invitation), form_data(services["a"]))

    assert ProviderInvitation.objects.get(pk=invitation.pk).declined_at is None
    assert list_state(client, invitation) == "Bid submitted"


def test_a_provider_whose_enrolment_is_suspended_cannot_bid(client, world, opportunity):
    invitation, services = opportunity
    Enrolment.objects.filter(provider=world.provider_a).update(status=Enrolment.Status.SUSPENDED)
    client.force_login(world.bidder_a)

    detail = client.get(detail_url(invitation)).content.decode()
    response = client.post(bid_url(invitation), form_data(services["a"]))

    assert "is not active, so you cannot bid" in detail
    assert response.status_code == 400
    assert (
        "Your enrolment on this lot is not active, so you cannot bid. Contact the consortium."
        in response.content.decode()
    )
    assert not Bid.objects.exists()


def test_another_provider_cannot_bid_on_the_invitation(client, world, opportunity):
    invitation, services = opportunity
    client.force_login(world.bidder_b)

    response = client.post(bid_url(invitation), form_data(services["b"]))
    withdraw = client.post(reverse("placements:bid_withdraw", args=[invitation.pk]))
    decline = client.post(reverse("placements:opportunity_decline", args=[invitation.pk]))

    assert response.status_code == withdraw.status_code == decline.status_code == 404
    assert not Bid.objects.exists()
    assert ProviderInvitation.objects.get(pk=invitation.pk).declined_at is None
