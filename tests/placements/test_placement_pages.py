"""Placement pages: the borough and the winning provider each see their own placement and can
download its Individual Placement Agreement; the borough's officers record the start."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from placements.models import Placement, PlacementRequest
from placements.services import ipa
from tests.placements import helpers

PDF = b"%PDF-1.4 test"


def url(name, *args):
    return reverse(f"placements:{name}", args=args)


def text(response):
    return response.content.decode()


@pytest.fixture
def renders(monkeypatch):
    """The IPA renderer, replaced: counts its calls."""
    calls = []

    def render(placement):
        calls.append(placement.pk)
        return PDF

    monkeypatch.setattr(ipa, "ipa_render", render)
    return calls


@pytest.fixture
def placement(world):
    _, placement = helpers.awarded(world)  # Alpha Care wins at £3,000 a week
    return placement


@pytest.mark.parametrize("persona", ["officer_a", "commissioner_a", "bidder_a", "provider_admin_a"])
def test_the_borough_and_the_winner_see_the_placement(client, world, placement, persona):
    client.force_login(getattr(world, persona))

    listing = text(client.get(url("placement_list")))
    detail = client.get(url("placement_detail", placement.pk))

    assert "AB-1234" in listing
    assert "£3,000.00" in listing
    assert detail.status_code == 200
    page = text(detail)
    for part in (
        "Alpha Borough",
        "Alpha Care",
        "Alpha House",
        "£3,000.00",
        "Outcome for be_healthy",
    ):
        assert part in page, part
    assert url("placement_ipa", placement.pk) in page


@pytest.mark.parametrize("persona", ["officer_b", "commissioner_b", "bidder_b", "provider_admin_b"])
def test_others_do_not_see_the_placement(client, world, placement, persona):
    client.force_login(getattr(world, persona))

    listing = text(client.get(url("placement_list")))

    assert "AB-1234" not in listing
    assert client.get(url("placement_detail", placement.pk)).status_code == 404
    assert client.get(url("placement_ipa", placement.pk)).status_code == 404


def test_a_consortium_admin_is_refused(client, world, placement):
    client.force_login(world.admin)

    assert client.get(url("placement_list")).status_code == 403
    assert client.get(url("placement_ipa", placement.pk)).status_code == 403


@pytest.mark.parametrize("persona", ["officer_a", "bidder_a"])
def test_the_ipa_downloads_as_a_pdf_rendered_once(client, world, placement, renders, persona):
    client.force_login(getattr(world, persona))

    first = client.get(url("placement_ipa", placement.pk))
    second = client.get(url("placement_ipa", placement.pk))

    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == 'attachment; filename="ipa-ab-1234.pdf"'
    assert first.content == PDF
    assert second.content == PDF
    assert renders == [placement.pk]
    placement.refresh_from_db()
    assert placement.ipa_pdf.name.endswith(".pdf")


def test_an_officer_records_the_start(client, world, placement):
    client.force_login(world.officer_a)
    today = timezone.localdate()

    page = text(client.get(url("placement_detail", placement.pk)))
    future = client.post(
        url("placement_detail", placement.pk),
        {"actual_start_date": (today + timedelta(days=2)).strftime("%d/%m/%Y")},
    )
    response = client.post(
        url("placement_detail", placement.pk),
        {"actual_start_date": today.strftime("%d/%m/%Y")},
        follow=True,
    )

    assert "Record the start" in page
    assert future.status_code == 400
    assert 'id="id_actual_start_date-error"' in text(future)
    assert "The start date cannot be in the future." in text(future)
    placement.refresh_from_db()
    assert placement.status == Placement.Status.STARTED
    assert placement.actual_start_date == today
    assert placement.request.status == PlacementRequest.Status.PLACED
    assert "Record the start" not in text(response).replace("The start is recorded", "")


def test_a_start_without_a_date_is_refused(client, world, placement):
    client.force_login(world.officer_a)

    response = client.post(url("placement_detail", placement.pk), {"actual_start_date": ""})

    assert response.status_code == 400
    assert "Enter the date the placement started." in text(response)


@pytest.mark.parametrize("persona", ["commissioner_a", "bidder_a", "provider_admin_a"])
def test_only_the_boroughs_officers_record_the_start(client, world, placement, persona):
    client.force_login(getattr(world, persona))

    page = text(client.get(url("placement_detail", placement.pk)))
    response = client.post(
        url("placement_detail", placement.pk),
        {"actual_start_date": timezone.localdate().strftime("%d/%m/%Y")},
    )

    assert "Record the start" not in page
    assert response.status_code == 403
    placement.refresh_from_db()
    assert placement.status == Placement.Status.AWARDED


def test_the_provider_does_not_see_the_boroughs_reason_for_its_choice(client, world):
    placement_request, _ = helpers.shortlisted(world)
    second = placement_request.bids.get(rank=2)
    placement = helpers.award_services.award(
        actor=helpers.actor_of(world.officer_a),
        placement_request=placement_request,
        bid=second,
        reason="Nearer her sister.",
    )
    client.force_login(world.bidder_b)
    provider_page = text(client.get(url("placement_detail", placement.pk)))
    client.force_login(world.officer_a)
    borough_page = text(client.get(url("placement_detail", placement.pk)))

    assert "Nearer her sister." in borough_page
    assert "Nearer her sister." not in provider_page
    assert "Bravo Care" in provider_page
