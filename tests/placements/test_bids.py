"""A provider's bid: what it is made of, who may make it, until when (the deadline is checked in
the transaction that saves it), withdrawing and bidding again, declining, and the
re-confirmation a change of terms asks for."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.formats import date_format

from dps.models import AuditEvent, OutboundEmail
from dps.services import DomainError
from dps.tenancy import Actor
from placements.models import Bid, PlacementRequest, ProviderInvitation
from placements.selectors import bids_visible_to
from placements.services import bids as bid_services
from placements.services import requests as request_services
from placements.services.requests import TERMS_FIELDS
from providers.models import Enrolment, Service
from providers.needs import DOMAINS, INDICATOR_CODES
from tests.factories import LotFactory, ServiceFactory, make_api_client
from tests.placements import helpers
from tests.placements.helpers import actor_of

D = Decimal
Status = PlacementRequest.Status


@pytest.fixture
def market(world):
    return helpers.market(world)


@pytest.fixture
def open_request(world, market):
    lot, _ = market
    return helpers.published(world, lot)


def save(user, placement_request, service, **fields):
    """bid_save as `user`, on the invitation of the user's provider, with a valid bid's fields
    unless given."""
    actor = actor_of(user)
    values = {
        "core_weekly_fee": D("2500"),
        "start_date": timezone.localdate() + timedelta(days=14),
        "needs_met": dict.fromkeys(INDICATOR_CODES, "We can."),
    }
    values.update(fields)
    return bid_services.bid_save(
        actor=actor,
        invitation=helpers.invitation(placement_request, actor.organisation),
        service=service,
        **values,
    )


def deadline_message(placement_request):
    when = date_format(timezone.localtime(placement_request.bid_deadline), "j F Y \\a\\t H:i")
    return f"The deadline for bids passed at {when}. Bids can no longer be made or changed."


# ---------------------------------------------------------------------------------------------
# Making, changing, withdrawing


def test_a_bid_is_saved_with_its_fee_breakdown(world, market, open_request):
    _, services = market
    start = timezone.localdate() + timedelta(days=10)

    bid = save(
        world.bidder_a,
        open_request,
        services["a"],
        core_weekly_fee="2000.004",
        extra_staffing_hours="10",
        extra_staffing_cost="500",
        start_date=start,
        needs_met={"emotional_health": "  Weekly therapy.  ", "identity": "   "},
        volume_discount="  5% off a second placement  ",
    )

    bid.refresh_from_db()
    assert bid.provider == world.provider_a
    assert bid.service == services["a"]
    assert bid.status == Bid.Status.SUBMITTED
    assert (bid.core_weekly_fee, bid.extra_staffing_hours, bid.extra_staffing_cost) == (
        D("2000.00"),
        D("10.00"),
        D("500.00"),
    )
    assert bid.weekly_fee == D("2500.00")  # core + extra staffing
    assert bid.start_date == start
    assert bid.needs_met == {"emotional_health": "Weekly therapy."}  # blank answers dropped
    assert bid.volume_discount == "5% off a second placement"
    assert bid.terms_version == open_request.terms_version == 1
    assert bid.submitted_at is not None
    assert bid.created_by == world.bidder_a
    assert AuditEvent.objects.filter(action="bid.submitted", object_id=str(bid.pk)).count() == 1


def test_changing_a_bid_keeps_one_bid_per_provider(world, market, open_request):
    _, services = market
    first = save(world.bidder_a, open_request, services["a"], core_weekly_fee="2500")
    later = open_request.published_at + timedelta(hours=1)

    with time_machine.travel(later, tick=False):
        changed = save(world.provider_admin_a, open_request, services["a"], core_weekly_fee="2400")

    assert changed.pk == first.pk
    assert Bid.objects.filter(request=open_request).count() == 1
    changed.refresh_from_db()
    assert changed.weekly_fee == D("2400.00")
    assert changed.submitted_at == later
    assert AuditEvent.objects.filter(action="bid.changed", object_id=str(first.pk)).count() == 1


def test_withdrawing_then_bidding_again(world, market, open_request):
    _, services = market
    bid = save(world.bidder_a, open_request, services["a"])

    bid_services.bid_withdraw(actor=actor_of(world.bidder_a), bid=bid)

    bid.refresh_from_db()
    assert bid.status == Bid.Status.WITHDRAWN
    assert bid.withdrawn_at is not None
    with pytest.raises(DomainError, match="already been withdrawn"):
        bid_services.bid_withdraw(actor=actor_of(world.bidder_a), bid=bid)

    again = save(world.bidder_a, open_request, services["a"], core_weekly_fee="2600")

    assert again.pk == bid.pk
    again.refresh_from_db()
    assert again.status == Bid.Status.SUBMITTED
    assert again.withdrawn_at is None
    assert again.weekly_fee == D("2600.00")
    assert AuditEvent.objects.filter(action="bid.withdrawn").count() == 1
    assert AuditEvent.objects.filter(action="bid.submitted").count() == 2


def test_a_withdrawn_bid_is_not_evaluated(world, market, open_request):
    _, services = market
    withdrawn = save(world.bidder_a, open_request, services["a"], core_weekly_fee="1000")
    bid_services.bid_withdraw(actor=actor_of(world.bidder_a), bid=withdrawn)
    kept = save(world.bidder_b, open_request, services["b"], core_weekly_fee="2500")

    helpers.close(open_request)

    withdrawn.refresh_from_db()
    kept.refresh_from_db()
    assert withdrawn.status == Bid.Status.WITHDRAWN
    assert withdrawn.rank is None
    assert kept.rank == 1
    assert kept.price_score == D("100.00")  # the withdrawn 1000 is not the lowest fee
    assert open_request.evaluation.valid_bids == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"core_weekly_fee": "0"}, "core_weekly_fee"),
        ({"core_weekly_fee": "-5"}, "core_weekly_fee"),
        ({"core_weekly_fee": "lots"}, "core_weekly_fee"),
        ({"core_weekly_fee": None}, "core_weekly_fee"),
        ({"core_weekly_fee": "100000"}, "core_weekly_fee"),
        ({"extra_staffing_cost": "-1", "extra_staffing_hours": "2"}, "extra_staffing_cost"),
        ({"extra_staffing_cost": "300", "extra_staffing_hours": "0"}, "extra_staffing_hours"),
        ({"extra_staffing_hours": "169"}, "extra_staffing_hours"),
        ({"extra_staffing_hours": "-1"}, "extra_staffing_hours"),
        ({"extra_staffing_hours": "many"}, "extra_staffing_hours"),
        ({"start_date": None}, "start_date"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"needs_met": {"flying": "We can."}}, "needs_met"),
    ],
)
def test_a_bid_with_a_bad_value_is_refused_beside_its_field(
    world, market, open_request, fields, field
):
    _, services = market
    if fields.get("start_date") == "yesterday":
        fields = {"start_date": timezone.localdate() - timedelta(days=1)}

    with pytest.raises(DomainError) as refused:
        save(world.bidder_a, open_request, services["a"], **fields)

    assert refused.value.field == field
    assert not Bid.objects.exists()


def test_a_bid_must_use_a_service_the_request_was_sent_for(world, market, open_request):
    _, services = market
    # A's second home has no vacancy, so the request was not sent for it.
    full = ServiceFactory(
        provider=world.provider_a, name="Alpha Full", vacancies=0, local_authority="Northbridge"
    )

    for service in (full, services["b"], full.pk):
        with pytest.raises(DomainError) as refused:
            save(world.bidder_a, open_request, service)
        assert refused.value.field == "service"
    # The service the invitation names is accepted, as an object or as an id.
    assert save(world.bidder_a, open_request, services["a"].pk).service == services["a"]


def test_a_service_deactivated_since_the_invitation_cannot_be_bid_with(world, market, open_request):
    _, services = market
    Service.objects.filter(pk=services["a"].pk).update(is_active=False)

    with pytest.raises(DomainError) as refused:
        save(world.bidder_a, open_request, services["a"])

    assert refused.value.field == "service"


def test_a_provider_whose_enrolment_is_suspended_cannot_bid(world, market, open_request):
    lot, services = market
    Enrolment.objects.filter(provider=world.provider_a, lot=lot).update(status="suspended")

    with pytest.raises(DomainError, match="enrolment on this lot is not active"):
        save(world.bidder_a, open_request, services["a"])

    assert not Bid.objects.exists()


@pytest.mark.parametrize("who", ["commissioner_a", "officer_a", "admin", "bidder_b"])
def test_only_the_invited_providers_bidders_bid_on_its_invitation(world, market, open_request, who):
    _, services = market
    invitation = helpers.invitation(open_request, world.provider_a)

    with pytest.raises(PermissionDenied):
        bid_services.bid_save(
            actor=actor_of(getattr(world, who)),
            invitation=invitation,
            service=services["a"],
            core_weekly_fee=D("2500"),
            start_date=timezone.localdate() + timedelta(days=14),
            needs_met={},
        )

    assert not Bid.objects.exists()


def test_a_read_only_provider_system_cannot_bid_but_a_writing_one_can(world, market, open_request):
    _, services = market
    invitation = helpers.invitation(open_request, world.provider_a)
    fields = {
        "invitation": invitation,
        "service": services["a"],
        "core_weekly_fee": D("2500"),
        "start_date": timezone.localdate() + timedelta(days=14),
        "needs_met": {},
    }
    reader, _ = make_api_client(world.provider_a, can_write=False)
    writer, _ = make_api_client(world.provider_a, can_write=True, name="Bid system")

    with pytest.raises(PermissionDenied):
        bid_services.bid_save(actor=Actor.for_api_client(reader), **fields)
    bid = bid_services.bid_save(actor=Actor.for_api_client(writer), **fields)

    assert bid.provider == world.provider_a
    assert bid.created_by is None


def test_a_provider_cannot_withdraw_or_confirm_anothers_bid(world, market, open_request):
    _, services = market
    bid = save(world.bidder_a, open_request, services["a"])

    with pytest.raises(PermissionDenied):
        bid_services.bid_withdraw(actor=actor_of(world.bidder_b), bid=bid)
    with pytest.raises(PermissionDenied):
        bid_services.bid_confirm(actor=actor_of(world.bidder_b), bid=bid)

    bid.refresh_from_db()
    assert bid.status == Bid.Status.SUBMITTED


# ---------------------------------------------------------------------------------------------
# The deadline, checked in the transaction that saves


def test_a_bid_a_second_before_the_deadline_is_saved(world, market, open_request):
    _, services = market

    with time_machine.travel(open_request.bid_deadline - timedelta(seconds=1), tick=False):
        bid = save(world.bidder_a, open_request, services["a"])

    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.SUBMITTED


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1), timedelta(seconds=4)])
def test_a_bid_sent_at_or_after_the_deadline_is_refused_while_the_request_is_still_open(
    world, market, open_request, after
):
    # The form was loaded before the deadline; the request has not been closed yet (the task
    # waits a few seconds' grace): the save itself refuses.
    _, services = market

    with (
        time_machine.travel(open_request.bid_deadline + after, tick=False),
        pytest.raises(DomainError) as refused,
    ):
        save(world.bidder_a, open_request, services["a"])

    assert str(refused.value) == deadline_message(open_request)
    open_request.refresh_from_db()
    assert open_request.status == Status.OPEN
    assert not Bid.objects.exists()


def test_a_bid_changed_after_the_deadline_keeps_its_earlier_terms(world, market, open_request):
    _, services = market
    bid = save(world.bidder_a, open_request, services["a"], core_weekly_fee="2500")

    with time_machine.travel(open_request.bid_deadline + timedelta(seconds=1), tick=False):
        with pytest.raises(DomainError, match="The deadline for bids passed"):
            save(world.bidder_a, open_request, services["a"], core_weekly_fee="1")
        with pytest.raises(DomainError, match="The deadline for bids passed"):
            bid_services.bid_withdraw(actor=actor_of(world.bidder_a), bid=bid)

    bid.refresh_from_db()
    assert (bid.weekly_fee, bid.status) == (D("2500.00"), Bid.Status.SUBMITTED)


def test_a_bid_after_closing_is_refused_with_the_deadline(world, market, open_request):
    _, services = market
    helpers.close(open_request)

    with (
        time_machine.travel(open_request.bid_deadline + timedelta(hours=1), tick=False),
        pytest.raises(DomainError) as refused,
    ):
        save(world.bidder_a, open_request, services["a"])

    assert str(refused.value) == deadline_message(open_request)


def test_a_bid_on_a_cancelled_request_is_refused(world, market, open_request):
    _, services = market
    request_services.request_cancel(
        actor=actor_of(world.officer_a),
        placement_request=open_request,
        reason=PlacementRequest.CancelReason.NO_LONGER_NEEDED,
    )

    with pytest.raises(DomainError, match="This request is cancelled: bids are not accepted"):
        save(world.bidder_a, open_request, services["a"])


# ---------------------------------------------------------------------------------------------
# Declining, viewing


def test_declining_and_then_bidding_after_all(world, market, open_request):
    _, services = market
    invitation = helpers.invitation(open_request, world.provider_b)

    bid_services.invitation_decline(
        actor=actor_of(world.bidder_b), invitation=invitation, reason="  No staff  "
    )

    invitation.refresh_from_db()
    assert invitation.declined_at is not None
    assert invitation.decline_reason == "No staff"

    save(world.bidder_b, open_request, services["b"])

    invitation.refresh_from_db()
    assert invitation.declined_at is None
    assert invitation.decline_reason == ""


def test_a_provider_with_a_bid_must_withdraw_it_before_declining(world, market, open_request):
    _, services = market
    save(world.bidder_a, open_request, services["a"])
    invitation = helpers.invitation(open_request, world.provider_a)

    with pytest.raises(DomainError, match="Withdraw your bid"):
        bid_services.invitation_decline(actor=actor_of(world.bidder_a), invitation=invitation)

    assert ProviderInvitation.objects.get(pk=invitation.pk).declined_at is None


def test_declining_after_the_deadline_is_refused(world, open_request):
    invitation = helpers.invitation(open_request, world.provider_b)

    with (
        time_machine.travel(open_request.bid_deadline + timedelta(seconds=1), tick=False),
        pytest.raises(DomainError, match="The deadline for bids passed"),
    ):
        bid_services.invitation_decline(actor=actor_of(world.bidder_b), invitation=invitation)


def test_the_first_view_of_an_invitation_is_kept(world, open_request):
    invitation = helpers.invitation(open_request, world.provider_a)
    first = open_request.published_at + timedelta(minutes=5)

    with time_machine.travel(first, tick=False):
        bid_services.invitation_mark_viewed(invitation=invitation)
    invitation.refresh_from_db()
    with time_machine.travel(first + timedelta(hours=1), tick=False):
        bid_services.invitation_mark_viewed(invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.first_viewed_at == first


# ---------------------------------------------------------------------------------------------
# Sealed: whom bids_visible_to shows a bid to


def test_before_closing_only_the_bidding_provider_sees_its_bid(world, market, open_request):
    _, services = market
    a = save(world.bidder_a, open_request, services["a"])
    b = save(world.bidder_b, open_request, services["b"])

    assert list(bids_visible_to(actor_of(world.bidder_a))) == [a]
    assert list(bids_visible_to(actor_of(world.provider_admin_b))) == [b]
    for who in ("officer_a", "commissioner_a", "officer_b", "admin"):
        assert not bids_visible_to(actor_of(getattr(world, who))).exists()

    helpers.close(open_request)

    assert set(bids_visible_to(actor_of(world.officer_a))) == {a, b}
    assert set(bids_visible_to(actor_of(world.commissioner_a))) == {a, b}
    assert not bids_visible_to(actor_of(world.officer_b)).exists()
    assert not bids_visible_to(actor_of(world.admin)).exists()
    assert list(bids_visible_to(actor_of(world.bidder_a))) == [a]


# ---------------------------------------------------------------------------------------------
# Re-confirmation after a change of terms

NEW_TERMS = {
    "age": 15,
    "gender": "other",
    "legal_status": "s20",
    "urgency": "emergency",
    "date_needed": "later",
    "duration_weeks": 26,
    "areas": ["Northbridge"],
    "home_location": "borough",
    "home_district": "N19",
    "placement_area": "out_of_area",
    "max_distance_miles": 30,
    "solo_placement": True,
    "allow_no_vacancy": True,
    "needs": dict(helpers.NEEDS, identity=2),
    "outcomes": {code: f"New outcome for {code}" for code, _ in DOMAINS},
    "max_weekly_budget": D("4000"),
}
NOT_TERMS = {
    "reference": "AB-9999",
    "strengths": "Loves climbing.",
    "ethnicity": "Mixed",
    "language": "Welsh",
    "religion": "Christian",
    "need_details": dict(helpers.DETAILS, identity="Wants to know about her family."),
    "education_needs": "Year 10, GCSE options chosen.",
    "contact_arrangements": "Weekly with her grandmother.",
    "child_views": "Would like a dog.",
    "story": "A new line of her story.",
}


def test_every_term_is_in_the_table_of_changes_tested():
    assert set(NEW_TERMS) == set(TERMS_FIELDS)


def update(world, placement_request, **fields):
    return request_services.request_update(
        actor=actor_of(world.officer_a), placement_request=placement_request, **fields
    )


def terms_emails():
    return OutboundEmail.objects.filter(subject__contains="has changed: check the new terms")


@pytest.mark.parametrize("name", sorted(NEW_TERMS))
def test_changing_a_term_asks_existing_bids_to_be_reconfirmed(world, market, open_request, name):
    _, services = market
    a = save(world.bidder_a, open_request, services["a"])
    value = NEW_TERMS[name]
    if value == "later":
        value = open_request.date_needed + timedelta(days=7)
    if name == "max_distance_miles":  # a maximum distance needs a home located
        PlacementRequest.objects.filter(pk=open_request.pk).update(
            home_easting=530372, home_northing=186867
        )
        open_request.refresh_from_db()
    if name == "placement_area":  # and inside or outside the borough, the borough's code
        world.borough_a.la_code = "E09000019"
        world.borough_a.save()

    update(world, open_request, **{name: value})

    open_request.refresh_from_db()
    assert open_request.terms_version == 2
    a = Bid.objects.select_related("request").get(pk=a.pk)
    assert a.needs_reconfirmation
    # Every invited provider is told (whom it goes to shows no one who bid), once per person.
    assert sorted(terms_emails().values_list("to", flat=True)) == [
        "admin@provider-a.test",
        "admin@provider-b.test",
        "bidder@provider-a.test",
        "bidder@provider-b.test",
    ]
    assert AuditEvent.objects.get(action="request.updated").detail == {
        "fields": [name],
        "terms_version": 2,
    }


@pytest.mark.parametrize("name", sorted(NOT_TERMS))
def test_changing_what_is_not_a_term_asks_nothing_of_the_bidders(world, market, open_request, name):
    _, services = market
    a = save(world.bidder_a, open_request, services["a"])
    emails = OutboundEmail.objects.count()

    update(world, open_request, **{name: NOT_TERMS[name]})

    open_request.refresh_from_db()
    assert getattr(open_request, name) == NOT_TERMS[name]
    assert open_request.terms_version == 1
    a = Bid.objects.select_related("request").get(pk=a.pk)
    assert not a.needs_reconfirmation
    assert OutboundEmail.objects.count() == emails


def test_setting_a_term_to_the_value_it_has_changes_nothing(world, market, open_request):
    _, services = market
    save(world.bidder_a, open_request, services["a"])

    update(world, open_request, age=open_request.age, needs=dict(open_request.needs))

    open_request.refresh_from_db()
    assert open_request.terms_version == 1
    assert not terms_emails().exists()


def test_confirming_the_bid_clears_the_reconfirmation(world, market, open_request):
    _, services = market
    a = save(world.bidder_a, open_request, services["a"])
    update(world, open_request, max_weekly_budget=D("4000"))
    update(world, open_request, duration_weeks=40)

    bid_services.bid_confirm(actor=actor_of(world.bidder_a), bid=a)

    a = Bid.objects.select_related("request").get(pk=a.pk)
    assert a.terms_version == 3
    assert not a.needs_reconfirmation
    assert AuditEvent.objects.filter(action="bid.confirmed", object_id=str(a.pk)).exists()
    with pytest.raises(DomainError, match="already confirmed"):
        bid_services.bid_confirm(actor=actor_of(world.bidder_a), bid=a)


def test_changing_the_bid_also_confirms_it_on_the_new_terms(world, market, open_request):
    _, services = market
    save(world.bidder_a, open_request, services["a"])
    update(world, open_request, max_weekly_budget=D("4000"))

    a = save(world.bidder_a, open_request, services["a"], core_weekly_fee="2450")

    a = Bid.objects.select_related("request").get(pk=a.pk)
    assert a.terms_version == 2
    assert not a.needs_reconfirmation


def test_a_bid_made_after_the_change_needs_no_reconfirmation(world, market, open_request):
    _, services = market
    update(world, open_request, max_weekly_budget=D("4000"))

    b = save(world.bidder_b, open_request, services["b"])

    b = Bid.objects.select_related("request").get(pk=b.pk)
    assert b.terms_version == 2
    assert not b.needs_reconfirmation
    with pytest.raises(DomainError, match="already confirmed"):
        bid_services.bid_confirm(actor=actor_of(world.bidder_b), bid=b)


def test_a_withdrawn_bid_cannot_be_confirmed(world, market, open_request):
    _, services = market
    a = save(world.bidder_a, open_request, services["a"])
    bid_services.bid_withdraw(actor=actor_of(world.bidder_a), bid=a)
    update(world, open_request, max_weekly_budget=D("4000"))

    with pytest.raises(DomainError, match="Only a submitted bid"):
        bid_services.bid_confirm(actor=actor_of(world.bidder_a), bid=a)


def test_confirming_after_the_deadline_is_refused(world, market, open_request):
    _, services = market
    a = save(world.bidder_a, open_request, services["a"])
    update(world, open_request, max_weekly_budget=D("4000"))

    with (
        time_machine.travel(open_request.bid_deadline + timedelta(seconds=1), tick=False),
        pytest.raises(DomainError, match="The deadline for bids passed"),
    ):
        bid_services.bid_confirm(actor=actor_of(world.bidder_a), bid=a)

    assert Bid.objects.get(pk=a.pk).terms_version == 1


def test_a_new_deadline_is_not_a_term_but_every_invited_provider_is_told(
    world, market, open_request
):
    _, services = market
    a = save(world.bidder_a, open_request, services["a"])
    new_deadline = open_request.bid_deadline + timedelta(hours=6)

    update(world, open_request, bid_deadline=new_deadline)

    open_request.refresh_from_db()
    assert open_request.bid_deadline == new_deadline
    assert open_request.terms_version == 1
    assert not Bid.objects.select_related("request").get(pk=a.pk).needs_reconfirmation
    told = OutboundEmail.objects.filter(subject__contains="the bid deadline has changed")
    assert told.count() == 4


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lot": "other"}, "lot"),
        ({"bid_deadline": None}, "bid_deadline"),
        ({"story": ""}, "story"),
        ({"needs": {"identity": 2}}, None),
    ],
)
def test_an_open_request_cannot_lose_what_publishing_needed(
    world, market, open_request, fields, field
):
    if fields.get("lot") == "other":
        fields = {"lot": LotFactory(consortium=world.consortium)}
    version = open_request.terms_version

    with pytest.raises(DomainError) as refused:
        update(world, open_request, **fields)

    if field:
        assert refused.value.field == field
    open_request.refresh_from_db()
    assert open_request.terms_version == version
    assert open_request.story == helpers.STORY


@pytest.mark.parametrize("state", ["closed", "shortlisted", "awarded"])
def test_a_request_past_its_deadline_cannot_be_changed(world, state):
    placement_request = {
        "closed": lambda: helpers.closed_with_bids(world)[0],
        "shortlisted": lambda: helpers.shortlisted(world)[0],
        "awarded": lambda: helpers.awarded(world)[0],
    }[state]()

    with pytest.raises(DomainError, match="Only a draft or an open request can be changed"):
        update(world, placement_request, max_weekly_budget=D("9000"))

    placement_request.refresh_from_db()
    assert placement_request.max_weekly_budget is None


def test_an_open_requests_deadline_cannot_move_to_less_than_30_minutes_away(world, open_request):
    deadline = open_request.bid_deadline
    emails = OutboundEmail.objects.count()

    with pytest.raises(DomainError) as refused:
        update(world, open_request, bid_deadline=timezone.now() + timedelta(minutes=10))

    assert refused.value.field == "bid_deadline"
    open_request.refresh_from_db()
    assert open_request.bid_deadline == deadline
    assert OutboundEmail.objects.count() == emails


def test_a_bid_cannot_claim_a_need_the_request_does_not_score(world, market):
    lot, services = market
    placement_request = helpers.published(
        world,
        lot,
        needs=dict(helpers.NEEDS, identity=0),
        need_details={k: v for k, v in helpers.DETAILS.items() if k != "identity"},
    )

    with pytest.raises(DomainError) as refused:
        save(world.bidder_a, placement_request, services["a"], needs_met={"identity": "Yes."})

    assert refused.value.field == "needs_met"
    assert not Bid.objects.exists()


def test_declining_twice_is_refused(world, open_request):
    invitation = helpers.invitation(open_request, world.provider_b)
    bid_services.invitation_decline(actor=actor_of(world.bidder_b), invitation=invitation)

    with pytest.raises(DomainError, match="already declined"):
        bid_services.invitation_decline(actor=actor_of(world.bidder_b), invitation=invitation)


def test_a_bid_set_aside_by_a_reopening_cannot_be_withdrawn(world, market):
    lot, services = market
    placement_request = helpers.published(world, lot)
    earlier = save(world.bidder_a, placement_request, services["a"])
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
        with pytest.raises(DomainError, match="invalid: it cannot be withdrawn"):
            bid_services.bid_withdraw(actor=actor_of(world.bidder_a), bid=earlier)
        # Bidding again on the new round is how the provider takes part.
        placement_request.refresh_from_db()
        again = save(world.bidder_a, placement_request, services["a"], core_weekly_fee="2400")

    assert again.pk == earlier.pk
    again.refresh_from_db()
    assert (again.status, again.invalid_reason, again.terms_version) == (
        Bid.Status.SUBMITTED,
        "",
        placement_request.terms_version,
    )
