"""The directory over the API: /api/v1/providers/ and /api/v1/providers/{id}/."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from providers.services.quality import quality_score_recompute
from tests.api.conftest import assert_problem
from tests.factories import (
    BoroughFactory,
    ConsortiumFactory,
    DocumentFactory,
    EnrolmentFactory,
    LotFactory,
    ProviderFactory,
    ServiceFactory,
)

LIST = reverse("api:providers:providers")


def detail(provider):
    return reverse("api:providers:provider", args=[provider.pk])


@pytest.fixture
def market(world):
    lot = LotFactory(consortium=world.consortium, code="homes")
    EnrolmentFactory(provider=world.provider_a, lot=lot)
    EnrolmentFactory(provider=world.provider_b, lot=lot, status="suspended")
    elsewhere = ProviderFactory(name="Elsewhere Care")
    EnrolmentFactory(provider=elsewhere, lot=LotFactory(consortium=ConsortiumFactory()))
    ServiceFactory(
        provider=world.provider_a,
        name="Alpha House",
        ofsted_rating="outstanding",
        registered_places=3,
        vacancies=2,
        local_authority="Kent",
        needs_met={"identity": 2},
    )
    DocumentFactory(
        provider=world.provider_a,
        document_type="public_liability",
        expires_on=timezone.localdate() + timedelta(days=200),
        original_name="alpha-policy.pdf",
    )
    for provider in (world.provider_a, elsewhere):
        quality_score_recompute(provider=provider, trigger="enrolled")
    return {"lot": lot, "elsewhere": elsewhere}


def test_a_case_system_lists_its_consortiums_enrolled_providers_with_their_scores(
    world, client, api_key_for, market
):
    response = client.get(LIST, HTTP_AUTHORIZATION=api_key_for(world.borough_a, can_write=False))

    assert response.status_code == 200
    (alpha,) = response.json()["results"]
    # 40 x 100 + 30 x 50 + 20 x (1/6 x 100 = 16.67) + 10 x 50 = 4000 + 1500 + 333.4 + 500
    assert alpha == {
        "id": world.provider_a.pk,
        "name": "Alpha Care",
        "lots": [{"id": market["lot"].pk, "code": "homes", "name": market["lot"].name}],
        "services_count": 1,
        "vacancies_total": 2,
        "quality_score": "63.33",
        "quality_score_computed_at": alpha["quality_score_computed_at"],
    }


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("?area=Kent", 1),
        ("?need=identity&need_score=2", 1),
        ("?need=identity&need_score=3", 0),
        ("?rating=good", 0),
        ("?has_vacancies=true", 1),
    ],
)
def test_the_list_filters_like_the_page(world, client, api_key_for, market, query, count):
    response = client.get(LIST + query, HTTP_AUTHORIZATION=api_key_for(world.borough_b))

    assert len(response.json()["results"]) == count


def test_a_bad_filter_is_a_400_with_field_errors(world, client, api_key_for, market):
    response = client.get(
        LIST + "?need=flying&need_score=9", HTTP_AUTHORIZATION=api_key_for(world.borough_a)
    )

    body = assert_problem(response, 400)
    assert set(body["errors"]) == {"need", "need_score"}


def test_the_detail_has_services_score_breakdown_and_documents_status(
    world, client, api_key_for, market
):
    response = client.get(detail(world.provider_a), HTTP_AUTHORIZATION=api_key_for(world.borough_a))

    body = response.json()
    assert [s["name"] for s in body["services"]] == ["Alpha House"]
    assert body["services"][0]["vacancies_stale"] is True
    assert body["score"]["total"] == "63.33"
    parts = {p["name"]: p for p in body["score"]["breakdown"]}
    assert parts["outcomes"]["basis"] == "Neutral until contract monitoring data exists."
    assert parts["compliance"]["value"] == "16.67"
    assert parts["compliance"]["contribution"] == "3.33"
    statuses = {d["type"]: d["status"] for d in body["documents"]}
    assert statuses["public_liability"] == "current"
    assert statuses["dps_terms"] == "missing"
    assert "alpha-policy" not in response.content.decode()


def test_the_consortium_admin_reads_the_directory_over_the_api(world, client, market):
    client.force_login(world.admin)

    assert [p["name"] for p in client.get(LIST).json()["results"]] == ["Alpha Care"]


def test_providers_not_actively_enrolled_here_are_not_found(world, client, api_key_for, market):
    key = api_key_for(world.borough_a)

    for provider in (world.provider_b, market["elsewhere"]):
        assert_problem(client.get(detail(provider), HTTP_AUTHORIZATION=key), 404)


def test_another_consortiums_case_system_sees_none_of_them(client, api_key_for, market, world):
    key = api_key_for(BoroughFactory(consortium=ConsortiumFactory()))

    assert client.get(LIST, HTTP_AUTHORIZATION=key).json()["results"] == []
    assert_problem(client.get(detail(world.provider_a), HTTP_AUTHORIZATION=key), 404)


def test_providers_are_refused_the_directory_api(world, client, api_key_for, market):
    key = api_key_for(world.provider_a)

    assert_problem(client.get(LIST, HTTP_AUTHORIZATION=key), 403)
    assert_problem(client.get(detail(world.provider_a), HTTP_AUTHORIZATION=key), 403)


def test_the_directory_api_is_read_only(world, client, api_key_for, market):
    key = api_key_for(world.borough_a)

    response = client.post(LIST, {}, content_type="application/json", HTTP_AUTHORIZATION=key)

    assert_problem(response, 405)


def test_the_area_and_lot_choices_are_the_callers_even_once_the_schema_has_been_built(
    world, client, api_key_for, market
):
    from providers.api.directory import DirectoryApiFilter

    # Building the OpenAPI document builds (and caches) the filters' fields, empty choices
    # and all; the caller's choices must still apply.
    DirectoryApiFilter.base_filters["area"].field  # noqa: B018
    DirectoryApiFilter.base_filters["lot"].field  # noqa: B018
    key = api_key_for(world.borough_a)

    by_area = client.get(LIST + "?area=Kent", HTTP_AUTHORIZATION=key)
    by_lot = client.get(LIST + f"?lot={market['lot'].pk}", HTTP_AUTHORIZATION=key)

    assert [p["name"] for p in by_area.json()["results"]] == ["Alpha Care"]
    assert [p["name"] for p in by_lot.json()["results"]] == ["Alpha Care"]
