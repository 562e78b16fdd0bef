"""Which invited providers viewed or declined, and who asked which question, bound how many bids
there can be: the borough sees none of it before the deadline, pages and API alike, and all of
it from the deadline on."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from placements.services import bids as bid_services
from placements.services import questions as question_services

from .helpers import actor_of, invitation, market, published

REASON = "No bed until the spring."


@pytest.fixture
def answered(world):
    """A published request: provider A viewed it and asked a question, provider B declined."""
    lot, _services = market(world)
    placement_request = published(world, lot)
    bid_services.invitation_mark_viewed(invitation=invitation(placement_request, world.provider_a))
    question_services.question_ask(
        actor=actor_of(world.bidder_a), placement_request=placement_request, text="Any pets?"
    )
    bid_services.invitation_decline(
        actor=actor_of(world.bidder_b),
        invitation=invitation(placement_request, world.provider_b),
        reason=REASON,
    )
    return placement_request


def borough_sees(client, world, api_key_for, placement_request):
    """The request's page and its questions over the API, as borough A sees them."""
    client.force_login(world.officer_a)
    page = client.get(reverse("placements:request_detail", args=[placement_request.pk]))
    questions = client.get(
        f"/api/v1/requests/{placement_request.pk}/questions/",
        HTTP_AUTHORIZATION=api_key_for(world.borough_a),
    )
    assert page.status_code == questions.status_code == 200
    return page.content.decode(), questions.json()["results"]


def test_before_the_deadline_the_borough_sees_no_response(client, world, api_key_for, answered):
    page, questions = borough_sees(client, world, api_key_for, answered)

    assert "Declined" not in page
    assert REASON not in page
    assert "Viewed" not in page
    assert "Not viewed" not in page
    assert "Shown after the deadline" in page
    assert "Alpha Care asked" not in page
    assert "A provider asked" in page
    assert [(q["text"], q["provider"], q["provider_name"]) for q in questions] == [
        ("Any pets?", None, None)
    ]


def test_the_answer_page_does_not_name_who_asked(client, world, answered):
    question = answered.questions.get()
    client.force_login(world.officer_a)

    page = client.get(reverse("placements:question_answer", args=[answered.pk, question.pk]))

    assert page.status_code == 200
    assert "Alpha Care" not in page.content.decode()


def test_from_the_deadline_the_borough_sees_every_response(client, world, api_key_for, answered):
    with time_machine.travel(answered.bid_deadline + timedelta(seconds=1), tick=False):
        page, questions = borough_sees(client, world, api_key_for, answered)

    assert f"Declined: {REASON}" in page
    assert "Viewed" in page
    assert "Alpha Care asked" in page
    assert [(q["provider"], q["provider_name"]) for q in questions] == [
        (world.provider_a.pk, "Alpha Care")
    ]
