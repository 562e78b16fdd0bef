"""The provider's opportunity pages: the list of invitations with the provider's own state, the
anonymised profile, the child's story released only to shortlisted providers (each view
audited), questions, results, sealing, and who may use the pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dps.models import AuditEvent, Role
from placements.models import Bid, PlacementRequest
from placements.services import questions as question_services
from placements.services import requests as request_services
from providers.models import QualityScore
from providers.needs import INDICATOR_CODES
from tests.conftest import person
from tests.factories import EnrolmentFactory, ProviderFactory, ServiceFactory
from tests.placements import helpers

LIST = reverse("placements:opportunity_list")
STORY_TEXTS = (
    helpers.STORY,
    helpers.STRENGTHS,
    "Wants to stay near her school.",
    "Detail about emotional_health",
)


def detail_url(invitation):
    return reverse("placements:opportunity_detail", args=[invitation.pk])


def states(client, query=""):
    """{request pk: the provider's status} as the list shows them."""
    text = client.get(LIST + query).content.decode()
    result = {}
    for chunk in text.split(">Request ")[1:]:
        pk = int(chunk.split("<", 1)[0])
        tag = chunk.split("govuk-tag--", 1)[1].split(">", 1)[1].split("<", 1)[0]
        result[pk] = tag
    return result


def story_views():
    return AuditEvent.objects.filter(action="request.story_viewed")


def another_provider(world, lot, name, quality):
    """A provider enrolled on the lot with a fitting service, a quality score and a bidder."""
    provider = ProviderFactory(name=name)
    EnrolmentFactory(provider=provider, lot=lot)
    service = ServiceFactory(
        provider=provider,
        name=f"{name} House",
        age_min=8,
        age_max=17,
        vacancies=1,
        registered_places=4,
        needs_met=dict.fromkeys(INDICATOR_CODES, 3),
        local_authority="Northbridge",
    )
    QualityScore.objects.create(
        provider=provider,
        consortium=world.consortium,
        total=quality,
        inspection=quality,
        outcomes=quality,
        compliance=quality,
        responsiveness=quality,
        weights={},
        inputs={},
        trigger="test",
    )
    user = person(f"bidder@{name.lower()}.test", provider, Role.BIDDER, mfa=False)
    return provider, service, user


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_the_providers_state_on_each_open_request(client, world):
    lot, services = helpers.market(world)
    unanswered, submitted, changed, declined, withdrawn = (
        helpers.published(world, lot) for _ in range(5)
    )
    helpers.bid(submitted, world.bidder_a, services["a"], "2800")
    helpers.bid(changed, world.bidder_a, services["a"], "2800")
    request_services.request_update(
        actor=helpers.actor_of(world.officer_a),
        placement_request=changed,
        needs=dict(helpers.NEEDS, physical_health=2),
    )
    client.force_login(world.bidder_a)
    client.post(
        reverse(
            "placements:opportunity_decline",
            args=[helpers.invitation(declined, world.provider_a).pk],
        )
    )
    helpers.bid(withdrawn, world.bidder_a, services["a"], "2800")
    client.post(
        reverse(
            "placements:bid_withdraw", args=[helpers.invitation(withdrawn, world.provider_a).pk]
        )
    )

    shown = states(client)

    assert shown == {
        unanswered.pk: "Not answered",
        submitted.pk: "Bid submitted",
        changed.pk: "Bid needs re-confirmation",
        declined.pk: "Declined",
        withdrawn.pk: "Bid withdrawn",
    }
    # Newest first.
    assert list(shown) == sorted(shown, reverse=True)
    assert states(client, "?status=open") == shown
    assert states(client, "?status=closed") == {}


def test_the_list_row_shows_the_anonymised_summary(client, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.published(world, lot, urgency="emergency")
    client.force_login(world.provider_admin_a)

    text = client.get(LIST).content.decode()

    assert f"Request {placement_request.pk}" in text
    assert "Residential homes" in text
    assert "14 years old" in text
    assert "Female" in text
    assert "Emergency" in text
    assert placement_request.date_needed.strftime("%-d %b %Y") in text
    assert " left" in text  # the time left before the deadline
    assert helpers.STORY not in text


def test_the_list_shows_the_results_after_the_award_and_filters_closed_requests(client, world):
    placement_request, _ = helpers.awarded(world)  # A ranked first and awarded
    cancelled = helpers.published(world, placement_request.lot)
    request_services.request_cancel(
        actor=helpers.actor_of(world.officer_a),
        placement_request=cancelled,
        reason=PlacementRequest.CancelReason.NO_LONGER_NEEDED,
    )
    client.force_login(world.bidder_a)
    a_states = states(client)
    a_closed = states(client, "?status=closed")
    a_open = states(client, "?status=open")
    client.force_login(world.bidder_b)

    b_states = states(client)

    assert a_states == {cancelled.pk: "Cancelled", placement_request.pk: "Awarded"}
    assert a_closed == a_states
    assert a_open == {}
    assert b_states == {cancelled.pk: "Cancelled", placement_request.pk: "Unsuccessful"}


def test_the_list_shows_shortlisted_and_not_shortlisted(client, world):
    lot, services = helpers.market(world)
    others = [another_provider(world, lot, name, Decimal(q)) for name, q in (("Cedar", 70),
              ("Delta", 40))]  # fmt: skip
    placement_request = helpers.published(world, lot)
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    helpers.bid(placement_request, world.bidder_b, services["b"], "3000")
    for _provider, service, user in others:
        helpers.bid(placement_request, user, service, "3000")
    helpers.close(placement_request)
    request_services.request_shortlist_confirm(
        actor=helpers.actor_of(world.officer_a), placement_request=placement_request
    )
    delta = others[1][2]
    client.force_login(world.bidder_a)
    a_state = states(client)[placement_request.pk]
    client.force_login(delta)

    delta_state = states(client)[placement_request.pk]

    assert Bid.objects.get(request=placement_request, provider=others[1][0]).rank == 4
    assert a_state == "Shortlisted"
    assert delta_state == "Not shortlisted"


# --- The profile and the story ----------------------------------------------------------------


def test_the_profile_is_anonymised_and_the_story_withheld_before_the_shortlist(
    client, world, directory
):
    lot, services = helpers.market(world)
    helpers.locate(services["a"], "N7 6PA")
    helpers.locate(services["b"], "SE1 7PB")
    placement_request = helpers.published(
        world,
        lot,
        areas=["Islington", "Northbridge"],
        home_district="N19",
        max_distance_miles=25,
        max_weekly_budget="4500",
    )
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    invitation = helpers.invitation(placement_request, world.provider_a)
    client.force_login(world.bidder_a)

    open_page = client.get(detail_url(invitation)).content.decode()
    helpers.close(placement_request)
    closed_page = client.get(detail_url(invitation)).content.decode()

    for expected in (
        "14 years old",
        "Female",
        "White British",
        "English",
        "Section 31 (care order)",
        "Planned move",
        "52 weeks",
        "Northbridge",
        "25 miles",
        "Distance from the child's home: up to 5 miles",  # a band, never the home
        "£4,500.00",
        "Emotional and mental health",
        "3 – intensive support",
        "Outcome for be_healthy",
        "Alpha House",
    ):
        assert expected in open_page, expected
    for text in (open_page, closed_page):
        for secret in STORY_TEXTS:
            assert secret not in text
        assert "released only to shortlisted providers" in text
    assert "AB-1234" not in open_page  # the borough's own reference for the child
    assert "N19" not in open_page  # nor where the child lives
    # The council placing the child is named (the distance is from it); the child is not.
    assert "Alpha Borough" in open_page
    assert not story_views().exists()
    invitation.refresh_from_db()
    assert invitation.first_viewed_at is not None


def test_the_story_is_shown_once_shortlisted_and_each_view_is_audited(client, world):
    placement_request, _ = helpers.shortlisted(world)
    invitation = helpers.invitation(placement_request, world.provider_a)
    client.force_login(world.bidder_a)

    first = client.get(detail_url(invitation)).content.decode()
    second = client.get(detail_url(invitation)).content.decode()

    for secret in STORY_TEXTS:
        assert secret in first
        assert secret in second
    events = list(story_views())
    assert len(events) == 2
    assert {e.organisation_id for e in events} == {world.provider_a.pk}
    assert {e.actor_user_id for e in events} == {world.bidder_a.pk}
    assert {e.object_id for e in events} == {str(placement_request.pk)}


def test_the_story_is_withheld_from_a_provider_ranked_below_the_shortlist(client, world):
    lot, services = helpers.market(world)
    others = [another_provider(world, lot, name, Decimal(q)) for name, q in (("Cedar", 70),
              ("Delta", 40))]  # fmt: skip
    placement_request = helpers.published(world, lot)
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    helpers.bid(placement_request, world.bidder_b, services["b"], "3000")
    for _provider, service, user in others:
        helpers.bid(placement_request, user, service, "3000")
    helpers.close(placement_request)
    request_services.request_shortlist_confirm(
        actor=helpers.actor_of(world.officer_a), placement_request=placement_request
    )
    delta, _service, delta_user = others[1]
    client.force_login(delta_user)

    page = client.get(detail_url(helpers.invitation(placement_request, delta))).content.decode()

    assert Bid.objects.get(request=placement_request, provider=delta).rank == 4
    for secret in STORY_TEXTS:
        assert secret not in page
    assert not story_views().exists()


def test_after_the_award_only_the_winner_sees_the_story_and_each_sees_its_result(client, world):
    placement_request, placement = helpers.awarded(world)
    winner = helpers.invitation(placement_request, world.provider_a)
    loser = helpers.invitation(placement_request, world.provider_b)
    b_bid = Bid.objects.get(request=placement_request, provider=world.provider_b)
    client.force_login(world.bidder_b)
    loser_page = client.get(detail_url(loser)).content.decode()
    client.force_login(world.bidder_a)

    winner_page = client.get(detail_url(winner)).content.decode()

    for secret in STORY_TEXTS:
        assert secret not in loser_page
        assert secret in winner_page
    assert "Your offer was awarded" in winner_page
    assert reverse("placements:placement_detail", args=[placement.pk]) in winner_page
    assert "awarded this placement to another provider" in loser_page
    assert f"Your offer ranked <strong>{b_bid.rank}</strong>" in loser_page
    for part in (b_bid.total_score, b_bid.quality_score, b_bid.price_score, b_bid.needs_fit_score):
        assert str(part) in loser_page
    assert reverse("placements:placement_detail", args=[placement.pk]) not in loser_page
    assert story_views().filter(organisation=world.provider_a).count() == 1
    assert not story_views().filter(organisation=world.provider_b).exists()


# --- Sealing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["open", "closed", "shortlisted", "awarded"])
def test_a_provider_never_sees_another_providers_bid(client, world, stage):
    lot, services = helpers.market(world)
    placement_request = helpers.published(world, lot)
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    helpers.bid(placement_request, world.bidder_b, services["b"], "2468")
    if stage != "open":
        helpers.close(placement_request)
    if stage in ("shortlisted", "awarded"):
        request_services.request_shortlist_confirm(
            actor=helpers.actor_of(world.officer_a), placement_request=placement_request
        )
    if stage == "awarded":
        from placements.services import award as award_services

        award_services.award(
            actor=helpers.actor_of(world.officer_a),
            placement_request=placement_request,
            bid=Bid.objects.get(request=placement_request, rank=1),
        )
    invitation = helpers.invitation(placement_request, world.provider_a)
    client.force_login(world.bidder_a)
    pages = [LIST, detail_url(invitation)]
    if stage == "open":
        pages += [
            reverse("placements:bid", args=[invitation.pk]),
            reverse("placements:bid_withdraw", args=[invitation.pk]),
        ]

    for path in pages:
        response = client.get(path)
        text = response.content.decode()
        assert response.status_code == 200, path
        # Its own fee is there (as typed in the form, formatted elsewhere); B's never is.
        assert path == LIST or "3,000.00" in text or 'value="3000.00"' in text, path
        for leak in ("2,468", "2468", "Bravo", "bidder@provider-b.test", "2 bids", "bids received"):
            assert leak not in text, (path, leak)


# --- Questions --------------------------------------------------------------------------------


def test_a_provider_asks_a_question(client, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.published(world, lot)
    invitation = helpers.invitation(placement_request, world.provider_a)
    ask = reverse("placements:question_ask", args=[invitation.pk])
    client.force_login(world.bidder_a)

    detail = client.get(detail_url(invitation)).content.decode()
    empty = client.post(ask, {"text": "  "})
    response = client.post(ask, {"text": "Does she have a bike?"}, follow=True)

    assert f'action="{ask}"' in detail
    assert empty.status_code == 400
    assert "Enter your question." in empty.content.decode()
    question = placement_request.questions.get()
    assert question.provider == world.provider_a
    assert question.asked_by == world.bidder_a
    text = response.content.decode()
    assert response.redirect_chain[-1][0] == detail_url(invitation) + "#questions"
    assert "Your question has been sent to the borough." in text
    assert "Does she have a bike?" in text
    assert "Not answered yet" in text


def test_a_shared_answer_is_shown_without_naming_who_asked(client, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.published(world, lot)
    officer = helpers.actor_of(world.officer_a)
    shared = question_services.question_ask(
        actor=helpers.actor_of(world.bidder_b),
        placement_request=placement_request,
        text="Is there a school place arranged?",
    )
    private = question_services.question_ask(
        actor=helpers.actor_of(world.bidder_b),
        placement_request=placement_request,
        text="Can we visit the current carers?",
    )
    question_services.question_answer(
        actor=officer, question=shared, answer="Yes, at Northbridge Academy.", shared=True
    )
    question_services.question_answer(
        actor=officer, question=private, answer="Yes, next Tuesday.", shared=False
    )
    client.force_login(world.bidder_a)

    text = client.get(
        detail_url(helpers.invitation(placement_request, world.provider_a))
    ).content.decode()

    assert "Is there a school place arranged?" in text
    assert "Yes, at Northbridge Academy." in text
    assert "A question from an invited provider" in text
    assert "Bravo" not in text
    assert "provider-b.test" not in text
    assert "Can we visit the current carers?" not in text
    assert "Yes, next Tuesday." not in text


def test_questions_close_with_the_bids(client, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.published(world, lot)
    invitation = helpers.invitation(placement_request, world.provider_a)
    helpers.close(placement_request)
    client.force_login(world.bidder_a)

    detail = client.get(detail_url(invitation)).content.decode()
    response = client.post(
        reverse("placements:question_ask", args=[invitation.pk]), {"text": "Too late?"}
    )

    assert "Ask a question" not in detail
    assert response.status_code == 400
    assert "Questions can be asked and answered only while bids are open." in (
        response.content.decode()
    )
    assert not placement_request.questions.exists()


# --- Who may use the pages --------------------------------------------------------------------


def test_only_the_invited_providers_people_reach_its_pages(client, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.published(world, lot)
    invitation = helpers.invitation(placement_request, world.provider_a)
    path = detail_url(invitation)
    paths = [
        path,
        reverse("placements:bid", args=[invitation.pk]),
        reverse("placements:opportunity_decline", args=[invitation.pk]),
        reverse("placements:question_ask", args=[invitation.pk]),
    ]

    for allowed in (world.bidder_a, world.provider_admin_a):
        client.force_login(allowed)
        assert client.get(LIST).status_code == 200
        for p in paths:
            assert client.get(p).status_code == 200, p
    client.force_login(world.bidder_b)
    assert [client.get(p).status_code for p in paths] == [404] * len(paths)
    for refused in (world.officer_a, world.commissioner_a, world.admin):
        client.force_login(refused)
        assert client.get(LIST).status_code == 403
        assert client.get(path).status_code == 403
    client.logout()
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_navigation_links_providers_to_their_opportunities(client, world):
    client.force_login(world.bidder_a)
    provider_home = client.get("/").content.decode()
    client.force_login(world.officer_a)
    borough_home = client.get("/").content.decode()

    assert f'href="{LIST}"' in provider_home
    assert f'href="{LIST}"' not in borough_home
