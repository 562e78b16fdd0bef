"""Quality score snapshots over the API: /api/v1/quality-scores/."""

import pytest
from django.urls import reverse

from providers.services.quality import quality_score_recompute
from tests.api.conftest import assert_problem
from tests.factories import (
    BoroughFactory,
    ConsortiumFactory,
    EnrolmentFactory,
    LotFactory,
    ServiceFactory,
)

URL = reverse("api:providers:quality-scores")


@pytest.fixture
def scores(world):
    lot = LotFactory(consortium=world.consortium)
    EnrolmentFactory(provider=world.provider_a, lot=lot)
    EnrolmentFactory(provider=world.provider_b, lot=lot)
    other = ConsortiumFactory(name="Other Consortium")
    EnrolmentFactory(provider=world.provider_a, lot=LotFactory(consortium=other))
    ServiceFactory(provider=world.provider_a, ofsted_rating="good", registered_places=2)
    for provider in (world.provider_a, world.provider_b):
        quality_score_recompute(provider=provider, trigger="enrolled")
    return {"other": other}


def listed(client, key, query=""):
    response = client.get(URL + query, HTTP_AUTHORIZATION=key)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_provider_sees_only_its_own_scores_with_every_consortium(
    world, client, api_key_for, scores
):
    results = listed(client, api_key_for(world.provider_a))

    assert {(r["provider_name"], r["consortium_name"]) for r in results} == {
        ("Alpha Care", "Test Consortium"),
        ("Alpha Care", "Other Consortium"),
    }
    score = next(r for r in results if r["consortium_name"] == "Test Consortium")
    assert score["weights"] == {
        "inspection": 40,
        "outcomes": 30,
        "compliance": 20,
        "responsiveness": 10,
    }
    assert score["inputs"]["inspection"]["services"][0]["rating"] == "good"
    assert [p["name"] for p in score["breakdown"]] == [
        "inspection",
        "outcomes",
        "compliance",
        "responsiveness",
    ]
    # A provider cannot reach another's scores by filtering.
    assert listed(client, api_key_for(world.provider_a), f"?provider={world.provider_b.pk}") == []


def test_a_borough_sees_its_consortiums_scores_of_enrolled_providers_only(
    world, client, api_key_for, scores
):
    results = listed(client, api_key_for(world.borough_a))

    assert {(r["provider_name"], r["consortium_name"]) for r in results} == {
        ("Alpha Care", "Test Consortium"),
        ("Bravo Care", "Test Consortium"),
    }
    only_b = listed(client, api_key_for(world.borough_a), f"?provider={world.provider_b.pk}")
    assert [r["provider_name"] for r in only_b] == ["Bravo Care"]


def test_a_borough_of_another_consortium_sees_none_of_them(client, api_key_for, scores):
    key = api_key_for(BoroughFactory(consortium=ConsortiumFactory()))

    assert listed(client, key) == []


def test_a_bad_provider_filter_is_a_400(world, client, api_key_for, scores):
    response = client.get(URL + "?provider=abc", HTTP_AUTHORIZATION=api_key_for(world.borough_a))

    assert_problem(response, 400)


def test_anonymous_callers_are_refused(client, scores):
    assert client.get(URL).status_code in (401, 403)
