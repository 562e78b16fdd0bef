"""Sealed bids over the API: until a request closes, nothing a borough can ask for says
anything about its bids, not even whether there are any. Each borough-facing endpoint is asked
about a request with two bids and about an identical request with none, and must answer the
same; bids themselves are 404s. Another provider never sees a bid."""

import json

import pytest

from placements.models import Bid
from placements.services import bids as bid_services
from placements.services import questions as question_services
from tests.api.conftest import assert_problem
from tests.placements import helpers

API = "/api/v1"
FEES = ("3123.45", "2987.65")
# What differs between two requests however alike: their ids and times.
VOLATILE = {"id", "created_at", "updated_at", "published_at", "bid_deadline", "at", "asked_at"}


def call(client, method, path, data=None, auth=None):
    headers = {"Authorization": auth} if auth else {}
    if method == "get":
        return client.get(API + path, headers=headers)
    return getattr(client, method)(
        API + path, json.dumps(data or {}), content_type="application/json", headers=headers
    )


def normalised(value):
    if isinstance(value, dict):
        return {
            k: normalised(v)
            for k, v in value.items()
            if k not in VOLATILE and not (k == "request" and isinstance(v, int))
        }
    if isinstance(value, list):
        return [normalised(v) for v in value]
    return value


@pytest.fixture
def pair(world):
    """(a request with bids from both providers, an identical one with none), both open."""
    lot, services = helpers.market(world)
    with_bids = helpers.published(world, lot)
    without = helpers.published(world, lot)
    helpers.bid(with_bids, world.bidder_a, services["a"], FEES[0])
    helpers.bid(with_bids, world.bidder_b, services["b"], FEES[1])
    question_services.question_ask(
        actor=helpers.actor_of(world.bidder_a), placement_request=with_bids, text="Same?"
    )
    question_services.question_ask(
        actor=helpers.actor_of(world.bidder_a), placement_request=without, text="Same?"
    )
    return with_bids, without


@pytest.fixture(params=["case system", "officer", "commissioner"])
def borough(request, client, world, api_key_for):
    """A caller of borough A: its API key, or one of its people signed in."""
    if request.param == "case system":
        return api_key_for(world.borough_a)
    client.force_login(world.officer_a if request.param == "officer" else world.commissioner_a)
    return None


def assert_sealed(response):
    text = response.content.decode()
    for fee in FEES:
        assert fee not in text
    assert "bid_count" not in text
    assert "rank" not in text


@pytest.mark.parametrize(
    "path", ["/requests/{pk}/", "/requests/{pk}/evaluation/", "/requests/{pk}/questions/"]
)
def test_reads_of_a_request_with_bids_answer_as_for_one_without(client, pair, borough, path):
    with_bids, without = pair

    seen = call(client, "get", path.format(pk=with_bids.pk), auth=borough)
    control = call(client, "get", path.format(pk=without.pk), auth=borough)

    assert seen.status_code == control.status_code
    assert_sealed(seen)
    assert normalised(seen.json()) == normalised(control.json())


def test_the_evaluation_is_a_409_before_closing_whether_or_not_there_are_bids(
    client, pair, borough
):
    with_bids, without = pair

    seen = call(client, "get", f"/requests/{with_bids.pk}/evaluation/", auth=borough)
    control = call(client, "get", f"/requests/{without.pk}/evaluation/", auth=borough)

    assert assert_problem(seen, 409) == assert_problem(control, 409)


def test_the_request_list_says_nothing_of_bids(client, pair, borough):
    response = call(client, "get", "/requests/", auth=borough)

    rows = {row["id"]: row for row in response.json()["results"]}
    with_bids, without = pair
    assert_sealed(response)
    assert normalised(rows[with_bids.pk]) == normalised(rows[without.pk])


def test_the_bids_themselves_are_404s_to_the_borough(client, pair, borough):
    listed = call(client, "get", "/bids/", auth=borough)
    assert listed.status_code == 200
    assert listed.json()["results"] == []
    missing = max(Bid.objects.values_list("pk", flat=True)) + 100

    for bid in Bid.objects.all():
        for method, path in (
            ("get", f"/bids/{bid.pk}/"),
            ("post", f"/bids/{bid.pk}/young-person-view/"),
        ):
            response = call(client, method, path, {"view": "Yes"}, borough)
            other = call(client, method, f"/bids/{missing}/", {"view": "Yes"}, borough)
            assert response.status_code in (403, 404)
            assert_sealed(response)
            if method == "get":
                assert response.json() == other.json()


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("patch", "/requests/{pk}/", {"max_weekly_budget": "5000.00"}),
        ("post", "/requests/{pk}/publish/", {}),
        ("post", "/requests/{pk}/no-suitable-offer/", {"reason": "None fit"}),
        ("post", "/requests/{pk}/shortlist/", {}),
        ("post", "/requests/{pk}/award/", {"bid": 1}),
        ("post", "/requests/{pk}/reopen/", {"bid_deadline": "2099-01-01T10:00:00Z"}),
        ("post", "/requests/{pk}/cancel/", {"reason": "no_longer_needed"}),
    ],
)
def test_writes_on_a_request_with_bids_answer_as_for_one_without(
    client, world, pair, api_key_for, method, path, data
):
    with_bids, without = pair
    key = api_key_for(world.borough_a)

    seen = call(client, method, path.format(pk=with_bids.pk), data, key)
    control = call(client, method, path.format(pk=without.pk), data, key)

    assert seen.status_code == control.status_code
    assert_sealed(seen)
    assert normalised(seen.json()) == normalised(control.json())


def test_after_closing_the_borough_reads_the_bids(client, world, pair, api_key_for):
    """The positive control: the checks above can see bids when they are there to see."""
    with_bids, _ = pair
    helpers.close(with_bids)
    key = api_key_for(world.borough_a)

    evaluation = call(client, "get", f"/requests/{with_bids.pk}/evaluation/", auth=key)
    listed = call(client, "get", "/bids/", auth=key)

    assert evaluation.status_code == 200
    for fee in FEES:
        assert fee in evaluation.content.decode()
        assert fee in listed.content.decode()
    assert len(listed.json()["results"]) == 2


def test_another_provider_never_sees_a_bid(client, world, pair, api_key_for):
    with_bids, _ = pair
    key_pb = api_key_for(world.provider_b)
    theirs = Bid.objects.get(provider=world.provider_a)

    responses = [
        call(client, "get", "/bids/", auth=key_pb),
        call(client, "get", "/opportunities/", auth=key_pb),
        call(client, "get", f"/bids/{theirs.pk}/", auth=key_pb),
    ]
    helpers.close(with_bids)
    responses += [
        call(client, "get", "/bids/", auth=key_pb),
        call(client, "get", f"/bids/{theirs.pk}/", auth=key_pb),
    ]

    for response in responses:
        assert FEES[0] not in response.content.decode()
    assert responses[0].json()["results"][0]["weekly_fee"] == FEES[1]
    assert_problem(responses[2], 404)


def test_a_withdrawn_bid_stays_unseen_after_closing(client, world, pair, api_key_for):
    with_bids, _ = pair
    withdrawn = Bid.objects.get(provider=world.provider_a)
    bid_services.bid_withdraw(actor=helpers.actor_of(world.bidder_a), bid=withdrawn)
    helpers.close(with_bids)
    key = api_key_for(world.borough_a)

    listed = call(client, "get", "/bids/", auth=key)
    evaluation = call(client, "get", f"/requests/{with_bids.pk}/evaluation/", auth=key)

    assert [b["weekly_fee"] for b in listed.json()["results"]] == [FEES[1]]
    assert FEES[0] not in evaluation.content.decode()
    assert_problem(call(client, "get", f"/bids/{withdrawn.pk}/", auth=key), 404)
