"""The service functions of the services part: the rules a service's details must meet, what
they audit, and when they recompute the quality score."""

import pytest
from django.core.exceptions import PermissionDenied

from dps.models import AuditEvent
from dps.services import DomainError
from dps.tenancy import Actor
from providers.models import Service
from providers.services.services import (
    service_create,
    service_set_active,
    service_update,
    vacancies_update,
)
from tests.factories import ServiceFactory


def actor_of(user):
    return Actor.for_membership(user.memberships.get())


VALID = {
    "service_type": "childrens_home",
    "name": "Hillside",
    "ofsted_urn": "sc 123456",
    "registered_places": 4,
    "age_min": 8,
    "age_max": 17,
    "postcode": "se17pb",
}


@pytest.fixture
def recomputed(monkeypatch):
    """The providers whose quality score was recomputed, with the trigger."""
    calls = []
    monkeypatch.setattr(
        "providers.services.quality.quality_score_recompute",
        lambda *, provider, trigger: calls.append((provider, trigger)),
    )
    return calls


def test_a_provider_admin_adds_a_service_normalised_audited_and_scored(world, recomputed):
    service = service_create(actor=actor_of(world.provider_admin_a), **VALID)

    assert service.provider == world.provider_a
    assert (service.ofsted_urn, service.postcode, service.postcode_district) == (
        "SC123456",
        "SE1 7PB",
        "SE1",
    )
    assert AuditEvent.objects.filter(action="service.created", object_id=str(service.pk)).exists()
    assert recomputed == [(world.provider_a, "service.changed")]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"age_min": 12, "age_max": 10}, "age_max"),
        ({"postcode": "SE1"}, "postcode"),
        ({"postcode": "12AB 7PB"}, "postcode"),
        ({"postcode": "not a postcode at all"}, "postcode"),
        ({"postcode_district": "SE1"}, "postcode_district"),
        ({"local_authority": "Lambeth"}, "local_authority"),
        ({"needs_met": {"not_a_need": 2}}, "needs_met"),
        ({"needs_met": {"physical_health": 4}}, "needs_met"),
        ({"specialisms": ["juggling"]}, "specialisms"),
    ],
)
def test_it_refuses_invalid_details(world, recomputed, changes, field):
    with pytest.raises(DomainError) as refused:
        service_create(actor=actor_of(world.provider_admin_a), **{**VALID, **changes})

    assert refused.value.field == field
    assert not Service.objects.exists()
    assert recomputed == []


@pytest.mark.parametrize(
    ("postcode", "district"),
    [
        ("n1 9gu", "N1"),
        ("W1A 1AA", "W1A"),
        ("sw1a2aa", "SW1A"),
        ("GU14 6AA", "GU14"),
        ("M60 1QD", "M60"),
        ("EC1V 9HX", "EC1V"),
        ("b33 8th", "B33"),
    ],
)
def test_it_accepts_every_shape_of_postcode_and_derives_its_district(
    world, recomputed, postcode, district
):
    service = service_create(
        actor=actor_of(world.provider_admin_a), **{**VALID, "postcode": postcode}
    )

    assert service.postcode_district == district
    assert service.postcode == f"{district} {postcode.replace(' ', '')[-3:].upper()}"


@pytest.mark.parametrize(
    ("field", "value"), [("ofsted_rating", "outstanding"), ("inspection_date", "2025-02-01")]
)
def test_it_refuses_a_rating_or_inspection_date_from_the_provider(world, recomputed, field, value):
    service = ServiceFactory(provider=world.provider_a, ofsted_rating="inadequate")
    admin = actor_of(world.provider_admin_a)

    with pytest.raises(DomainError) as on_create:
        service_create(actor=admin, **{**VALID, field: value})
    with pytest.raises(DomainError) as on_update:
        service_update(actor=admin, service=service, **{field: value})

    assert on_create.value.field == on_update.value.field == field
    assert "propose a correction" in on_update.value.message
    service.refresh_from_db()
    assert (service.ofsted_rating, service.inspection_date) == ("inadequate", None)


def test_a_bidder_cannot_add_or_change_services(world, recomputed):
    service = ServiceFactory(provider=world.provider_a)

    with pytest.raises(PermissionDenied):
        service_create(actor=actor_of(world.bidder_a), **VALID)
    with pytest.raises(PermissionDenied):
        service_update(actor=actor_of(world.bidder_a), service=service, name="Renamed")


def test_another_providers_admin_cannot_change_the_service(world, recomputed):
    service = ServiceFactory(provider=world.provider_a, name="Mine")

    with pytest.raises(PermissionDenied):
        service_update(actor=actor_of(world.provider_admin_b), service=service, name="Theirs")

    service.refresh_from_db()
    assert service.name == "Mine"


def test_places_cannot_drop_below_the_current_vacancies(world, recomputed):
    service = ServiceFactory(provider=world.provider_a, registered_places=4, vacancies=3)

    with pytest.raises(DomainError) as refused:
        service_update(actor=actor_of(world.provider_admin_a), service=service, registered_places=2)

    assert refused.value.field == "registered_places"
    assert "current vacancies (3)" in refused.value.message


def test_a_change_of_places_is_audited_with_old_and_new_and_recomputes(world, recomputed):
    service = ServiceFactory(provider=world.provider_a, registered_places=4)

    service_update(actor=actor_of(world.provider_admin_a), service=service, registered_places=6)

    event = AuditEvent.objects.get(action="service.updated", object_id=str(service.pk))
    assert event.detail == {"registered_places": {"old": 4, "new": 6}}
    assert recomputed == [(world.provider_a, "service.changed")]


def test_a_change_that_does_not_touch_the_score_does_not_recompute_it(world, recomputed):
    service = ServiceFactory(provider=world.provider_a)

    service_update(actor=actor_of(world.provider_admin_a), service=service, name="Renamed")
    service_update(actor=actor_of(world.provider_admin_a), service=service, name="Renamed")

    assert recomputed == []
    assert AuditEvent.objects.filter(action="service.updated").count() == 1


def test_deactivating_clears_vacancies_recomputes_and_cannot_happen_twice(world, recomputed):
    service = ServiceFactory(provider=world.provider_a, vacancies=2)
    actor = actor_of(world.provider_admin_a)

    service_set_active(actor=actor, service=service, active=False)
    with pytest.raises(DomainError):
        service_set_active(actor=actor, service=service, active=False)

    service.refresh_from_db()
    assert (service.is_active, service.vacancies) == (False, 0)
    assert recomputed == [(world.provider_a, "service.changed")]
    assert AuditEvent.objects.filter(action="service.deactivated").count() == 1


def test_vacancies_cannot_exceed_registered_places_and_nothing_is_saved(world):
    first = ServiceFactory(provider=world.provider_a, registered_places=3)
    second = ServiceFactory(provider=world.provider_a, registered_places=2)

    with pytest.raises(DomainError) as refused:
        vacancies_update(
            actor=actor_of(world.provider_admin_a), vacancies={first.pk: 1, second.pk: 3}
        )

    assert refused.value.field == f"service-{second.pk}"
    first.refresh_from_db()
    assert (first.vacancies, first.vacancies_updated_at) == (0, None)


def test_vacancies_of_another_providers_service_are_refused(world):
    theirs = ServiceFactory(provider=world.provider_b, registered_places=3)

    with pytest.raises(DomainError):
        vacancies_update(actor=actor_of(world.provider_admin_a), vacancies={theirs.pk: 1})

    theirs.refresh_from_db()
    assert theirs.vacancies_updated_at is None
