"""The provider's side of the placements API: invitations with the anonymised profile, the
story once shortlisted, questions, and bids up to the deadline."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dps.models import AuditEvent
from placements.models import Bid, ProviderInvitation, Question
from placements.services import questions as question_services
from placements.services import requests as request_services
from placements.services.story import STORY_FIELDS
from providers.needs import INDICATOR_CODES
from tests.api.conftest import assert_problem
from tests.factories import ServiceFactory
from tests.placements import helpers

API = "/api/v1"


def call(client, method, path, data=None, auth=None):
    headers = {"Authorization": auth} if auth else {}
    if method == "get":
        return client.get(API + path, data or {}, headers=headers)
    return getattr(client, method)(
        API + path, json.dumps(data or {}), content_type="application/json", headers=headers
    )


@pytest.fixture
def market(world):
    return helpers.market(world)


@pytest.fixture
def opened(world, market):
    return helpers.published(world, market[0])


@pytest.fixture
def key_pa(world, api_key_for):
    return api_key_for(world.provider_a)


def bid_body(placement_request, provider, service, fee="3000.00", **extra):
    body = {
        "invitation": helpers.invitation(placement_request, provider).pk,
        "service": service.pk,
        "core_weekly_fee": fee,
        "start_date": (timezone.localdate() + timedelta(days=14)).isoformat(),
        "needs_met": dict.fromkeys(INDICATOR_CODES, "Trained staff."),
        "volume_discount": "5% for a second child",
    }
    body.update(extra)
    return body


# --- Opportunities ---------------------------------------------------------------------------


def test_a_provider_lists_its_invitations_with_the_anonymised_profile(
    client, world, market, opened, key_pa
):
    helpers.draft(world, market[0], reference="DRAFT-1")  # never shown to providers

    response = call(client, "get", "/opportunities/", auth=key_pa)

    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == helpers.invitation(opened, world.provider_a).pk
    assert row["services"] == [
        {"id": market[1]["a"].pk, "name": "Alpha House", "distance_band": "Distance unknown"}
    ]
    assert row["bid"] is None
    profile = row["request"]
    assert profile["age"] == 14
    assert profile["needs"] == helpers.NEEDS
    assert profile["lot_name"] == "Residential homes"
    assert not set(STORY_FIELDS) & set(profile)
    assert "reference" not in profile
    content = response.content.decode()
    for secret in (helpers.STORY, helpers.STRENGTHS, "AB-1234", "Detail about"):
        assert secret not in content
    # The council placing the child is named (the distance is from it); the child is not.
    assert profile["borough_name"] == "Alpha Borough"


def test_the_list_filters_by_the_requests_status(client, world, market, opened, key_pa):
    def listed(status):
        return call(client, "get", "/opportunities/", {"status": status}, key_pa).json()["results"]

    assert len(listed("open")) == 1
    assert listed("closed") == []


def test_reading_an_invitation_marks_it_viewed(client, world, opened, key_pa):
    invitation = helpers.invitation(opened, world.provider_a)

    response = call(client, "get", f"/opportunities/{invitation.pk}/", auth=key_pa)

    assert response.status_code == 200, response.content
    assert response.json()["story_released"] is False
    invitation.refresh_from_db()
    assert invitation.first_viewed_at is not None


def test_another_providers_invitation_is_a_404_and_boroughs_are_refused(
    client, world, opened, api_key_for
):
    invitation = helpers.invitation(opened, world.provider_a)
    key_pb = api_key_for(world.provider_b)

    base = f"/opportunities/{invitation.pk}/"
    for path in ("", "story/", "questions/"):
        assert_problem(call(client, "get", base + path, auth=key_pb), 404)
    assert_problem(call(client, "post", base + "decline/", auth=key_pb), 404)
    assert_problem(call(client, "post", base + "questions/", {"text": "Q"}, key_pb), 404)
    assert not Question.objects.exists()
    assert_problem(call(client, "get", "/opportunities/", auth=api_key_for(world.borough_a)), 403)
    invitation.refresh_from_db()
    assert invitation.first_viewed_at is None
    assert invitation.declined_at is None


def test_the_story_is_refused_until_shortlisted(client, world, opened, key_pa):
    invitation = helpers.invitation(opened, world.provider_a)

    response = call(client, "get", f"/opportunities/{invitation.pk}/story/", auth=key_pa)

    assert_problem(response, 403)
    assert helpers.STORY not in response.content.decode()
    assert not AuditEvent.objects.filter(action="request.story_viewed").exists()


def test_a_shortlisted_provider_reads_the_story_and_each_read_is_audited(client, world, key_pa):
    placement_request, _ = helpers.shortlisted(world)
    invitation = helpers.invitation(placement_request, world.provider_a)

    detail = call(client, "get", f"/opportunities/{invitation.pk}/", auth=key_pa).json()
    response = call(client, "get", f"/opportunities/{invitation.pk}/story/", auth=key_pa)

    assert detail["story_released"] is True
    assert helpers.STORY not in json.dumps(detail)
    assert response.status_code == 200, response.content
    assert response.json()["story"] == helpers.STORY
    assert response.json()["strengths"] == helpers.STRENGTHS
    assert response.json()["need_details"] == helpers.DETAILS
    events = AuditEvent.objects.filter(action="request.story_viewed")
    assert events.count() == 1
    call(client, "get", f"/opportunities/{invitation.pk}/story/", auth=key_pa)
    assert events.count() == 2


def test_after_the_award_only_the_winner_reads_the_story(client, world, api_key_for):
    placement_request, placement = helpers.awarded(world)
    assert placement.provider == world.provider_a
    loser = helpers.invitation(placement_request, world.provider_b)
    winner = helpers.invitation(placement_request, world.provider_a)

    lost = call(
        client, "get", f"/opportunities/{loser.pk}/story/", auth=api_key_for(world.provider_b)
    )
    won = call(
        client, "get", f"/opportunities/{winner.pk}/story/", auth=api_key_for(world.provider_a)
    )

    assert_problem(lost, 403)
    assert won.status_code == 200


def test_declining_an_invitation(client, world, opened, key_pa):
    invitation = helpers.invitation(opened, world.provider_a)

    response = call(
        client, "post", f"/opportunities/{invitation.pk}/decline/", {"reason": "Full"}, key_pa
    )

    assert response.status_code == 200, response.content
    assert response.json()["declined_at"]
    assert response.json()["decline_reason"] == "Full"


def test_declining_with_a_bid_is_refused(client, world, market, opened, key_pa):
    helpers.bid(opened, world.bidder_a, market[1]["a"], "3000")
    invitation = helpers.invitation(opened, world.provider_a)

    response = call(client, "post", f"/opportunities/{invitation.pk}/decline/", {}, key_pa)

    assert assert_problem(response, 400)["detail"] == "Withdraw your bid before declining."
    invitation.refresh_from_db()
    assert invitation.declined_at is None


def test_asking_a_question_and_reading_the_shared_answers(client, world, opened, key_pa):
    invitation = helpers.invitation(opened, world.provider_a)
    path = f"/opportunities/{invitation.pk}/questions/"
    officer = helpers.actor_of(world.officer_a)
    theirs = question_services.question_ask(
        actor=helpers.actor_of(world.bidder_b), placement_request=opened, text="Bravo's shared?"
    )
    question_services.question_answer(actor=officer, question=theirs, answer="Yes.", shared=True)
    question_services.question_ask(
        actor=helpers.actor_of(world.bidder_b), placement_request=opened, text="Bravo's private?"
    )

    assert assert_problem(call(client, "post", path, {"text": ""}, key_pa), 400)["errors"] == {
        "text": ["Enter your question."]
    }
    response = call(client, "post", path, {"text": "Is there a school place?"}, key_pa)

    assert response.status_code == 201, response.content
    assert response.json()["asked_by_you"] is True
    assert Question.objects.get(pk=response.json()["id"]).provider == world.provider_a
    listed = call(client, "get", path, auth=key_pa)
    texts = {(q["text"], q["asked_by_you"]) for q in listed.json()["results"]}
    assert texts == {("Bravo's shared?", False), ("Is there a school place?", True)}
    assert "Bravo Care" not in listed.content.decode()


# --- Bids --------------------------------------------------------------------------------------


def test_a_provider_bids(client, world, market, opened, key_pa):
    body = bid_body(opened, world.provider_a, market[1]["a"])

    response = call(client, "post", "/bids/", body, key_pa)

    assert response.status_code == 201, response.content
    created = response.json()
    bid = Bid.objects.get(pk=created["id"])
    assert bid.provider == world.provider_a
    assert created["weekly_fee"] == "3000.00"
    assert created["status"] == "submitted"
    assert created["volume_discount"] == "5% for a second child"
    assert created["needs_met"] == body["needs_met"]
    assert created["rank"] is None
    assert created["young_person_view"] is None
    invitation = call(client, "get", f"/opportunities/{body['invitation']}/", auth=key_pa)
    assert invitation.json()["bid"] == bid.pk


def test_a_bid_with_extra_staffing_adds_its_cost(client, world, market, opened, key_pa):
    body = bid_body(
        opened,
        world.provider_a,
        market[1]["a"],
        fee="3000",
        extra_staffing_hours="10",
        extra_staffing_cost="450.50",
    )

    response = call(client, "post", "/bids/", body, key_pa)

    assert response.status_code == 201, response.content
    assert response.json()["weekly_fee"] == "3450.50"


def test_a_second_post_changes_the_one_bid(client, world, market, opened, key_pa):
    body = bid_body(opened, world.provider_a, market[1]["a"])
    first = call(client, "post", "/bids/", body, key_pa)

    again = call(client, "post", "/bids/", body | {"core_weekly_fee": "2800"}, key_pa)

    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"]
    assert Bid.objects.get().weekly_fee == 2800


def test_a_retried_bid_with_the_same_idempotency_key_acts_once(
    client, world, market, opened, key_pa
):
    body = json.dumps(bid_body(opened, world.provider_a, market[1]["a"]))
    headers = {"Authorization": key_pa, "Idempotency-Key": "bid-1"}

    first = client.post(f"{API}/bids/", body, content_type="application/json", headers=headers)
    retry = client.post(f"{API}/bids/", body, content_type="application/json", headers=headers)

    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert AuditEvent.objects.filter(action__startswith="bid.").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"core_weekly_fee": "0"}, "core_weekly_fee"),
        ({"core_weekly_fee": "-10"}, "core_weekly_fee"),
        ({"core_weekly_fee": "abc"}, "core_weekly_fee"),
        ({"core_weekly_fee": None}, "core_weekly_fee"),
        ({"extra_staffing_cost": "100"}, "extra_staffing_hours"),
        ({"extra_staffing_hours": "200", "extra_staffing_cost": "1"}, "extra_staffing_hours"),
        ({"start_date": "2001-01-01"}, "start_date"),
        ({"start_date": "not a date"}, "start_date"),
        ({"needs_met": {"flying": "We can"}}, "needs_met"),
        ({"invitation": 2**40}, "invitation"),
    ],
)
def test_bad_bids_are_400s_beside_the_field(client, world, market, opened, key_pa, change, field):
    body = bid_body(opened, world.provider_a, market[1]["a"]) | change

    response = call(client, "post", "/bids/", body, key_pa)

    assert field in assert_problem(response, 400)["errors"]
    assert not Bid.objects.exists()


def test_a_bid_with_another_providers_service_or_invitation_is_refused(
    client, world, market, opened, key_pa
):
    theirs = bid_body(opened, world.provider_b, market[1]["b"])
    own_invitation_their_service = bid_body(opened, world.provider_a, market[1]["b"])
    unfit = ServiceFactory(provider=world.provider_a, name="Not sent")

    refused = assert_problem(call(client, "post", "/bids/", theirs, key_pa), 400)
    assert refused["errors"] == {"invitation": ["Choose one of your organisation's invitations."]}
    for body in (own_invitation_their_service, bid_body(opened, world.provider_a, unfit)):
        body_errors = assert_problem(call(client, "post", "/bids/", body, key_pa), 400)["errors"]
        assert body_errors == {
            "service": ["Choose one of your services that this request was sent for."]
        }
    assert not Bid.objects.exists()


def test_boroughs_and_read_only_keys_cannot_bid(client, world, market, opened, api_key_for):
    body = bid_body(opened, world.provider_a, market[1]["a"])

    assert_problem(call(client, "post", "/bids/", body, api_key_for(world.borough_a)), 403)
    read_only = api_key_for(world.provider_a, can_write=False)
    assert_problem(call(client, "post", "/bids/", body, read_only), 403)
    assert call(client, "get", "/bids/", auth=read_only).status_code == 200
    assert not Bid.objects.exists()


def test_a_bidder_signed_in_bids_and_anonymous_callers_are_refused(client, world, market, opened):
    body = bid_body(opened, world.provider_a, market[1]["a"])
    assert_problem(call(client, "post", "/bids/", body), 401)

    client.force_login(world.bidder_a)
    assert call(client, "post", "/bids/", body).status_code == 201


def test_a_bid_sent_after_the_deadline_is_refused(client, world, market, opened, key_pa):
    body = bid_body(opened, world.provider_a, market[1]["a"])

    with time_machine.travel(opened.bid_deadline + timedelta(seconds=1)):
        response = call(client, "post", "/bids/", body, key_pa)

    detail = assert_problem(response, 400)["detail"]
    assert detail.startswith("The deadline for bids passed at ")
    assert not Bid.objects.exists()


def test_changing_a_bid_with_patch(client, world, market, opened, key_pa):
    bid = helpers.bid(opened, world.bidder_a, market[1]["a"], "3000", volume_discount="None")

    response = call(client, "patch", f"/bids/{bid.pk}/", {"core_weekly_fee": "2750.00"}, key_pa)

    assert response.status_code == 200, response.content
    bid.refresh_from_db()
    assert bid.weekly_fee == 2750
    assert bid.volume_discount == "None"
    assert bid.needs_met == dict.fromkeys(INDICATOR_CODES, "We can.")
    assert (
        "start_date"
        in assert_problem(
            call(client, "patch", f"/bids/{bid.pk}/", {"start_date": "2001-01-01"}, key_pa), 400
        )["errors"]
    )


def test_changing_a_bid_after_the_deadline_is_refused(client, world, market, opened, key_pa):
    bid = helpers.bid(opened, world.bidder_a, market[1]["a"], "3000")

    with time_machine.travel(opened.bid_deadline + timedelta(seconds=1)):
        changed = call(client, "patch", f"/bids/{bid.pk}/", {"core_weekly_fee": "1"}, key_pa)
        withdrawn = call(client, "post", f"/bids/{bid.pk}/withdraw/", auth=key_pa)

    for response in (changed, withdrawn):
        assert "The deadline for bids passed at" in assert_problem(response, 400)["detail"]
    bid.refresh_from_db()
    assert bid.weekly_fee == 3000
    assert bid.status == Bid.Status.SUBMITTED


def test_withdrawing_and_bidding_again(client, world, market, opened, key_pa):
    bid = helpers.bid(opened, world.bidder_a, market[1]["a"], "3000")

    response = call(client, "post", f"/bids/{bid.pk}/withdraw/", auth=key_pa)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    assert_problem(call(client, "post", f"/bids/{bid.pk}/withdraw/", auth=key_pa), 400)
    again = call(
        client, "post", "/bids/", bid_body(opened, world.provider_a, market[1]["a"]), key_pa
    )
    assert again.status_code == 200, again.content
    assert again.json()["status"] == "submitted"
    assert again.json()["id"] == bid.pk


def test_confirming_a_bid_after_the_terms_change(client, world, market, opened, key_pa):
    bid = helpers.bid(opened, world.bidder_a, market[1]["a"], "3000")
    assert_problem(call(client, "post", f"/bids/{bid.pk}/confirm/", auth=key_pa), 400)
    request_services.request_update(
        actor=helpers.actor_of(world.officer_a), placement_request=opened, duration_weeks=26
    )
    assert call(client, "get", f"/bids/{bid.pk}/", auth=key_pa).json()["needs_reconfirmation"]

    response = call(client, "post", f"/bids/{bid.pk}/confirm/", auth=key_pa)

    assert response.status_code == 200, response.content
    assert response.json()["needs_reconfirmation"] is False
    assert response.json()["terms_version"] == 2


def test_a_provider_sees_only_its_own_bids(client, world, market, opened, api_key_for):
    own = helpers.bid(opened, world.bidder_a, market[1]["a"], "3123.45")
    theirs = helpers.bid(opened, world.bidder_b, market[1]["b"], "2987.65")
    key_pa = api_key_for(world.provider_a)

    listed = call(client, "get", "/bids/", auth=key_pa)

    assert [b["id"] for b in listed.json()["results"]] == [own.pk]
    assert "2987.65" not in listed.content.decode()
    for method, path in (
        ("get", f"/bids/{theirs.pk}/"),
        ("patch", f"/bids/{theirs.pk}/"),
        ("post", f"/bids/{theirs.pk}/withdraw/"),
        ("post", f"/bids/{theirs.pk}/confirm/"),
    ):
        response = call(client, method, path, {"core_weekly_fee": "1"}, key_pa)
        assert_problem(response, 404)
        assert "2987.65" not in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == Bid.Status.SUBMITTED
    assert str(theirs.weekly_fee) == "2987.65"


def test_a_provider_reads_its_scores_once_the_request_is_awarded(client, world, key_pa):
    placement_request, _ = helpers.shortlisted(world)
    bid = Bid.objects.get(request=placement_request, provider=world.provider_a)

    before = call(client, "get", f"/bids/{bid.pk}/", auth=key_pa).json()
    assert before["rank"] is None
    assert before["total_score"] is None
    helpers.award_services.award(
        actor=helpers.actor_of(world.officer_a), placement_request=placement_request, bid=bid
    )
    after = call(client, "get", f"/bids/{bid.pk}/", auth=key_pa).json()

    assert after["rank"] == 1
    assert after["total_score"] == str(bid.total_score)
    assert after["young_person_view"] is None


def test_invitations_exist_only_for_published_requests(world, market):
    helpers.draft(world, market[0])
    assert not ProviderInvitation.objects.exists()


def test_a_bid_a_proxy_received_before_the_deadline_is_saved_when_handled_after_it(
    client, settings, world, market, opened, key_pa
):
    # The front proxy stamped the bid 2 s before the deadline; a worker got to it 1 s after.
    settings.REQUEST_START_HEADER = "X-Request-Start"
    body = bid_body(opened, world.provider_a, market[1]["a"])
    received = opened.bid_deadline - timedelta(seconds=2)
    stamp = {"X-Request-Start": f"t={received.timestamp():.3f}"}

    with time_machine.travel(opened.bid_deadline + timedelta(seconds=1), tick=False):
        response = client.post(
            API + "/bids/",
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": key_pa, **stamp},
        )

    assert response.status_code == 201, response.content
    bid = Bid.objects.get()
    assert abs(bid.submitted_at - received) < timedelta(milliseconds=2)  # its time is the stamp


@pytest.mark.parametrize("configured", [True, False], ids=["stamped-after", "not-configured"])
def test_a_bid_is_refused_when_no_believed_stamp_puts_it_before_the_deadline(
    client, settings, world, market, opened, key_pa, configured
):
    # Stamped after the deadline; or stamped before it but the proxy is not configured (a
    # client's own header is not believed).
    settings.REQUEST_START_HEADER = "X-Request-Start" if configured else ""
    offset = timedelta(seconds=0.5) if configured else timedelta(seconds=-2)
    stamp = (opened.bid_deadline + offset).timestamp()
    body = bid_body(opened, world.provider_a, market[1]["a"])

    with time_machine.travel(opened.bid_deadline + timedelta(seconds=1), tick=False):
        response = client.post(
            API + "/bids/",
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": key_pa, "X-Request-Start": f"t={stamp:.3f}"},
        )

    assert "The deadline for bids passed at" in assert_problem(response, 400)["detail"]
    assert not Bid.objects.exists()


def test_a_withdrawal_a_proxy_received_before_the_deadline_is_made_when_handled_after_it(
    client, settings, world, market, opened, key_pa
):
    settings.REQUEST_START_HEADER = "X-Request-Start"
    bid = helpers.bid(opened, world.bidder_a, market[1]["a"], "3000")
    received = opened.bid_deadline - timedelta(seconds=1)

    with time_machine.travel(opened.bid_deadline + timedelta(seconds=2), tick=False):
        response = client.post(
            f"{API}/bids/{bid.pk}/withdraw/",
            content_type="application/json",
            headers={"Authorization": key_pa, "X-Request-Start": f"t={received.timestamp():.3f}"},
        )

    assert response.status_code == 200, response.content
    bid.refresh_from_db()
    assert bid.status == Bid.Status.WITHDRAWN
    assert abs(bid.withdrawn_at - received) < timedelta(milliseconds=2)
