"""A provider's own score pages: the current score with its breakdown and how to raise it,
and the history of every computation, each explainable."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from providers.models import QualityScore
from providers.services.quality import quality_score_recompute
from tests.factories import DocumentFactory, EnrolmentFactory, LotFactory, ServiceFactory


@pytest.fixture
def scored(world):
    lot = LotFactory(consortium=world.consortium)
    EnrolmentFactory(provider=world.provider_a, lot=lot)
    ServiceFactory(
        provider=world.provider_a,
        name="Elm House",
        ofsted_rating="requires_improvement",
        registered_places=2,
    )
    DocumentFactory(
        provider=world.provider_a, document_type="public_liability", expires_on=date(2026, 5, 3)
    )
    with time_machine.travel("2026-05-10 12:00 +01:00", tick=False):
        quality_score_recompute(provider=world.provider_a, trigger="enrolled")
    return world.provider_a


def test_the_provider_sees_its_score_its_breakdown_and_how_to_raise_it(world, client, scored):
    client.force_login(world.provider_admin_a)

    with time_machine.travel("2026-05-10 12:00 +01:00", tick=False):
        page = client.get(reverse("providers:quality_score")).content.decode()

    assert "Test Consortium: 36.00 out of 100" in page  # 40x40 + 30x50 + 0 + 10x50 = 3600
    assert "Neutral until contract monitoring data exists." in page
    assert "Renew your public liability insurance: it expired on 3 May 2026" in page
    assert "Services rated Requires improvement lower your inspection score (Elm House)" in page
    assert "Elm House" in page


def test_a_provider_enrolled_nowhere_is_told_it_has_no_score_yet(world, client):
    client.force_login(world.bidder_b)

    page = client.get(reverse("providers:quality_score")).content.decode()

    assert "You have no quality score yet" in page


def test_the_history_lists_every_computation_newest_first_and_explains_each(world, client, scored):
    service = scored.services.get()
    service.ofsted_rating = "outstanding"
    service.save()
    quality_score_recompute(provider=scored, trigger="Ofsted rating changed")
    client.force_login(world.bidder_a)

    page = client.get(reverse("providers:quality_history")).content.decode()

    assert page.index("Ofsted rating changed") < page.index("enrolled")
    first = QualityScore.objects.get(trigger="enrolled")
    explained = client.get(reverse("providers:quality_snapshot", args=[first.pk])).content.decode()
    # The old snapshot is explained by its own inputs, not today's.
    assert "Requires improvement" in explained
    assert "Outstanding" not in explained
    assert "36.00" in explained


def test_the_history_is_paginated(world, client, scored):
    for n in range(30):
        quality_score_recompute(provider=scored, trigger=f"change {n}")
    client.force_login(world.provider_admin_a)

    first = client.get(reverse("providers:quality_history")).content.decode()
    second = client.get(reverse("providers:quality_history") + "?page=2").content.decode()

    assert "change 29" in first
    assert "Page 1 of 2" in first
    assert "enrolled" in second


def test_another_providers_snapshot_is_not_found(world, client, scored):
    score = QualityScore.objects.get()
    client.force_login(world.provider_admin_b)

    assert client.get(reverse("providers:quality_snapshot", args=[score.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["commissioner_a", "officer_b", "admin"])
def test_council_staff_do_not_get_the_providers_own_pages(world, client, persona):
    client.force_login(getattr(world, persona))

    assert client.get(reverse("providers:quality_score")).status_code == 403
    assert client.get(reverse("providers:quality_history")).status_code == 403
