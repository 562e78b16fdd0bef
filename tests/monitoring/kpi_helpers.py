"""Small data sets for the KPI tests: placements, children and reviews made directly."""

from datetime import date
from decimal import Decimal

from placements.models import Child, Placement
from placements.services.fees import fee_agreed


def child(world, reference, *, borough=None, dob=None, since=None):
    return Child.objects.create(
        borough=borough or world.borough_a,
        reference=reference,
        date_of_birth=dob,
        looked_after_since=since,
    )


def place(world, start, end=None, *, planned=None, fee="700", borough=None, child=None, **extra):
    """A placement that began on `start` (and ended on `end`, planned or not)."""
    placement = Placement.objects.create(
        borough=borough or world.borough_a,
        provider=extra.pop("provider", world.provider_a),
        source=extra.pop("source", Placement.Source.SPOT),
        child=child,
        weekly_fee=Decimal(fee),
        start_date=start,
        status=Placement.Status.ENDED if end else Placement.Status.STARTED,
        end_date=end,
        end_planned=planned,
        **extra,
    )
    return with_agreed_fee(placement)


def d(text):
    return date.fromisoformat(text)


def with_agreed_fee(placement):
    """A bought placement's schedule row agreed at award, as the award and spot purchase make
    it (one read from an SSDA903 return has none)."""
    if placement.source != Placement.Source.SSDA903:
        fee_agreed(placement=placement)
    return placement
