"""The borough's side of the placements API: requests from draft to award, questions, the
evaluation; each answer as the browser's pages would give it, through the same services."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dps.models import AuditEvent, OutboundEmail
from placements.models import Bid, Placement, PlacementRequest, ProviderInvitation, Question
from placements.services import questions as question_services
from placements.services import requests as request_services
from placements.services.bids import bid_confirm
from providers.needs import INDICATOR_CODES
from tests.api.conftest import assert_problem
from tests.conftest import person
from tests.factories import (
    ConsortiumFactory,
    EnrolmentFactory,
    LotFactory,
    ProviderFactory,
    ServiceFactory,
)
from tests.placements import helpers

API = "/api/v1"
Status = PlacementRequest.Status


def post(client, path, data=None, auth=None, **headers):
    if auth:
        headers["Authorization"] = auth
    return client.post(
        API + path, json.dumps(data or {}), content_type="application/json", headers=headers
    )


def patch(client, path, data, auth=None):
    headers = {"Authorization": auth} if auth else {}
    return client.patch(
        API + path, json.dumps(data), content_type="application/json", headers=headers
    )


def get(client, path, auth=None, **params):
    headers = {"Authorization": auth} if auth else {}
    return client.get(API + path, params, headers=headers)


def payload(lot, **overrides):
    """complete_fields as JSON."""
    fields = helpers.complete_fields(lot, **overrides)
    fields["lot"] = lot.pk
    fields["date_needed"] = fields["date_needed"].isoformat()
    return fields


@pytest.fixture
def market(world):
    return helpers.market(world)


@pytest.fixture
def lot(market):
    return market[0]


@pytest.fixture
def key_a(world, api_key_for):
    return api_key_for(world.borough_a)


def test_a_case_system_creates_a_draft(client, world, lot, key_a):
    response = post(client, "/requests/", payload(lot), key_a)

    assert response.status_code == 201, response.content
    body = response.json()
    placement_request = PlacementRequest.objects.get(pk=body["id"])
    assert placement_request.borough == world.borough_a
    assert placement_request.status == Status.DRAFT
    assert body["status"] == "draft"
    assert body["reference"] == "AB-1234"
    assert body["needs"] == helpers.NEEDS
    assert body["story"] == helpers.STORY
    assert body["lot"] == lot.pk
    assert body["bids_unsealed"] is False


def test_a_draft_may_be_incomplete(client, world, key_a):
    response = post(client, "/requests/", {"reference": "  AB-9  "}, key_a)

    assert response.status_code == 201, response.content
    assert response.json()["reference"] == "AB-9"
    assert response.json()["lot"] is None


def test_a_retried_create_with_the_same_idempotency_key_makes_one_request(
    client, world, lot, key_a
):
    first = post(client, "/requests/", payload(lot), key_a, **{"Idempotency-Key": "draft-1"})
    retry = post(client, "/requests/", payload(lot), key_a, **{"Idempotency-Key": "draft-1"})

    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]
    assert PlacementRequest.objects.count() == 1
    other = post(client, "/requests/", payload(lot), key_a, **{"Idempotency-Key": "draft-2"})
    assert other.status_code == 201
    assert PlacementRequest.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"age": 30}, "age"),
        ({"gender": "unknown"}, "gender"),
        ({"needs": {"physical_health": 4}}, "needs"),
        ({"needs": {"no_such_need": 1}}, "needs"),
        ({"outcomes": {"be_tall": "Grow"}}, "outcomes"),
        ({"max_weekly_budget": "-5"}, "max_weekly_budget"),
        ({"date_needed": "9999-01-01"}, "date_needed"),
        ({"bid_deadline": "2001-01-01T10:00:00Z"}, "bid_deadline"),
        ({"lot": 2**62}, "lot"),
    ],
)
def test_bad_fields_are_400s_beside_the_field(client, world, lot, key_a, change, field):
    response = post(client, "/requests/", payload(lot) | change, key_a)

    body = assert_problem(response, 400)
    assert field in body["errors"], body
    assert not PlacementRequest.objects.exists()


def test_a_lot_of_another_consortium_is_refused(client, world, key_a):
    other = LotFactory(consortium=ConsortiumFactory(slug="other", name="Other Consortium"))

    body = assert_problem(post(client, "/requests/", {"lot": other.pk}, key_a), 400)

    assert body["errors"] == {"lot": ["Choose one of your consortium's lots."]}


def test_an_officer_signed_in_can_create_and_a_commissioner_only_read(client, world, lot):
    client.force_login(world.officer_a)
    assert post(client, "/requests/", payload(lot)).status_code == 201

    client.force_login(world.commissioner_a)
    assert get(client, "/requests/").json()["results"]
    assert_problem(post(client, "/requests/", payload(lot)), 403)
    assert PlacementRequest.objects.count() == 1


def test_a_read_only_key_reads_but_cannot_write(client, world, lot, api_key_for):
    placement_request = helpers.draft(world, lot)
    read_only = api_key_for(world.borough_a, can_write=False)

    assert get(client, "/requests/", read_only).status_code == 200
    assert get(client, f"/requests/{placement_request.pk}/", read_only).status_code == 200
    assert_problem(post(client, "/requests/", payload(lot), read_only), 403)
    assert_problem(patch(client, f"/requests/{placement_request.pk}/", {"age": 9}, read_only), 403)
    assert_problem(post(client, f"/requests/{placement_request.pk}/publish/", {}, read_only), 403)
    placement_request.refresh_from_db()
    assert placement_request.status == Status.DRAFT
    assert placement_request.age == 14


def test_providers_and_anonymous_callers_are_refused(client, world, lot, api_key_for):
    placement_request = helpers.draft(world, lot)

    assert_problem(get(client, "/requests/", api_key_for(world.provider_a)), 403)
    assert_problem(get(client, f"/requests/{placement_request.pk}/"), 401)
    assert_problem(post(client, "/requests/", payload(lot)), 401)


def test_the_list_shows_the_boroughs_own_requests_and_filters(client, world, lot, key_a):
    helpers.draft(world, lot, reference="A-DRAFT")
    helpers.published(world, lot, reference="A-OPEN")
    other_lot = LotFactory(consortium=world.consortium)
    helpers.draft(world, other_lot, reference="A-ELSEWHERE")
    request_services.request_create(actor=helpers.actor_of(world.officer_b), reference="B-SECRET")

    def refs(**params):
        return {
            r["reference"] for r in get(client, "/requests/", key_a, **params).json()["results"]
        }

    assert refs() == {"A-DRAFT", "A-OPEN", "A-ELSEWHERE"}
    assert refs(status="open") == {"A-OPEN"}
    assert refs(status="draft", lot=lot.pk) == {"A-DRAFT"}
    assert refs(lot=other_lot.pk) == {"A-ELSEWHERE"}
    assert refs(lot="nonsense") == set()
    assert_problem(get(client, "/requests/", key_a, status="nonsense"), 400)


def test_another_boroughs_request_is_a_404(client, world, lot, api_key_for):
    placement_request = helpers.draft(world, lot)
    key_b = api_key_for(world.borough_b)

    assert_problem(get(client, f"/requests/{placement_request.pk}/", key_b), 404)
    assert_problem(patch(client, f"/requests/{placement_request.pk}/", {"age": 9}, key_b), 404)
    for action in ("publish", "cancel", "shortlist", "award", "evaluation", "questions"):
        method = get if action in ("evaluation", "questions") else post
        assert_problem(
            method(client, f"/requests/{placement_request.pk}/{action}/", auth=key_b), 404
        )


def test_a_draft_changes_with_patch(client, world, lot, key_a):
    placement_request = helpers.draft(world, lot)

    response = patch(
        client,
        f"/requests/{placement_request.pk}/",
        {"age": 12, "areas": ["Southport", "Northbridge "]},
        key_a,
    )

    assert response.status_code == 200, response.content
    assert response.json()["age"] == 12
    assert response.json()["areas"] == ["Northbridge", "Southport"]
    placement_request.refresh_from_db()
    assert placement_request.age == 12
    assert placement_request.reference == "AB-1234"


def test_changing_an_open_requests_terms_asks_bidders_to_reconfirm(client, world, market, key_a):
    lot, services = market
    placement_request = helpers.published(world, lot)
    bid = helpers.bid(placement_request, world.bidder_a, services["a"], "3000")

    response = patch(
        client, f"/requests/{placement_request.pk}/", {"max_weekly_budget": "4000.00"}, key_a
    )

    assert response.status_code == 200, response.content
    assert response.json()["terms_version"] == 2
    bid.refresh_from_db()
    assert bid.needs_reconfirmation
    body = assert_problem(
        patch(client, f"/requests/{placement_request.pk}/", {"lot": lot.pk + 1000}, key_a), 400
    )
    assert "lot" in body["errors"]


def test_an_open_request_must_stay_complete(client, world, lot, key_a):
    placement_request = helpers.published(world, lot)

    response = patch(
        client, f"/requests/{placement_request.pk}/", {"story": "", "ethnicity": ""}, key_a
    )

    body = assert_problem(response, 400)
    assert set(body["errors"]) == {"story", "ethnicity"}
    placement_request.refresh_from_db()
    assert placement_request.story == helpers.STORY


def test_publishing_an_incomplete_draft_lists_every_problem_by_field(client, world, key_a):
    created = post(client, "/requests/", {"reference": "AB-1"}, key_a).json()

    response = post(client, f"/requests/{created['id']}/publish/", {}, key_a)

    body = assert_problem(response, 400)
    expected = set(request_services.REQUIRED) - {"reference"} | {"needs", "outcomes"}
    assert set(body["errors"]) == expected
    assert body["errors"]["story"] == [request_services.REQUIRED["story"] + "."]
    assert "Not scored: Physical health" in body["errors"]["needs"][0]
    assert PlacementRequest.objects.get(pk=created["id"]).status == Status.DRAFT


def test_publishing_invites_the_eligible_and_counts_the_others_per_reason(
    client, world, lot, key_a
):
    too_young = ProviderFactory(name="Cradle Care")
    EnrolmentFactory(provider=too_young, lot=lot)
    ServiceFactory(provider=too_young, age_min=0, age_max=5, vacancies=1)
    placement_request = helpers.draft(world, lot)

    response = post(client, f"/requests/{placement_request.pk}/publish/", {}, key_a)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["invited"] == 2
    assert body["not_invited"] == [
        {"reason": "age", "label": "No service for the child's age", "count": 1}
    ]
    assert body["request"]["status"] == "open"
    assert body["request"]["bid_deadline"]
    assert {p["name"] for p in body["request"]["invited_providers"]} == {"Alpha Care", "Bravo Care"}
    assert ProviderInvitation.objects.filter(request=placement_request).count() == 2
    assert OutboundEmail.objects.filter(to="bidder@provider-a.test").exists()
    again = post(client, f"/requests/{placement_request.pk}/publish/", {}, key_a)
    assert assert_problem(again, 400)["detail"] == "Only a draft can be published."


def test_cancelling_needs_a_reason_from_the_list(client, world, lot, key_a):
    placement_request = helpers.published(world, lot)
    path = f"/requests/{placement_request.pk}/cancel/"

    assert "reason" in assert_problem(post(client, path, {"reason": "bored"}, key_a), 400)["errors"]
    body = assert_problem(post(client, path, {"reason": "other"}, key_a), 400)
    assert body["errors"] == {"detail": ["Say why the request is cancelled."]}

    response = post(client, path, {"reason": "placed_in_house", "detail": "Found a carer"}, key_a)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "placed_in_house"
    assert response.json()["transitions"][-1]["reason"] == "Placed in-house: Found a carer"
    assert_problem(post(client, path, {"reason": "other", "detail": "x"}, key_a), 400)


def test_no_suitable_offer_needs_a_closed_request_and_a_reason(client, world, key_a):
    placement_request, _ = helpers.closed_with_bids(world)
    path = f"/requests/{placement_request.pk}/no-suitable-offer/"

    assert assert_problem(post(client, path, {}, key_a), 400)["errors"] == {
        "reason": ["Say why none of the offers is suitable."]
    }
    response = post(client, path, {"reason": "None can meet her education needs."}, key_a)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "no_suitable_offer"
    assert response.json()["status_reason"] == "None can meet her education needs."


def test_no_suitable_offer_is_refused_while_bids_are_open(client, world, lot, key_a):
    placement_request = helpers.published(world, lot)

    response = post(
        client, f"/requests/{placement_request.pk}/no-suitable-offer/", {"reason": "x"}, key_a
    )

    assert "Bids are still open" in assert_problem(response, 400)["detail"]


def test_reopening_sets_a_new_deadline(client, world, key_a):
    placement_request, _ = helpers.closed_with_bids(world)
    request_services.request_no_suitable_offer(
        actor=helpers.actor_of(world.officer_a), placement_request=placement_request, reason="No"
    )
    path = f"/requests/{placement_request.pk}/reopen/"

    assert "bid_deadline" in assert_problem(post(client, path, {}, key_a), 400)["errors"]
    soon = (timezone.now() + timedelta(minutes=5)).isoformat()
    assert (
        "bid_deadline"
        in assert_problem(post(client, path, {"bid_deadline": soon}, key_a), 400)["errors"]
    )

    deadline = timezone.now() + timedelta(days=2)
    response = post(client, path, {"bid_deadline": deadline.isoformat()}, key_a)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "open"
    assert response.json()["bids_unsealed"] is False
    placement_request.refresh_from_db()
    assert abs(placement_request.bid_deadline - deadline) < timedelta(seconds=1)
    # The new round is sealed again: the earlier evaluation is not shown.
    assert_problem(get(client, f"/requests/{placement_request.pk}/evaluation/", key_a), 409)


def test_reopening_an_open_request_is_refused(client, world, lot, key_a):
    placement_request = helpers.published(world, lot)
    deadline = (timezone.now() + timedelta(days=2)).isoformat()

    response = post(
        client, f"/requests/{placement_request.pk}/reopen/", {"bid_deadline": deadline}, key_a
    )

    assert_problem(response, 400)


def test_the_shortlist_is_confirmed_once_the_request_closes(client, world, lot, key_a):
    opened = helpers.published(world, lot)
    assert_problem(post(client, f"/requests/{opened.pk}/shortlist/", {}, key_a), 400)
    closed = helpers.close(opened)

    response = post(client, f"/requests/{closed.pk}/shortlist/", {}, key_a)

    # No bid was made, so closing ended it with no suitable offer: nothing to shortlist.
    assert_problem(response, 400)


def test_confirming_the_shortlist(client, world, key_a):
    placement_request, _ = helpers.closed_with_bids(world)

    response = post(client, f"/requests/{placement_request.pk}/shortlist/", {}, key_a)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "shortlisted"


def test_the_evaluation_ranks_the_valid_bids_with_each_part_and_lists_the_invalid(
    client, world, key_a
):
    lot, services = helpers.market(world)
    placement_request = helpers.published(world, lot)
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
    third = ProviderFactory(name="Charlie Care")
    enrolment = EnrolmentFactory(provider=third, lot=lot)
    # Charlie is invited by a change of terms, bids, then is suspended before the deadline.
    ServiceFactory(
        provider=third,
        name="Charlie House",
        age_min=8,
        age_max=17,
        vacancies=1,
        needs_met=dict.fromkeys(INDICATOR_CODES, 3),
    )
    request_services.request_update(
        actor=helpers.actor_of(world.officer_a), placement_request=placement_request, age=15
    )
    charlie = person("bidder@charlie.test", third, "bidder", mfa=False)
    for user in (world.bidder_a, world.bidder_b):
        bid = Bid.objects.get(request=placement_request, provider=user.membership.organisation)
        bid_confirm(actor=helpers.actor_of(user), bid=bid)
    helpers.bid(placement_request, charlie, third.services.get(), "2000")
    enrolment.status = "suspended"
    enrolment.save()
    placement_request = helpers.close(placement_request)

    response = get(client, f"/requests/{placement_request.pk}/evaluation/", key_a)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["weights"] == {"quality": 60, "price": 30, "needs_fit": 10, "proximity": 0}
    assert body["lowest_fee"] == "2500.00"
    assert body["shortlist_size"] == 3
    ranked = body["ranked"]
    assert [(b["provider_name"], b["rank"]) for b in ranked] == [
        ("Alpha Care", 1),
        ("Bravo Care", 2),
    ]
    alpha = ranked[0]
    # price 100 x 2500/3000 = 83.33; quality 80; needs fit 100: 0.6x80 + 0.3x83.33 + 0.1x100
    assert alpha["price_score"] == "83.33"
    assert alpha["quality_score"] == "80.00"
    assert alpha["needs_fit_score"] == "100.00"
    assert alpha["total_score"] == "83.00"
    assert alpha["weekly_fee"] == "3000.00"
    assert alpha["shortlisted"] is True
    assert body["invalid"] == [
        {
            "id": body["invalid"][0]["id"],
            "provider": third.pk,
            "provider_name": "Charlie Care",
            "service": third.services.get().pk,
            "service_name": "Charlie House",
            "weekly_fee": "2000.00",
            "submitted_at": body["invalid"][0]["submitted_at"],
            "invalid_reason": "The provider's enrolment on the lot was suspended at the deadline.",
        }
    ]
    assert str(ranked[0]["id"]) in body["inputs"]


def test_a_commissioner_reads_the_evaluation(client, world):
    placement_request, _ = helpers.closed_with_bids(world)
    client.force_login(world.commissioner_a)

    response = get(client, f"/requests/{placement_request.pk}/evaluation/")

    assert response.status_code == 200
    assert len(response.json()["ranked"]) == 2


def test_awarding_the_top_bid_needs_no_reason(client, world, key_a):
    placement_request, _ = helpers.shortlisted(world)
    top = Bid.objects.get(request=placement_request, rank=1)

    response = post(client, f"/requests/{placement_request.pk}/award/", {"bid": top.pk}, key_a)

    assert response.status_code == 201, response.content
    body = response.json()
    placement = Placement.objects.get(pk=body["id"])
    assert placement.bid == top
    assert body["weekly_fee"] == "3000.00"
    assert body["provider_name"] == "Alpha Care"
    assert body["child_reference"] == "AB-1234"
    placement_request.refresh_from_db()
    assert placement_request.status == Status.AWARDED
    again = post(client, f"/requests/{placement_request.pk}/award/", {"bid": top.pk}, key_a)
    assert assert_problem(again, 400)["detail"] == "This request has already been awarded."


def test_awarding_another_bid_needs_a_reason(client, world, key_a):
    placement_request, _ = helpers.shortlisted(world)
    second = Bid.objects.get(request=placement_request, rank=2)
    path = f"/requests/{placement_request.pk}/award/"

    body = assert_problem(post(client, path, {"bid": second.pk}, key_a), 400)
    assert list(body["errors"]) == ["reason"]
    assert not Placement.objects.exists()

    response = post(client, path, {"bid": second.pk, "reason": "She wants to live nearer"}, key_a)

    assert response.status_code == 201, response.content
    assert response.json()["award_reason"] == "She wants to live nearer"
    assert Placement.objects.get().bid == second


def test_awarding_before_the_shortlist_or_another_requests_bid_is_refused(client, world, key_a):
    placement_request, _ = helpers.closed_with_bids(world)
    top = Bid.objects.get(request=placement_request, rank=1)
    path = f"/requests/{placement_request.pk}/award/"

    body = assert_problem(post(client, path, {"bid": top.pk}, key_a), 400)
    assert body["detail"] == "Confirm the shortlist before awarding."
    request_services.request_shortlist_confirm(
        actor=helpers.actor_of(world.officer_a), placement_request=placement_request
    )
    body = assert_problem(post(client, path, {"bid": top.pk + 1000}, key_a), 400)
    assert body["errors"] == {"bid": ["Choose one of the valid bids."]}
    assert "bid" in assert_problem(post(client, path, {}, key_a), 400)["errors"]


def test_the_borough_reads_and_answers_questions(client, world, lot, key_a):
    placement_request = helpers.published(world, lot)
    question = question_services.question_ask(
        actor=helpers.actor_of(world.bidder_a),
        placement_request=placement_request,
        text="Does she have a social worker nearby?",
    )

    listed = get(client, f"/requests/{placement_request.pk}/questions/", key_a).json()["results"]
    # Who asked is not said before the deadline (test_invitation_responses.py).
    assert [(q["text"], q["provider_name"]) for q in listed] == [
        ("Does she have a social worker nearby?", None)
    ]
    path = f"/questions/{question.pk}/answer/"
    assert assert_problem(post(client, path, {"answer": " "}, key_a), 400)["errors"] == {
        "answer": ["Enter your answer."]
    }

    response = post(client, path, {"answer": "Yes, in Northbridge.", "shared": True}, key_a)

    assert response.status_code == 200, response.content
    assert response.json()["shared"] is True
    question.refresh_from_db()
    assert question.answer == "Yes, in Northbridge."
    assert OutboundEmail.objects.filter(to="bidder@provider-b.test").count() >= 2


def test_questions_of_another_borough_or_by_a_provider_are_refused(client, world, lot, api_key_for):
    placement_request = helpers.published(world, lot)
    question = question_services.question_ask(
        actor=helpers.actor_of(world.bidder_a), placement_request=placement_request, text="Q?"
    )
    path = f"/questions/{question.pk}/answer/"

    assert_problem(post(client, path, {"answer": "A"}, api_key_for(world.borough_b)), 404)
    assert_problem(post(client, path, {"answer": "A"}, api_key_for(world.provider_a)), 403)
    assert Question.objects.get().answer == ""


def test_answers_are_refused_once_bids_close(client, world, lot, key_a):
    placement_request = helpers.published(world, lot)
    question = question_services.question_ask(
        actor=helpers.actor_of(world.bidder_a), placement_request=placement_request, text="Q?"
    )

    with time_machine.travel(placement_request.bid_deadline + timedelta(seconds=1)):
        response = post(client, f"/questions/{question.pk}/answer/", {"answer": "A"}, key_a)

    assert "only while bids are open" in assert_problem(response, 400)["detail"]


def test_the_young_persons_view_of_a_shortlisted_offer(client, world, key_a):
    placement_request, _ = helpers.shortlisted(world)
    second = Bid.objects.get(request=placement_request, rank=2)
    path = f"/bids/{second.pk}/young-person-view/"

    assert assert_problem(post(client, path, {"view": ""}, key_a), 400)["errors"] == {
        "view": ["Enter the young person's view."]
    }
    response = post(client, path, {"view": "Likes the garden."}, key_a)

    assert response.status_code == 200, response.content
    assert response.json()["young_person_view"] == "Likes the garden."
    second.refresh_from_db()
    assert second.young_person_view == "Likes the garden."
    assert AuditEvent.objects.filter(action="bid.young_person_view").exists()


def test_the_young_persons_view_needs_a_shortlist(client, world, key_a):
    placement_request, _ = helpers.closed_with_bids(world)
    bid = Bid.objects.get(request=placement_request, rank=1)

    response = post(client, f"/bids/{bid.pk}/young-person-view/", {"view": "Yes"}, key_a)

    assert_problem(response, 400)
    bid.refresh_from_db()
    assert bid.young_person_view == ""
