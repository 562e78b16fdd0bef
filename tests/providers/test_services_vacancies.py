"""The vacancies page: one number per active service, saved together, and figures not
confirmed for VACANCY_STALE_DAYS flagged "Out of date"."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.urls import reverse

from dps.models import AuditEvent
from providers.models import Service
from tests.factories import ServiceFactory

URL = reverse("providers:vacancies")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_saving_sets_every_figure_and_stamps_each_row_even_if_unchanged(client, world):
    changed = ServiceFactory(provider=world.provider_a, registered_places=4, vacancies=0)
    confirmed = ServiceFactory(provider=world.provider_a, registered_places=2, vacancies=0)
    client.force_login(world.provider_admin_a)

    with time_machine.travel(START, tick=False):
        response = client.post(URL, {f"service-{changed.pk}": "3", f"service-{confirmed.pk}": "0"})

    assert response.status_code == 302
    changed.refresh_from_db()
    confirmed.refresh_from_db()
    assert (changed.vacancies, changed.vacancies_updated_at) == (3, START)
    assert (confirmed.vacancies, confirmed.vacancies_updated_at) == (0, START)
    events = AuditEvent.objects.filter(action="service.vacancies").order_by("object_id")
    assert [e.detail for e in events] == [{"old": 0, "new": 3}, {"old": 0, "new": 0}]


def test_the_page_lists_only_active_services_with_their_last_update(client, world):
    ServiceFactory(
        provider=world.provider_a, name="Hillside", vacancies_updated_at=START - timedelta(days=1)
    )
    ServiceFactory(provider=world.provider_a, name="Closed Home", is_active=False)
    ServiceFactory(provider=world.provider_b, name="Bravo Home")
    client.force_login(world.provider_admin_a)

    with time_machine.travel(START, tick=False):
        page = client.get(URL).content.decode()

    assert "Hillside" in page
    assert "Updated 1 March 2026" in page
    assert "Closed Home" not in page
    assert "Bravo Home" not in page


def test_a_figure_above_the_places_is_refused_and_nothing_is_saved(client, world):
    first = ServiceFactory(provider=world.provider_a, registered_places=4, name="Hillside")
    second = ServiceFactory(provider=world.provider_a, registered_places=2, name="Lakeside")
    client.force_login(world.provider_admin_a)

    response = client.post(URL, {f"service-{first.pk}": "1", f"service-{second.pk}": "5"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Vacancies at Lakeside cannot exceed its 2 registered places." in page
    assert f'name="service-{first.pk}" value="1"' in page
    assert not Service.objects.filter(vacancies_updated_at__isnull=False).exists()


def test_a_missing_or_negative_figure_is_refused(client, world):
    service = ServiceFactory(provider=world.provider_a, registered_places=4, name="Hillside")
    client.force_login(world.provider_admin_a)

    missing = client.post(URL, {})
    negative = client.post(URL, {f"service-{service.pk}": "-1"})

    assert missing.status_code == 400
    assert "Enter the vacancies at Hillside (0 if none)." in missing.content.decode()
    assert negative.status_code == 400


def test_a_bidder_sees_the_figures_but_cannot_save_them(client, world):
    service = ServiceFactory(provider=world.provider_a, registered_places=4, vacancies=2)
    client.force_login(world.bidder_a)

    page = client.get(URL)
    refused = client.post(URL, {f"service-{service.pk}": "0"})

    assert page.status_code == 200
    assert "Save vacancies" not in page.content.decode()
    assert refused.status_code == 403
    service.refresh_from_db()
    assert service.vacancies == 2


def test_a_figure_never_confirmed_is_out_of_date(world):
    service = ServiceFactory(provider=world.provider_a)

    assert service.vacancies_stale


def test_a_figure_goes_out_of_date_after_14_days(client, world):
    service = ServiceFactory(provider=world.provider_a, registered_places=3, name="Hillside")
    client.force_login(world.provider_admin_a)
    with time_machine.travel(START, tick=False):
        client.post(URL, {f"service-{service.pk}": "1"})
    service.refresh_from_db()

    with time_machine.travel(START + timedelta(days=14) - timedelta(minutes=1), tick=False):
        fresh = service.vacancies_stale
        client.force_login(world.provider_admin_a)  # sessions end after 12 hours
        fresh_page = client.get(URL).content.decode()
    with time_machine.travel(START + timedelta(days=14, minutes=1), tick=False):
        stale = service.vacancies_stale
        client.force_login(world.provider_admin_a)
        stale_page = client.get(URL).content.decode()

    assert not fresh
    assert "Out of date" not in fresh_page
    assert stale
    assert "Out of date" in stale_page


def test_the_staleness_threshold_is_a_setting(world, settings):
    settings.VACANCY_STALE_DAYS = 3
    with time_machine.travel(START, tick=False):
        service = ServiceFactory(
            provider=world.provider_a, vacancies_updated_at=START - timedelta(days=4)
        )

        assert service.vacancies_stale


def test_the_services_list_flags_out_of_date_figures_too(client, world):
    ServiceFactory(provider=world.provider_a, name="Hillside")
    client.force_login(world.bidder_a)

    page = client.get(reverse("providers:services")).content.decode()

    assert "Never updated" in page
    assert "Out of date" in page
