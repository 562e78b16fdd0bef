"""Small data sets for the KPI tests: placements, children and reviews made directly."""

from datetime import date
from decimal import Decimal

from placements.models import Child, Placement


def child(world, reference, *, borough=None, dob=None, since=None):
    return Child.objects.create(
        borough=borough or world.borough_a,
        reference=reference,
        date_of_birth=dob,
        looked_after_since=since,
    )


def place(world, start, end=None, *, planned=None, fee="700", borough=None, child=None, **extra):
    """A placement that began on `start` (and ended on `end`, planned or not)."""
    return Placement.objects.create(
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


def d(text):
    return date.fromisoformat(text)
