"""The borough directory: enrolled providers of the consortium, filtered, sorted, paginated;
a provider's page; and nobody else's providers."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dps.models import Role
from providers.services.quality import quality_score_recompute
from tests.conftest import person
from tests.factories import (
    BoroughFactory,
    ConsortiumFactory,
    DocumentFactory,
    EnrolmentFactory,
    LotFactory,
    ProviderFactory,
    ServiceFactory,
)

URL = reverse("providers:directory")


@pytest.fixture
def market(world):
    """Three providers on the test consortium's lots, one suspended, one of another
    consortium, one that never enrolled."""
    homes = LotFactory(consortium=world.consortium, name="Children's homes", code="homes")
    fostering = LotFactory(consortium=world.consortium, name="Fostering", code="fostering")
    a, b = world.provider_a, world.provider_b
    c = ProviderFactory(name="Cedar Care", slug="cedar")
    EnrolmentFactory(provider=a, lot=homes)
    EnrolmentFactory(provider=b, lot=fostering)
    EnrolmentFactory(provider=c, lot=homes)
    EnrolmentFactory(provider=ProviderFactory(name="Dormant Care"), lot=homes, status="suspended")
    elsewhere = ProviderFactory(name="Elsewhere Care")
    EnrolmentFactory(provider=elsewhere, lot=LotFactory(consortium=ConsortiumFactory()))
    ProviderFactory(name="Never Enrolled Care")

    ServiceFactory(
        provider=a,
        name="Alpha House",
        service_type="childrens_home",
        ofsted_rating="good",
        registered_places=4,
        vacancies=1,
        local_authority="Kent",
        needs_met={"emotional_health": 3, "self_care": 1},
    )
    ServiceFactory(
        provider=b,
        name="Bravo Fostering",
        service_type="fostering",
        ofsted_rating="outstanding",
        registered_places=6,
        vacancies=0,
        local_authority="Surrey",
        needs_met={"emotional_health": 2},
    )
    ServiceFactory(
        provider=c,
        name="Cedar Lodge",
        service_type="childrens_home",
        ofsted_rating="inadequate",
        registered_places=2,
        vacancies=2,
        local_authority="Surrey",
        needs_met={"self_care": 3},
    )
    for provider in (a, b, c, elsewhere):
        quality_score_recompute(provider=provider, trigger="enrolled")
    return {"homes": homes, "fostering": fostering, "cedar": c}


def names(client, query=""):
    response = client.get(URL + query)
    assert response.status_code == 200, response.content[:300]
    return [p.name for p in response.context["page"]]


def test_boroughs_see_the_active_enrolled_providers_of_their_consortium_by_score(
    world, client, market
):
    client.force_login(world.officer_a)

    # Scores: Bravo 40x100+15+0+5 = 60, Alpha 40x75 = 30+20 = 50, Cedar 0+20 = 20.
    assert names(client) == ["Bravo Care", "Alpha Care", "Cedar Care"]


def test_it_sorts_by_name_on_request(world, client, market):
    client.force_login(world.commissioner_b)

    assert names(client, "?sort=name") == ["Alpha Care", "Bravo Care", "Cedar Care"]


def test_the_consortium_admin_browses_the_directory_too(world, client, market):
    client.force_login(world.admin)

    assert names(client) == ["Bravo Care", "Alpha Care", "Cedar Care"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?lot={homes}", ["Alpha Care", "Cedar Care"]),
        ("?service_type=fostering", ["Bravo Care"]),
        ("?area=Surrey", ["Bravo Care", "Cedar Care"]),
        ("?need=emotional_health", ["Bravo Care", "Alpha Care"]),
        ("?need=emotional_health&need_score=3", ["Alpha Care"]),
        ("?need=self_care&need_score=2", ["Cedar Care"]),
        ("?rating=inadequate", ["Cedar Care"]),
        ("?has_vacancies=on", ["Alpha Care", "Cedar Care"]),
        # Service filters apply to one service together: no Surrey children's home is Good.
        ("?area=Surrey&service_type=childrens_home", ["Cedar Care"]),
        ("?area=Surrey&service_type=childrens_home&rating=good", []),
        ("?lot={fostering}&has_vacancies=on", []),
    ],
)
def test_the_directory_filters(world, client, market, query, expected):
    client.force_login(world.officer_a)
    query = query.format(homes=market["homes"].pk, fostering=market["fostering"].pk)

    assert names(client, query) == expected


def test_a_bad_filter_value_is_a_form_error_not_a_server_error(world, client, market):
    client.force_login(world.officer_a)

    response = client.get(URL + "?rating=brilliant&need=flying&lot=abc")

    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()


def test_a_lot_of_another_consortium_is_not_a_choice(world, client, market):
    other_lot = LotFactory(consortium=ConsortiumFactory())
    client.force_login(world.officer_a)

    assert client.get(URL + f"?lot={other_lot.pk}").status_code == 400


def test_the_directory_is_paginated_in_a_constant_number_of_queries(world, client, market):
    lot = market["homes"]
    for n in range(30):
        provider = ProviderFactory(name=f"Zeta Care {n:02}")
        EnrolmentFactory(provider=provider, lot=lot)
        ServiceFactory(provider=provider)
    client.force_login(world.officer_a)
    client.get(URL)  # warm up the session and middleware

    with CaptureQueriesContext(connection) as few:
        client.get(URL + "?page=2")
    for n in range(30, 40):
        provider = ProviderFactory(name=f"Zeta Care {n:02}")
        EnrolmentFactory(provider=provider, lot=lot)
        ServiceFactory(provider=provider)
    with CaptureQueriesContext(connection) as many:
        page = client.get(URL).content.decode()

    assert len(many) == len(few)
    assert "Page 1 of 2" in page


def test_boroughs_of_another_consortium_see_none_of_these_providers(world, client, market):
    foreign = BoroughFactory(consortium=ConsortiumFactory(name="Far Consortium"))
    client.force_login(person("officer@far.test", foreign, Role.PLACEMENT_OFFICER))

    assert names(client) == []
    response = client.get(reverse("providers:directory_provider", args=[world.provider_a.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["provider_admin_a", "bidder_b"])
def test_providers_are_refused_the_directory(world, client, market, persona):
    client.force_login(getattr(world, persona))

    assert client.get(URL).status_code == 403
    response = client.get(reverse("providers:directory_provider", args=[world.provider_a.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["Dormant Care", "Elsewhere Care", "Never Enrolled Care"])
def test_a_provider_not_actively_enrolled_here_has_no_page(world, client, market, name):
    from dps.models import Organisation

    provider = Organisation.objects.get(name=name)
    client.force_login(world.officer_a)

    response = client.get(reverse("providers:directory_provider", args=[provider.pk]))

    assert response.status_code == 404


def test_the_provider_page_shows_services_score_and_documents_status_but_no_files(
    world, client, market
):
    cedar = market["cedar"]
    lodge = cedar.services.get()
    lodge.vacancies_updated_at = timezone.now() - timedelta(days=15)
    lodge.save()
    ServiceFactory(
        provider=cedar, name="Cedar Fresh", vacancies_updated_at=timezone.now() - timedelta(days=2)
    )
    today = timezone.localdate()
    DocumentFactory(
        provider=cedar,
        document_type="public_liability",
        expires_on=today + timedelta(days=400),
        original_name="cedar-secret-policy.pdf",
    )
    DocumentFactory(
        provider=cedar, document_type="employers_liability", expires_on=today + timedelta(days=10)
    )
    DocumentFactory(provider=cedar, document_type="dps_terms", expires_on=today - timedelta(days=1))
    client.force_login(world.officer_b)

    page = client.get(reverse("providers:directory_provider", args=[cedar.pk])).content.decode()

    assert "Cedar Lodge" in page
    assert "Cedar Fresh" in page
    assert page.count("Out of date") == 1
    assert "Inadequate" in page
    assert "Neutral until contract monitoring data exists." in page
    for status in ("Current", "Expiring soon", "Expired", "Missing"):
        assert status in page
    assert "cedar-secret-policy" not in page
    assert "/documents/" not in page


def test_a_vacancy_figure_older_than_14_days_is_flagged(world, client, market):
    lodge = market["cedar"].services.get()
    with time_machine.travel(date(2026, 3, 1)):
        lodge.vacancies_updated_at = timezone.now()
        lodge.save()
    path = reverse("providers:directory_provider", args=[market["cedar"].pk])

    with time_machine.travel(date(2026, 3, 14)):
        client.force_login(world.officer_a)
        assert "Out of date" not in client.get(path).content.decode()
    with time_machine.travel(date(2026, 3, 16)):
        client.force_login(world.officer_a)
        assert "Out of date" in client.get(path).content.decode()


@pytest.mark.parametrize(
    ("persona", "links"),
    [
        ("officer_a", ["providers:directory"]),
        ("admin", ["providers:directory", "providers:quality_weights"]),
        ("bidder_a", ["providers:quality_score"]),
    ],
)
def test_home_and_navigation_link_to_the_directory_and_quality_pages(world, client, persona, links):
    client.force_login(getattr(world, persona))

    page = client.get(reverse("home")).content.decode()

    for name in links:
        assert page.count(f'href="{reverse(name)}"') == 2  # in the navigation and on the page
    if persona == "bidder_a":
        assert f'href="{URL}"' not in page


def test_the_filters_offer_the_consortiums_lots_and_the_listed_providers_areas(
    world, client, market
):
    LotFactory(consortium=ConsortiumFactory(), name="Foreign lot")
    client.force_login(world.officer_a)

    form = client.get(URL).context["filter"].form

    assert [label for _, label in form.fields["lot"].choices] == [
        "Any lot",
        "Children's homes",
        "Fostering",
    ]
    assert [label for _, label in form.fields["area"].choices] == ["Any area", "Kent", "Surrey"]


def test_scores_show_with_two_decimal_places(world, client, market):
    client.force_login(world.officer_a)

    page = client.get(URL).content.decode()

    assert "<strong>60.00</strong>" in page
