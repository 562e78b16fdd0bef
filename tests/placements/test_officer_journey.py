"""Smaller traps first real use found in the officer's journey: questions waiting for an answer
on the home page, and the shortlist saying how many valid bids there are."""

import pytest
from django.urls import reverse

from dps.models import User
from placements.services import questions as question_services
from providers.models import Service
from tests.factories import LotFactory
from tests.placements import helpers
from tests.placements.helpers import actor_of
from tests.placements.test_eligibility import fitting, provider

QUESTION = "Can she bring her bicycle?"


def text(response):
    return response.content.decode()


def ask(world, placement_request, question=QUESTION, user=None):
    return question_services.question_ask(
        actor=actor_of(user or world.bidder_a), placement_request=placement_request, text=question
    )


# --- Questions waiting on the home page -----------------------------------------------------


def test_the_officer_sees_the_questions_waiting_for_an_answer_with_a_link_to_answer_each(
    client, world
):
    lot, _ = helpers.market(world)
    placement_request = helpers.published(world, lot, reference="OPEN-7")
    waiting = ask(world, placement_request)
    answered = ask(world, placement_request, "Is there a garden?", user=world.bidder_b)
    question_services.question_answer(
        actor=actor_of(world.officer_a), question=answered, answer="Yes, a large one."
    )
    client.force_login(world.officer_a)

    page = text(client.get("/"))

    assert "Questions waiting for your answer: 1" in page
    answer = reverse("placements:question_answer", args=[placement_request.pk, waiting.pk])
    assert f'href="{answer}"' in page
    assert "OPEN-7" in page
    assert QUESTION in page
    assert "Is there a garden?" not in page
    # Who asked is not shown: the page would tell the officer which providers are engaged.
    assert "Alpha Care" not in page[page.index("Questions waiting") : page.index(QUESTION)]
    assert client.get(answer).status_code == 200


def test_questions_on_a_request_whose_bids_have_closed_are_not_waiting(client, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.published(world, lot)
    ask(world, placement_request)
    helpers.close(placement_request)
    client.force_login(world.officer_a)

    assert "Questions waiting" not in text(client.get("/"))


@pytest.mark.parametrize("persona", ["officer_b", "commissioner_a", "bidder_a"])
def test_only_the_boroughs_officers_see_its_questions_waiting(client, world, persona):
    lot, _ = helpers.market(world)
    ask(world, helpers.published(world, lot))
    client.force_login(getattr(world, persona))

    page = text(client.get("/"))

    assert "Questions waiting" not in page
    assert QUESTION not in page


def test_an_anonymous_visitor_sees_no_question(client, world):
    lot, _ = helpers.market(world)
    ask(world, helpers.published(world, lot))

    assert QUESTION not in text(client.get("/", follow=True))


# --- How many valid bids the shortlist shows ------------------------------------------------


def shortlist_page(client, world, placement_request):
    client.force_login(world.officer_a)
    return text(client.get(reverse("placements:shortlist", args=[placement_request.pk])))


def test_with_fewer_bids_than_the_shortlist_it_says_how_many_there_are(client, world):
    placement_request, _ = helpers.closed_with_bids(world)

    page = shortlist_page(client, world, placement_request)

    assert ">The 2 valid bids</h2>" in page
    assert "The top 3" not in page


def test_with_more_bids_than_the_shortlist_it_says_the_top_3_of_how_many(client, world):
    lot = LotFactory(consortium=world.consortium, service_types=["childrens_home"])
    slugs = [f"home-{n}" for n in range(4)]
    for slug in slugs:
        provider(lot, slug, fitting())
    placement_request = helpers.published(world, lot)
    for n, slug in enumerate(slugs):
        bidder = User.objects.get(email=f"bidder@{slug}.test")
        helpers.bid(
            placement_request, bidder, Service.objects.get(provider__slug=slug), 3000 + n * 100
        )
    helpers.close(placement_request)

    page = shortlist_page(client, world, placement_request)

    assert ">The top 3 of 4 valid bids</h2>" in page
