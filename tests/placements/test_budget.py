"""A request's maximum weekly budget: a bid over it is shown to the bidder as over budget before
it is submitted (page and API), flagged on the borough's shortlist, and can win only as the
lot's rule says (`allowed`, `allowed_with_reason`, `refused`), which the consortium admin sets."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dps.models import AuditEvent
from dps.services import DomainError
from placements.models import Bid, Placement, PlacementRequest, RequestTransition
from placements.services import award as award_services
from placements.services import bids as bid_services
from placements.services import requests as request_services
from placements.services.lots import lot_update
from providers.models import Lot
from providers.needs import INDICATOR_CODES
from tests.api.conftest import assert_problem
from tests.placements import helpers
from tests.placements.helpers import actor_of

D = Decimal
Rule = Lot.OverBudget
API = "/api/v1"
BUDGET = D("2800")


def set_rule(lot, rule):
    Lot.objects.filter(pk=lot.pk).update(over_budget_rule=rule)


@pytest.fixture
def market(world):
    return helpers.market(world)


@pytest.fixture
def budgeted(world, market):
    """An open request with a maximum weekly budget of £2,800."""
    lot, _ = market
    return helpers.published(world, lot, max_weekly_budget=BUDGET)


def shortlisted_over_budget(world, market, rule):
    """A shortlisted request with a £2,800 budget: A bids 3000 (rank 1, over budget), B 2500
    (rank 2, within it). The lot's rule is set once shortlisted (a lot that refuses such bids
    would not have taken A's)."""
    lot, services = market
    placement_request = helpers.published(world, lot, max_weekly_budget=BUDGET)
    a = helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    b = helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
    helpers.close(placement_request)
    request_services.request_shortlist_confirm(
        actor=actor_of(world.officer_a), placement_request=placement_request
    )
    set_rule(lot, rule)
    placement_request.refresh_from_db()
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.rank, b.rank) == (1, 2)
    return placement_request, a, b


def award(world, placement_request, bid, reason=""):
    return award_services.award(
        actor=actor_of(world.officer_a), placement_request=placement_request, bid=bid, reason=reason
    )


# --- Bidding ----------------------------------------------------------------------------------


def test_a_new_lot_asks_for_a_reason_to_award_over_the_budget(market):
    lot, _ = market
    assert lot.over_budget_rule == Rule.WITH_REASON


@pytest.mark.parametrize("rule", [Rule.ALLOWED, Rule.WITH_REASON])
def test_a_bid_over_the_budget_is_accepted_where_the_lot_allows_it(world, market, budgeted, rule):
    lot, services = market
    set_rule(lot, rule)

    bid = helpers.bid(budgeted, world.bidder_a, services["a"], "2900")

    assert bid.status == Bid.Status.SUBMITTED
    assert bid.weekly_fee == D("2900.00")


def test_it_refuses_a_bid_over_the_budget_where_the_lot_refuses_them(world, market, budgeted):
    lot, services = market
    set_rule(lot, Rule.REFUSED)

    # The extra staffing counts: the core fee alone is within the budget.
    with pytest.raises(DomainError) as refused:
        helpers.bid(
            budgeted,
            world.bidder_a,
            services["a"],
            "2700",
            extra_staffing_hours=D("5"),
            extra_staffing_cost=D("150"),
        )

    assert refused.value.field == "core_weekly_fee"
    assert refused.value.message.startswith(
        "The weekly fee of £2,850.00 is over the borough's maximum weekly budget of £2,800.00."
    )
    assert "does not accept bids over the budget" in refused.value.message
    assert not Bid.objects.exists()
    # A bid at the budget is within it.
    assert helpers.bid(budgeted, world.bidder_a, services["a"], "2800").weekly_fee == BUDGET


def test_a_bid_left_over_a_lowered_budget_cannot_be_confirmed_where_the_lot_refuses_it(
    world, market, budgeted
):
    lot, services = market
    set_rule(lot, Rule.REFUSED)
    bid = helpers.bid(budgeted, world.bidder_a, services["a"], "2700")
    request_services.request_update(
        actor=actor_of(world.officer_a), placement_request=budgeted, max_weekly_budget=D("2600")
    )

    with pytest.raises(DomainError, match="over the borough's maximum weekly budget"):
        bid_services.bid_confirm(actor=actor_of(world.bidder_a), bid=bid)

    bid.refresh_from_db()
    assert bid.terms_version == 1


def test_a_bid_over_the_budget_is_invalid_at_closing_where_the_lot_refuses_it(
    world, market, budgeted
):
    lot, services = market
    a = helpers.bid(budgeted, world.bidder_a, services["a"], "3000")
    b = helpers.bid(budgeted, world.bidder_b, services["b"], "2500")
    set_rule(lot, Rule.REFUSED)  # as if the rule had changed after A bid

    helpers.close(budgeted)

    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == Bid.Status.INVALID
    assert "over the request's maximum weekly budget" in a.invalid_reason
    assert (b.status, b.rank) == (Bid.Status.SUBMITTED, 1)


# --- Awarding ---------------------------------------------------------------------------------


def test_an_over_budget_bid_is_awarded_without_a_reason_where_the_lot_allows_it(world, market):
    placement_request, a, _ = shortlisted_over_budget(world, market, Rule.ALLOWED)

    placement = award(world, placement_request, a)

    assert placement.bid == a
    event = AuditEvent.objects.get(action="placement.created")
    assert event.detail["over_budget"] == {
        "budget": "2800.00",
        "weekly_fee": "3000.00",
        "rule": "allowed",
    }


def test_it_refuses_to_award_an_over_budget_bid_without_a_reason_where_the_lot_asks_one(
    world, market
):
    placement_request, a, _ = shortlisted_over_budget(world, market, Rule.WITH_REASON)

    # The top-ranked bid too: being first does not explain the budget.
    with pytest.raises(DomainError) as refused:
        award(world, placement_request, a, reason="  ")

    assert refused.value.field == "reason"
    assert refused.value.message == (
        "The weekly fee of £3,000.00 is over the borough's maximum weekly budget of £2,800.00. "
        "Say why you are awarding a bid over the budget."
    )
    assert not Placement.objects.exists()


def test_the_reason_for_awarding_over_the_budget_is_recorded_with_the_award(world, market):
    placement_request, a, _ = shortlisted_over_budget(world, market, Rule.WITH_REASON)
    reason = "The only home that can keep her at her school."

    placement = award(world, placement_request, a, reason=reason)

    assert placement.award_reason == reason
    transition = RequestTransition.objects.get(request=placement_request, to_status="awarded")
    assert transition.reason == reason
    event = AuditEvent.objects.get(action="placement.created")
    assert event.detail["over_budget"]["rule"] == "allowed_with_reason"


def test_a_bid_within_the_budget_needs_no_reason_where_the_lot_asks_one_over_it(world, market):
    placement_request, _, b = shortlisted_over_budget(world, market, Rule.WITH_REASON)
    # B is within the budget; its reason is only the usual one for not taking the top bid.
    placement = award(world, placement_request, b, reason="Nearer her school.")

    assert placement.bid == b
    assert "over_budget" not in AuditEvent.objects.get(action="placement.created").detail


def test_it_refuses_to_award_an_over_budget_bid_where_the_lot_refuses_it(world, market):
    placement_request, a, _ = shortlisted_over_budget(world, market, Rule.REFUSED)

    with pytest.raises(DomainError) as refused:
        award(world, placement_request, a, reason="We like it.")

    assert refused.value.field == "bid"
    assert "does not allow a bid over the budget to be awarded" in refused.value.message
    assert not Placement.objects.exists()
    placement_request.refresh_from_db()
    assert placement_request.status == PlacementRequest.Status.SHORTLISTED


# --- The lot's rule ---------------------------------------------------------------------------


def test_the_consortium_admin_sets_the_rule_on_the_lot_page(client, world, market):
    lot, _ = market
    client.force_login(world.admin)
    url = reverse("placements:lot_edit", args=[lot.pk])
    form = {"weight_quality": "60", "weight_price": "30", "weight_needs": "10"}

    page = client.get(url).content.decode()
    response = client.post(url, {**form, "over_budget_rule": "refused"})

    assert 'name="over_budget_rule" value="allowed_with_reason"' in page
    assert response.status_code == 302
    lot.refresh_from_db()
    assert lot.over_budget_rule == Rule.REFUSED
    event = AuditEvent.objects.get(action="lot.updated")
    assert event.detail["changed"] == ["over_budget_rule"]
    listing = client.get(reverse("placements:lot_list")).content.decode()
    assert "Refused: such a bid cannot be made" in listing


def test_an_unknown_rule_is_a_form_error_beside_its_field(client, world, market):
    lot, _ = market
    client.force_login(world.admin)
    url = reverse("placements:lot_edit", args=[lot.pk])
    form = {"weight_quality": "60", "weight_price": "30", "weight_needs": "10"}

    response = client.post(url, {**form, "over_budget_rule": "sometimes"})

    assert response.status_code == 400
    assert "Choose what happens to a bid over the budget." in response.content.decode()
    with pytest.raises(DomainError) as refused:
        lot_update(actor=actor_of(world.admin), lot=lot, over_budget_rule="sometimes")
    assert refused.value.field == "over_budget_rule"
    lot.refresh_from_db()
    assert lot.over_budget_rule == Rule.WITH_REASON


def test_the_rule_cannot_change_while_a_request_on_the_lot_is_open(world, market, budgeted):
    lot, _ = market

    with pytest.raises(DomainError, match="open for bids") as refused:
        lot_update(actor=actor_of(world.admin), lot=lot, over_budget_rule=Rule.REFUSED)

    assert refused.value.field == "over_budget_rule"
    lot.refresh_from_db()
    assert lot.over_budget_rule == Rule.WITH_REASON


@pytest.mark.parametrize("persona", ["officer_a", "commissioner_a", "provider_admin_a"])
def test_only_the_consortium_admin_sets_the_rule(client, world, market, persona):
    lot, _ = market
    client.force_login(getattr(world, persona))
    url = reverse("placements:lot_edit", args=[lot.pk])
    form = {"weight_quality": "60", "weight_price": "30", "weight_needs": "10"}

    assert client.post(url, {**form, "over_budget_rule": "refused"}).status_code == 403
    lot.refresh_from_db()
    assert lot.over_budget_rule == Rule.WITH_REASON


# --- The bid form -----------------------------------------------------------------------------


def bid_form(service, fee, **overrides):
    return {
        "service": str(service.pk),
        "core_weekly_fee": fee,
        "start_date": (timezone.localdate() + timedelta(days=14)).strftime("%d/%m/%Y"),
        "need_emotional_health": "Weekly therapy on site.",
        **overrides,
    }


def bid_url(placement_request, provider):
    return reverse("placements:bid", args=[helpers.invitation(placement_request, provider).pk])


def test_the_bid_form_shows_the_budget_and_the_lots_rule(client, world, budgeted):
    client.force_login(world.bidder_a)

    page = client.get(bid_url(budgeted, world.provider_a)).content.decode()

    assert "The borough's maximum weekly budget is <strong>£2,800.00</strong>" in page
    assert "A bid over the budget can still win, but the borough must record why" in page


def test_a_bid_over_the_budget_is_shown_as_over_budget_before_it_is_submitted(
    client, world, market, budgeted
):
    _, services = market
    client.force_login(world.bidder_a)
    url = bid_url(budgeted, world.provider_a)

    warned = client.post(url, bid_form(services["a"], "2,900"))

    assert warned.status_code == 200
    page = warned.content.decode()
    assert "Your bid is over budget" in page
    assert "£100.00 more than the borough's maximum weekly budget of £2,800.00" in page
    assert 'name="over_budget_confirmed" value="2900.00"' in page
    assert "Submit the bid over budget" in page
    assert not Bid.objects.exists()

    # A different fee, still over the budget, is warned about again.
    again = client.post(url, bid_form(services["a"], "3100", over_budget_confirmed="2900.00"))
    assert "Your bid is over budget" in again.content.decode()
    assert not Bid.objects.exists()

    confirmed = client.post(url, bid_form(services["a"], "3100", over_budget_confirmed="3100.00"))

    assert confirmed.status_code == 302
    bid = Bid.objects.get()
    assert bid.weekly_fee == D("3100.00")
    detail = client.get(confirmed["Location"]).content.decode()
    assert "over the maximum weekly budget of £2,800.00" in detail
    assert "Over budget</strong>" in detail


def test_a_bid_within_the_budget_is_submitted_at_once(client, world, market, budgeted):
    _, services = market
    client.force_login(world.bidder_a)

    response = client.post(bid_url(budgeted, world.provider_a), bid_form(services["a"], "2800"))

    assert response.status_code == 302
    assert Bid.objects.get().weekly_fee == BUDGET
    assert "Over budget</strong>" not in client.get(response["Location"]).content.decode()


def test_a_bid_over_the_budget_is_a_form_error_where_the_lot_refuses_it(
    client, world, market, budgeted
):
    lot, services = market
    set_rule(lot, Rule.REFUSED)
    client.force_login(world.bidder_a)

    response = client.post(bid_url(budgeted, world.provider_a), bid_form(services["a"], "2900"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "This lot does not accept bids over the budget" in page
    assert 'href="#id_core_weekly_fee"' in page
    assert not Bid.objects.exists()


def test_the_over_budget_step_refuses_another_provider_and_anonymous_visitors(
    client, world, market, budgeted
):
    _, services = market
    url = bid_url(budgeted, world.provider_a)
    data = bid_form(services["a"], "2900", over_budget_confirmed="2900.00")

    anonymous = client.post(url, data)
    client.force_login(world.bidder_b)
    other_provider = client.post(url, data)
    client.force_login(world.officer_a)
    borough = client.post(url, data)

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert other_provider.status_code == 404
    assert borough.status_code == 403
    assert not Bid.objects.exists()


# --- The shortlist and the award page ---------------------------------------------------------


def test_the_shortlist_flags_the_bid_over_the_budget_and_asks_why_before_awarding_it(
    client, world, market
):
    placement_request, a, _ = shortlisted_over_budget(world, market, Rule.WITH_REASON)
    client.force_login(world.officer_a)

    page = client.get(reverse("placements:shortlist", args=[placement_request.pk]))

    text = page.content.decode()
    card_a = text[text.index("Rank 1: Alpha Care") : text.index("Rank 2: Bravo Care")]
    card_b = text[text.index("Rank 2: Bravo Care") :]
    assert "Over budget" in card_a
    assert "£200.00 over the maximum weekly budget of £2,800.00" in card_a
    assert "Over budget" not in card_b
    assert "Bids over it on this lot: allowed, with a reason recorded at award." in text
    # No one-click award for it: the award page asks why.
    assert f'<input type="hidden" name="bid" value="{a.pk}">' not in card_a
    assert f"?bid={a.pk}" in card_a
    assert "over the budget</a> (you will be asked why)" in card_a


def test_the_award_page_refuses_an_over_budget_bid_without_a_reason_beside_the_field(
    client, world, market
):
    placement_request, a, _ = shortlisted_over_budget(world, market, Rule.WITH_REASON)
    client.force_login(world.officer_a)
    url = reverse("placements:award", args=[placement_request.pk])

    page = client.get(url, {"bid": a.pk}).content.decode()
    refused = client.post(url, {"bid": a.pk, "reason": ""})
    awarded = client.post(url, {"bid": a.pk, "reason": "Keeps her at her school."})

    assert "Over the maximum weekly budget of £2,800.00: Alpha Care" in page
    assert refused.status_code == 400
    assert "Say why you are awarding a bid over the budget." in refused.content.decode()
    assert 'href="#id_reason"' in refused.content.decode()
    assert awarded.status_code == 302
    assert Placement.objects.get().award_reason == "Keeps her at her school."


def test_the_shortlist_offers_no_award_of_a_bid_the_lot_refuses(client, world, market):
    placement_request, a, _ = shortlisted_over_budget(world, market, Rule.REFUSED)
    client.force_login(world.officer_a)

    text = client.get(reverse("placements:shortlist", args=[placement_request.pk])).content.decode()

    card_a = text[text.index("Rank 1: Alpha Care") : text.index("Rank 2: Bravo Care")]
    assert "This offer cannot be awarded: it is over the budget" in card_a
    assert f"?bid={a.pk}" not in card_a
    refused = client.post(
        reverse("placements:award", args=[placement_request.pk]), {"bid": a.pk, "reason": "x"}
    )
    assert refused.status_code == 400
    assert not Placement.objects.exists()


def test_another_borough_and_providers_cannot_see_the_flagged_shortlist(client, world, market):
    placement_request, _, _ = shortlisted_over_budget(world, market, Rule.WITH_REASON)
    url = reverse("placements:shortlist", args=[placement_request.pk])

    assert client.get(url).status_code == 302  # anonymous: to sign in
    client.force_login(world.officer_b)
    assert client.get(url).status_code == 404
    client.force_login(world.bidder_a)
    assert client.get(url).status_code == 403


# --- The API ----------------------------------------------------------------------------------


def call(client, method, path, data, auth):
    return getattr(client, method)(
        API + path,
        json.dumps(data),
        content_type="application/json",
        headers={"Authorization": auth},
    )


def api_bid(placement_request, provider, service, fee):
    return {
        "invitation": helpers.invitation(placement_request, provider).pk,
        "service": service.pk,
        "core_weekly_fee": fee,
        "start_date": (timezone.localdate() + timedelta(days=14)).isoformat(),
        "needs_met": dict.fromkeys(INDICATOR_CODES, "Trained staff."),
    }


def test_the_api_says_a_bid_is_over_the_budget(client, world, market, budgeted, api_key_for):
    _, services = market
    key = api_key_for(world.provider_a)

    over = call(
        client, "post", "/bids/", api_bid(budgeted, world.provider_a, services["a"], "2900.00"), key
    )
    within = call(
        client, "patch", f"/bids/{over.json()['id']}/", {"core_weekly_fee": "2800.00"}, key
    )
    opportunity = client.get(
        f"{API}/opportunities/{helpers.invitation(budgeted, world.provider_a).pk}/",
        headers={"Authorization": key},
    )

    assert over.status_code == 201
    assert over.json()["over_budget"] is True
    assert within.status_code == 200
    assert within.json()["over_budget"] is False
    assert opportunity.json()["request"]["max_weekly_budget"] == "2800.00"
    assert opportunity.json()["request"]["over_budget_rule"] == "allowed_with_reason"


def test_the_api_refuses_a_bid_over_the_budget_with_a_field_error_where_the_lot_refuses_it(
    client, world, market, budgeted, api_key_for
):
    lot, services = market
    set_rule(lot, Rule.REFUSED)

    response = call(
        client,
        "post",
        "/bids/",
        api_bid(budgeted, world.provider_a, services["a"], "2900.00"),
        api_key_for(world.provider_a),
    )

    body = assert_problem(response, 400)
    assert "does not accept bids over the budget" in body["errors"]["core_weekly_fee"][0]
    assert not Bid.objects.exists()


def test_the_api_evaluation_flags_the_bid_over_the_budget_and_the_award_asks_why(
    client, world, market, api_key_for
):
    placement_request, a, b = shortlisted_over_budget(world, market, Rule.WITH_REASON)
    key = api_key_for(world.borough_a)

    evaluation = client.get(
        f"{API}/requests/{placement_request.pk}/evaluation/", headers={"Authorization": key}
    )
    path = f"/requests/{placement_request.pk}/award/"
    refused = call(client, "post", path, {"bid": a.pk}, key)
    other_borough = call(
        client, "post", path, {"bid": a.pk, "reason": "x"}, api_key_for(world.borough_b)
    )
    provider = call(
        client, "post", path, {"bid": a.pk, "reason": "x"}, api_key_for(world.provider_a)
    )
    awarded = call(client, "post", path, {"bid": a.pk, "reason": "Keeps her at school."}, key)

    flags = {row["id"]: row["over_budget"] for row in evaluation.json()["ranked"]}
    assert flags == {a.pk: True, b.pk: False}
    body = assert_problem(refused, 400)
    assert body["errors"]["reason"] == [
        "The weekly fee of £3,000.00 is over the borough's maximum weekly budget of £2,800.00. "
        "Say why you are awarding a bid over the budget."
    ]
    assert_problem(other_borough, 404)
    assert_problem(provider, 403)
    assert awarded.status_code == 201
    assert Placement.objects.get().award_reason == "Keeps her at school."
