"""Builders for the procurement tests: an arrangement, placements and competitions made
directly (the notices read only their dates, fees and statuses)."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from placements.models import Placement, PlacementRequest
from providers.models import Arrangement, ConditionsVersion, Lot, Opening
from tests.factories import LotFactory, ServiceFactory
from tests.monitoring.kpi_helpers import with_agreed_fee

START = date(2026, 3, 2)
END = date(2030, 3, 1)


def arrangement(world, basis=Arrangement.Basis.DYNAMIC_MARKET, **fields):
    values = {
        "basis": basis,
        "title": "Northbridge Children's Placements Market",
        "starts_on": START,
        "ends_on": END,
        **fields,
    }
    return Arrangement.objects.create(consortium=world.consortium, **values)


def conditions(arr, number, in_force_from=date(2026, 3, 2)):
    return ConditionsVersion.objects.create(
        arrangement=arr,
        number=number,
        text=f"Conditions of membership, version {number}.",
        in_force_from=timezone.make_aware(datetime.combine(in_force_from, datetime.min.time())),
        reason="Ofsted registration now required for every service." if number > 1 else "",
    )


def opening(arr, opens_on=date(2026, 9, 1)):
    return Opening.objects.create(
        arrangement=arr,
        opens_on=opens_on,
        closes_on=date(2026, 9, 30),
        awards_on=date(2026, 10, 15),
    )


def _lot(world, code, name):
    return Lot.objects.filter(consortium=world.consortium, code=code).first() or LotFactory(
        consortium=world.consortium, name=name, code=code
    )


def placement(world, weekly_fee, *, start=date(2026, 4, 6), weeks=52, **fields):
    """A placement through the DPS with provider A, its planned end `weeks` after its start."""
    lot = _lot(world, "res", "Residential homes")
    service = ServiceFactory(provider=world.provider_a, name="Alpha House")
    values = {
        "borough": world.borough_a,
        "provider": world.provider_a,
        "service": service,
        "lot": lot,
        "child_reference": "CHILD-REF-77",
        "weekly_fee": Decimal(weekly_fee),
        "start_date": start,
        "planned_end_date": start + timezone.timedelta(weeks=weeks) if weeks else None,
        **fields,
    }
    return with_agreed_fee(Placement.objects.create(**values))


def competition(world, *, budget="13000", weeks=52, published=date(2026, 5, 4), **fields):
    lot = _lot(world, "secure", "Secure homes")
    values = {
        "borough": world.borough_a,
        "lot": lot,
        "reference": "CHILD-REF-88",
        "status": PlacementRequest.Status.OPEN,
        "age": 14,
        "max_weekly_budget": Decimal(budget) if budget else None,
        "duration_weeks": weeks,
        "published_at": timezone.make_aware(datetime.combine(published, datetime.min.time())),
        **fields,
    }
    return PlacementRequest.objects.create(**values)
