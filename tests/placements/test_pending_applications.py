"""Before awarding under a dynamic market or legacy DPS, the officer is shown the applications
to join the lot still pending, and confirms they were considered (Procurement Act 2023
s.34(4)). Under an open framework, or with none pending, nothing more is asked."""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dps.services import DomainError
from placements.models import Bid, Placement
from placements.services import award as award_services
from providers.services.arrangement import arrangement_save
from tests.factories import ApplicationFactory, ProviderFactory, make_api_client
from tests.placements.helpers import actor_of, shortlisted


def arrangement(world, basis):
    ends = date(2029, 2, 23) if basis == "legacy_dps" else date(2030, 3, 31)
    arrangement_save(
        actor=actor_of(world.admin),
        basis=basis,
        title="Placements",
        starts_on=date(2025, 4, 1),
        ends_on=ends,
    )


@pytest.fixture
def pending(world):
    """A shortlisted request, and two applications to its lot pending (one sent back for more
    information), and a draft that is not pending."""
    placement_request, _ = shortlisted(world)
    lot = placement_request.lot
    ApplicationFactory(provider=ProviderFactory(name="Cedar Care"), lot=lot, status="submitted")
    ApplicationFactory(provider=ProviderFactory(name="Delta Care"), lot=lot, status="more_info")
    ApplicationFactory(provider=ProviderFactory(name="Echo Care"), lot=lot, status="draft")
    return placement_request


def top(placement_request):
    return Bid.objects.get(request=placement_request, rank=1)


@pytest.mark.parametrize("basis", ["dynamic_market", "legacy_dps"])
def test_the_award_needs_the_pending_applications_considered(world, pending, basis):
    arrangement(world, basis)
    officer = actor_of(world.officer_a)
    with pytest.raises(DomainError) as refused:
        award_services.award(actor=officer, placement_request=pending, bid=top(pending))
    assert refused.value.field == "pending_applications_considered"
    assert "2 applications to join this lot are still pending" in refused.value.message

    award_services.award(
        actor=officer,
        placement_request=pending,
        bid=top(pending),
        pending_applications_considered=True,
    )
    assert Placement.objects.filter(request=pending).exists()


def test_an_open_framework_asks_nothing(world, pending):
    arrangement_save(
        actor=actor_of(world.admin),
        basis="open_framework",
        title="Placements",
        starts_on=date(2025, 4, 1),
        ends_on=date(2030, 3, 31),
    )
    award_services.award(
        actor=actor_of(world.officer_a), placement_request=pending, bid=top(pending)
    )
    assert Placement.objects.filter(request=pending).exists()


def test_the_award_page_lists_them_and_asks_for_the_confirmation(client, world, pending):
    arrangement(world, "dynamic_market")
    client.force_login(world.officer_a)
    url = reverse("placements:award", args=[pending.pk])
    page = client.get(url).content.decode()
    assert "Cedar Care" in page
    assert "Delta Care" in page
    assert "Echo Care" not in page

    refused = client.post(url, {"bid": top(pending).pk})
    assert refused.status_code == 400
    assert "still pending" in refused.content.decode()
    done = client.post(url, {"bid": top(pending).pk, "pending_applications_considered": "on"})
    assert done.status_code == 302
    assert Placement.objects.filter(request=pending).exists()


def test_the_api_lists_them_and_needs_the_field(world, pending):
    arrangement(world, "dynamic_market")
    _, key = make_api_client(world.borough_a)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    evaluation = api.get(f"/api/v1/requests/{pending.pk}/evaluation/").json()
    names = sorted(a["provider_name"] for a in evaluation["pending_applications"])
    assert names == ["Cedar Care", "Delta Care"]

    refused = api.post(f"/api/v1/requests/{pending.pk}/award/", {"bid": top(pending).pk})
    assert refused.status_code == 400
    assert "pending_applications_considered" in refused.content.decode()
    done = api.post(
        f"/api/v1/requests/{pending.pk}/award/",
        {"bid": top(pending).pk, "pending_applications_considered": True},
    )
    assert done.status_code == 201
