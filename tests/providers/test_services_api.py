"""The services API: a provider writes its own services and vacancies; boroughs read those
of providers actively enrolled on their consortium's lots."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import EnrolmentFactory, LotFactory, ServiceFactory

LIST = "/api/v1/services/"
NEW = {
    "service_type": "fostering",
    "name": "Alpha Fostering",
    "registered_places": 10,
    "age_min": 0,
    "age_max": 17,
    "postcode": "me14 1xx",
    "needs_met": {"physical_health": 2},
    "specialisms": ["siblings"],
}


@pytest.fixture(autouse=True)
def no_recompute(monkeypatch):
    monkeypatch.setattr(
        "providers.services.quality.quality_score_recompute", lambda *, provider, trigger: None
    )


def api(client, method, path, key, data=None):
    call = getattr(client, method)
    if data is None:
        return call(path, HTTP_AUTHORIZATION=key)
    return call(path, data, content_type="application/json", HTTP_AUTHORIZATION=key)


def test_a_providers_write_key_adds_and_changes_its_services(client, world, api_key_for):
    key = api_key_for(world.provider_a)

    created = api(client, "post", LIST, key, NEW)
    pk = created.json()["id"]
    changed = api(client, "patch", f"{LIST}{pk}/", key, {"registered_places": 12})

    assert created.status_code == 201, created.content
    assert created.json()["postcode_district"] == "ME14"
    assert created.json()["postcode"] == "ME14 1XX"
    assert created.json()["provider"] == world.provider_a.pk
    assert created.json()["ofsted_rating"] == "not_yet_inspected"
    assert changed.status_code == 200
    assert changed.json()["registered_places"] == 12
    assert changed.json()["needs_met"] == {"physical_health": 2}


def test_invalid_input_is_a_problem_with_field_errors(client, world, api_key_for):
    key = api_key_for(world.provider_a)

    bad_type = api(client, "post", LIST, key, {**NEW, "registered_places": "many"})
    bad_rule = api(client, "post", LIST, key, {**NEW, "age_min": 17, "age_max": 3})
    bad_need = api(client, "post", LIST, key, {**NEW, "needs_met": {"flying": 1}})

    assert bad_type.status_code == 400
    assert "registered_places" in bad_type.json()["errors"]
    assert bad_rule.status_code == 400
    assert bad_rule["Content-Type"] == "application/problem+json"
    assert "age_max" in bad_rule.json()["errors"]
    assert "needs_met" in bad_need.json()["errors"]


def test_a_read_only_key_cannot_write(client, world, api_key_for):
    service = ServiceFactory(provider=world.provider_a)
    key = api_key_for(world.provider_a, can_write=False)

    assert api(client, "get", LIST, key).status_code == 200
    assert api(client, "post", LIST, key, NEW).status_code == 403
    assert api(client, "patch", f"{LIST}{service.pk}/", key, {"name": "X"}).status_code == 403
    vacancies = f"{LIST}{service.pk}/vacancies/"
    assert api(client, "post", vacancies, key, {"vacancies": 1}).status_code == 403


def test_setting_vacancies_stamps_the_time_and_clears_the_stale_flag(client, world, api_key_for):
    service = ServiceFactory(provider=world.provider_a, registered_places=3)
    key = api_key_for(world.provider_a)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    with time_machine.travel(now, tick=False):
        before = api(client, "get", f"{LIST}{service.pk}/", key).json()
        response = api(client, "post", f"{LIST}{service.pk}/vacancies/", key, {"vacancies": 2})
        too_many = api(client, "post", f"{LIST}{service.pk}/vacancies/", key, {"vacancies": 4})

    assert before["vacancies_stale"] is True
    assert response.status_code == 200
    assert response.json()["vacancies"] == 2
    assert response.json()["vacancies_stale"] is False
    assert response.json()["vacancies_updated_at"].startswith("2026-03-02T09:00:00")
    assert too_many.status_code == 400
    assert "vacancies" in too_many.json()["errors"]


def test_another_provider_can_neither_read_nor_write_the_service(client, world, api_key_for):
    service = ServiceFactory(provider=world.provider_a, name="Alpha Lodge")
    key = api_key_for(world.provider_b)

    listing = api(client, "get", LIST, key)
    read = api(client, "get", f"{LIST}{service.pk}/", key)
    write = api(client, "patch", f"{LIST}{service.pk}/", key, {"name": "Taken"})
    vacancies = api(client, "post", f"{LIST}{service.pk}/vacancies/", key, {"vacancies": 1})

    assert listing.json()["results"] == []
    assert (read.status_code, write.status_code, vacancies.status_code) == (404, 404, 404)
    service.refresh_from_db()
    assert service.name == "Alpha Lodge"


@pytest.fixture
def enrolled(world):
    """Provider A actively enrolled on a lot of the personas' consortium; provider B
    enrolled but suspended."""
    lot = LotFactory(consortium=world.consortium)
    EnrolmentFactory(provider=world.provider_a, lot=lot, status="active")
    EnrolmentFactory(provider=world.provider_b, lot=lot, status="suspended")
    return lot


def test_a_borough_reads_only_actively_enrolled_providers_active_services(
    client, world, api_key_for, enrolled
):
    ServiceFactory(
        provider=world.provider_a,
        name="Alpha Lodge",
        vacancies=1,
        vacancies_updated_at=datetime.now(UTC) - timedelta(days=20),
    )
    ServiceFactory(provider=world.provider_a, name="Alpha Closed", is_active=False)
    ServiceFactory(provider=world.provider_b, name="Bravo Home")
    key = api_key_for(world.borough_a)

    results = api(client, "get", LIST, key).json()["results"]

    assert [s["name"] for s in results] == ["Alpha Lodge"]
    assert results[0]["vacancies"] == 1
    assert results[0]["vacancies_stale"] is True
    assert results[0]["vacancies_updated_at"] is not None


def test_a_borough_cannot_write_an_enrolled_providers_services(
    client, world, api_key_for, enrolled
):
    service = ServiceFactory(provider=world.provider_a, name="Alpha Lodge", registered_places=3)
    key = api_key_for(world.borough_a)

    assert api(client, "get", f"{LIST}{service.pk}/", key).status_code == 200
    assert api(client, "post", LIST, key, NEW).status_code == 403
    assert api(client, "patch", f"{LIST}{service.pk}/", key, {"name": "X"}).status_code == 403
    vacancies = f"{LIST}{service.pk}/vacancies/"
    assert api(client, "post", vacancies, key, {"vacancies": 1}).status_code == 403


def test_a_borough_of_another_consortium_sees_nothing(client, world, api_key_for, enrolled):
    from tests.factories import BoroughFactory

    ServiceFactory(provider=world.provider_a, name="Alpha Lodge")
    elsewhere = BoroughFactory(slug="elsewhere")

    results = api(client, "get", LIST, api_key_for(elsewhere)).json()["results"]

    assert results == []


def test_a_bidder_signed_in_can_read_but_not_write(client, world):
    service = ServiceFactory(provider=world.provider_a)
    client.force_login(world.bidder_a)

    read = client.get(f"{LIST}{service.pk}/")
    write = client.patch(f"{LIST}{service.pk}/", {"name": "X"}, content_type="application/json")

    assert read.status_code == 200
    assert write.status_code == 403
