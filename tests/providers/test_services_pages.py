"""The services pages: a provider admin adds and changes its services, bidders look."""

import re

import pytest
from django.urls import reverse

from providers.models import Service
from tests.factories import ServiceFactory

FORM = {
    "service_type": "childrens_home",
    "name": "Hillside",
    "ofsted_urn": "SC123456",
    "ofsted_rating": "good",
    "inspection_date": "27/03/2025",
    "registered_places": "4",
    "age_min": "8",
    "age_max": "17",
    "genders": "any",
    "postcode": "nb1 2ab",
    "need_physical_health": "3",
    "need_identity": "1",
    "need_self_care": "",
    "specialisms": ["autism", "cse"],
}


@pytest.fixture(autouse=True)
def no_recompute(monkeypatch):
    monkeypatch.setattr(
        "providers.services.quality.quality_score_recompute", lambda *, provider, trigger: None
    )


def test_adding_a_service_stores_the_needs_it_meets_and_its_specialisms(client, world):
    client.force_login(world.provider_admin_a)

    response = client.post(reverse("providers:service_create"), FORM)

    service = Service.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("providers:service", args=[service.pk])
    assert service.provider == world.provider_a
    assert service.needs_met == {"physical_health": 3, "identity": 1}
    assert service.specialisms == ["autism", "cse"]
    assert (service.postcode, service.postcode_district) == ("NB1 2AB", "NB1")


def test_the_service_form_neither_offers_nor_takes_the_ofsted_rating(client, world):
    service = ServiceFactory(provider=world.provider_a, ofsted_rating="inadequate")
    client.force_login(world.provider_admin_a)
    url = reverse("providers:service_edit", args=[service.pk])

    page = client.get(url).content.decode()
    # FORM sends a rating of "good" and an inspection date, as a crafted POST could.
    response = client.post(url, FORM)

    assert 'name="ofsted_rating"' not in page
    assert 'name="inspection_date"' not in page
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.name == "Hillside"
    assert (service.ofsted_rating, service.inspection_date) == ("inadequate", None)


def test_the_edit_form_shows_the_needs_as_saved_and_saves_them_back(client, world):
    service = ServiceFactory(
        provider=world.provider_a,
        needs_met={"emotional_health": 2, "setting_goals": 3},
        specialisms=["solo"],
        postcode="SE1 7PB",
    )
    client.force_login(world.provider_admin_a)
    url = reverse("providers:service_edit", args=[service.pk])

    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in {**form.initial}.items()
        if value is not None and name != "inspection_date"
    }
    response = client.post(url, data)

    assert form["need_emotional_health"].value() == "2"
    assert form["need_setting_goals"].value() == "3"
    assert form["need_physical_health"].value() in (None, "")
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.needs_met == {"emotional_health": 2, "setting_goals": 3}
    assert service.specialisms == ["solo"]


def test_the_needs_are_grouped_by_domain_with_the_four_choices(client, world):
    client.force_login(world.provider_admin_a)

    page = client.get(reverse("providers:service_create")).content.decode()

    assert page.count('<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Be ') == 6
    for choice in ("Cannot meet", "Up to 1", "Up to 2", "Up to 3"):
        assert f">{choice}</option>" in page


def test_errors_are_shown_govuk_style_and_nothing_typed_is_lost(client, world):
    client.force_login(world.provider_admin_a)

    response = client.post(
        reverse("providers:service_create"),
        {**FORM, "age_min": "16", "age_max": "10", "postcode": "SE1 7P"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert 'href="#id_age_max"' in page
    assert 'href="#id_postcode"' in page
    assert "Enter a full UK postcode, like SE1 7PB." in page
    assert "The oldest age must not be below the youngest." in page
    assert 'value="Hillside"' in page
    assert '<option value="3" selected>Up to 3</option>' in page
    assert re.search(r'value="autism" class="govuk-checkboxes__input" id="\w+" checked', page)
    assert not Service.objects.exists()


def test_places_below_the_vacancies_are_refused_beside_the_field(client, world):
    service = ServiceFactory(provider=world.provider_a, registered_places=4, vacancies=3)
    client.force_login(world.provider_admin_a)

    response = client.post(
        reverse("providers:service_edit", args=[service.pk]),
        {**FORM, "registered_places": "2"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["registered_places"]
    service.refresh_from_db()
    assert service.registered_places == 4


def test_a_bidder_sees_the_services_but_cannot_change_them(client, world):
    service = ServiceFactory(provider=world.provider_a, name="Hillside")
    client.force_login(world.bidder_a)

    listing = client.get(reverse("providers:services"))
    detail = client.get(reverse("providers:service", args=[service.pk]))
    edit = client.post(reverse("providers:service_edit", args=[service.pk]), FORM)

    assert "Hillside" in listing.content.decode()
    assert "Add a service" not in listing.content.decode()
    assert detail.status_code == 200
    assert "Change details" not in detail.content.decode()
    assert edit.status_code == 403


def test_a_service_is_deactivated_after_confirming_and_can_be_reactivated(client, world):
    service = ServiceFactory(provider=world.provider_a, name="Hillside", vacancies=1)
    client.force_login(world.provider_admin_a)
    deactivate = reverse("providers:service_deactivate", args=[service.pk])

    confirm = client.get(deactivate)
    client.post(deactivate)
    service.refresh_from_db()
    assert "Deactivate Hillside?" in confirm.content.decode()
    assert not service.is_active

    client.post(reverse("providers:service_reactivate", args=[service.pk]))
    service.refresh_from_db()
    assert service.is_active


def test_the_navigation_offers_services_and_vacancies_to_providers_and_the_import_to_admins(
    client, world
):
    client.force_login(world.bidder_a)
    provider_nav = [item["label"] for item in client.get("/").context["nav_items"]]
    client.force_login(world.admin)
    admin_nav = [item["label"] for item in client.get("/").context["nav_items"]]

    assert {"Services", "Vacancies"} <= set(provider_nav)
    assert "Ofsted import" in admin_nav
    assert "Services" not in admin_nav
