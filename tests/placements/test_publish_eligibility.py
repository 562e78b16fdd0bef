"""Publishing says who would be invited before it invites anyone: how many providers, why each
other one on the lot would not be (per reason and, for the needs, per need), and a request that
nobody would get is refused with what to change, unless the officer confirms it deliberately.
Pages and API alike."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dps.models import OutboundEmail
from placements.models import PlacementRequest, ProviderInvitation
from placements.services import requests as request_services
from placements.services.eligibility import eligibility_check
from placements.services.requests import NoEligibleProvider
from tests.factories import LotFactory
from tests.placements import helpers
from tests.placements.helpers import actor_of
from tests.placements.test_eligibility import ALL_MET, fitting, provider

Status = PlacementRequest.Status
API = "/api/v1"
# The standard child (helpers.NEEDS): emotional health 3, educational progress 2, the rest 1.
SHORT_OF_EMOTIONAL = dict(ALL_MET, emotional_health=2)


def url(name, *args):
    return reverse(f"placements:{name}", args=args)


def text(response):
    return response.content.decode()


@pytest.fixture
def lot(world):
    return LotFactory(
        consortium=world.consortium, code="homes", name="Homes", service_types=["childrens_home"]
    )


@pytest.fixture
def officer(client, world):
    client.force_login(world.officer_a)
    return client


@pytest.fixture
def nobody(world, lot):
    """A lot on which no provider fits the standard child wanted in Northbridge: one is in the
    wrong area, one cannot meet the emotional health need at 3, one has no vacancy."""
    provider(lot, "southvale", fitting(local_authority="Southvale"))
    provider(lot, "light-touch", fitting(needs_met=SHORT_OF_EMOTIONAL))
    provider(lot, "full-house", fitting(vacancies=0))
    return helpers.draft(world, lot, areas=["Northbridge"])


def api_post(client, path, data, auth):
    return client.post(
        API + path,
        json.dumps(data),
        content_type="application/json",
        headers={"Authorization": auth},
    )


# --- Counting per need ----------------------------------------------------------------------


def test_a_provider_stopped_by_the_needs_is_counted_under_each_need_none_of_its_services_meets(
    world, lot
):
    provider(lot, "fits", fitting())
    provider(lot, "light-touch", fitting(needs_met=SHORT_OF_EMOTIONAL))
    provider(lot, "no-teacher", fitting(needs_met=dict(SHORT_OF_EMOTIONAL, education_progress=1)))
    # Each home misses a different need: some home meets each, so neither need is named.
    provider(
        lot,
        "two-homes",
        fitting(needs_met=SHORT_OF_EMOTIONAL),
        fitting(needs_met=dict(ALL_MET, identity=0)),
    )
    provider(lot, "full-house", fitting(vacancies=0))

    eligibility = eligibility_check(helpers.draft(world, lot))

    assert eligibility.reasons == {"needs": 3, "vacancy": 1}
    assert eligibility.need_rows == [
        ("emotional_health", "Emotional and mental health", 3, 2),
        ("education_progress", "Educational progress", 2, 1),
    ]


def test_the_check_takes_the_same_queries_for_many_providers_as_for_few(world, lot):
    placement_request = helpers.draft(world, lot)
    for n in range(2):
        provider(lot, f"few-{n}", fitting(needs_met=SHORT_OF_EMOTIONAL))
    with CaptureQueriesContext(connection) as few:
        eligibility_check(placement_request)
    for n in range(20):
        provider(lot, f"many-{n}", fitting(needs_met=SHORT_OF_EMOTIONAL), fitting(vacancies=0))

    with CaptureQueriesContext(connection) as many:
        eligibility = eligibility_check(placement_request)

    assert eligibility.reasons == {"needs": 2, "vacancy": 20}
    assert len(many) == len(few) == 2


# --- The confirmation page -----------------------------------------------------------------


def test_the_confirmation_says_how_many_would_be_invited_and_why_the_others_would_not(
    officer, world, lot
):
    provider(lot, "fits", fitting())
    provider(lot, "light-touch", fitting(needs_met=SHORT_OF_EMOTIONAL))
    provider(lot, "full-house", fitting(vacancies=0))
    placement_request = helpers.draft(world, lot)

    page = text(officer.get(url("request_publish", placement_request.pk)))

    assert "1 provider would be invited and emailed." in page
    assert "2 providers on the lot would not be invited" in page
    assert "No service that meets every need at its score" in page
    assert "No service meets “Emotional and mental health” at score 3" in page
    assert "Publish and invite providers" in page
    assert "Publish anyway" not in page  # no confirmation needed when someone is invited
    assert ProviderInvitation.objects.count() == 0  # the preview invites nobody


def test_publishing_to_nobody_is_refused_with_why_and_what_to_change(officer, world, nobody):
    page = text(officer.get(url("request_publish", nobody.pk)))
    refused = officer.post(url("request_publish", nobody.pk))

    assert "No provider would be invited" in page
    assert "Publish anyway: no provider will be invited" in page
    assert refused.status_code == 400
    body = text(refused)
    assert 'id="id_confirm_no_eligible-error"' in body
    assert '<a href="#id_confirm_no_eligible">No provider would be invited.' in body
    for reason in ("No service in the areas wanted", "No vacancy"):
        assert reason in body
    assert "No service meets “Emotional and mental health” at score 3" in body
    edit = url("request_edit", nobody.pk)
    for field in ("id_areas", "id_need_emotional_health", "id_allow_no_vacancy"):
        assert f'href="{edit}#{field}"' in body, field
    nobody.refresh_from_db()
    assert nobody.status == Status.DRAFT
    assert nobody.transitions.count() == 0


def test_an_officer_publishes_to_nobody_only_deliberately(officer, world, nobody):
    response = officer.post(
        url("request_publish", nobody.pk), {"confirm_no_eligible": "on"}, follow=True
    )

    nobody.refresh_from_db()
    assert nobody.status == Status.OPEN
    assert ProviderInvitation.objects.filter(request=nobody).count() == 0
    assert OutboundEmail.objects.count() == 0
    page = text(response)
    assert "no provider was invited" in page
    assert "govuk-notification-banner--success" not in page
    assert nobody.transitions.get().reason == "Published with no eligible provider, as confirmed."


def test_a_lot_with_no_provider_at_all_says_so(officer, world, lot):
    placement_request = helpers.draft(world, lot)

    page = text(officer.get(url("request_publish", placement_request.pk)))

    assert "No provider would be invited: no provider is enrolled on Homes." in page


def test_the_service_refuses_to_publish_to_nobody_unless_confirmed(world, nobody):
    actor = actor_of(world.officer_a)

    with pytest.raises(NoEligibleProvider) as refused:
        request_services.request_publish(actor=actor, placement_request=nobody)

    assert refused.value.field == "confirm_no_eligible"
    assert refused.value.eligibility.reasons == {"area": 1, "needs": 1, "vacancy": 1}
    nobody.refresh_from_db()
    assert nobody.status == Status.DRAFT
    request_services.request_publish(
        actor=actor, placement_request=nobody, confirm_no_eligible=True
    )
    nobody.refresh_from_db()
    assert nobody.status == Status.OPEN


# --- A failed publish is put right from where it failed ------------------------------------


def test_a_failed_publish_is_fixed_and_published_from_the_error_page(officer, world, lot):
    provider(lot, "fits", fitting())
    placement_request = helpers.draft(world, lot, age=None)

    failed = officer.post(url("request_publish", placement_request.pk))
    values = {**failed.context["form"].data, "age": "14", "then": "publish"}
    saved = officer.post(url("request_edit", placement_request.pk), values)
    published = officer.post(url("request_publish", placement_request.pk))

    assert failed.status_code == 400
    assert "Save and continue to publish" in text(failed)
    assert saved.status_code == 302
    assert saved["Location"] == url("request_publish", placement_request.pk)
    assert published.status_code == 302
    placement_request.refresh_from_db()
    assert placement_request.status == Status.OPEN
    assert placement_request.age == 14


# --- The API ------------------------------------------------------------------------------


@pytest.fixture
def key_a(world, api_key_for):
    return api_key_for(world.borough_a)


def test_the_api_refuses_to_publish_to_nobody_and_says_why(client, world, nobody, key_a):
    path = f"/requests/{nobody.pk}/publish/"

    refused = api_post(client, path, {}, key_a)

    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    body = refused.json()
    assert list(body["errors"]) == ["confirm_no_eligible"]
    assert body["errors"]["confirm_no_eligible"][0].startswith("No provider would be invited.")
    assert "no service meets “Emotional and mental health” at score 3: 1" in body["detail"]
    assert body["invited"] == 0
    assert {row["reason"]: row["count"] for row in body["not_invited"]} == {
        "area": 1,
        "needs": 1,
        "vacancy": 1,
    }
    assert body["unmet_needs"] == [
        {"need": "emotional_health", "label": "Emotional and mental health", "score": 3, "count": 1}
    ]
    nobody.refresh_from_db()
    assert nobody.status == Status.DRAFT

    published = api_post(client, path, {"confirm_no_eligible": True}, key_a)

    assert published.status_code == 200, published.content
    assert published.json()["invited"] == 0
    nobody.refresh_from_db()
    assert nobody.status == Status.OPEN


def test_the_api_refuses_a_confirmation_that_is_not_a_yes_or_no(client, world, nobody, key_a):
    refused = api_post(
        client, f"/requests/{nobody.pk}/publish/", {"confirm_no_eligible": "perhaps"}, key_a
    )

    assert refused.status_code == 400
    assert "confirm_no_eligible" in refused.json()["errors"]
    nobody.refresh_from_db()
    assert nobody.status == Status.DRAFT


def test_the_api_answer_counts_the_needs_that_stopped_providers(client, world, lot, key_a):
    provider(lot, "fits", fitting())
    provider(lot, "light-touch", fitting(needs_met=SHORT_OF_EMOTIONAL))
    placement_request = helpers.draft(world, lot)

    response = api_post(client, f"/requests/{placement_request.pk}/publish/", {}, key_a)

    assert response.status_code == 200
    assert response.json()["invited"] == 1
    assert response.json()["unmet_needs"][0]["need"] == "emotional_health"


# --- Who may publish to nobody -------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer_b", "bidder_a", "provider_admin_b"])
def test_others_cannot_publish_the_boroughs_request_to_nobody(client, world, nobody, persona):
    client.force_login(getattr(world, persona))

    response = client.post(url("request_publish", nobody.pk), {"confirm_no_eligible": "on"})

    assert response.status_code in (403, 404)
    if persona == "officer_b":
        assert response.status_code == 404  # another borough's request: not found
    nobody.refresh_from_db()
    assert nobody.status == Status.DRAFT


def test_an_anonymous_visitor_cannot_publish_to_nobody(client, world, nobody):
    response = client.post(url("request_publish", nobody.pk), {"confirm_no_eligible": "on"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    nobody.refresh_from_db()
    assert nobody.status == Status.DRAFT


def test_other_tenants_cannot_publish_to_nobody_over_the_api(client, world, nobody, api_key_for):
    path = f"/requests/{nobody.pk}/publish/"
    body = {"confirm_no_eligible": True}

    other_borough = api_post(client, path, body, api_key_for(world.borough_b))
    provider_key = api_post(client, path, body, api_key_for(world.provider_a))
    anonymous = client.post(API + path, json.dumps(body), content_type="application/json")

    assert other_borough.status_code == 404
    assert provider_key.status_code == 403
    assert anonymous.status_code == 401
    nobody.refresh_from_db()
    assert nobody.status == Status.DRAFT
