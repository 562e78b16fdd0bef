"""What the uplift tests share: a lot, services, placements with schedules, a round."""

from datetime import date
from decimal import Decimal

from dps.tenancy import Actor
from finance.models import UpliftRound
from tests.factories import LotFactory, ServiceFactory, scheduled_placement


def actor_of(user):
    return Actor.for_membership(user.memberships.get(is_active=True))


def a_lot(world, name="Children's homes"):
    return LotFactory(consortium=world.consortium, name=name)


def a_round(world, lots, *, percent="4.00", effective=date(2026, 4, 6), closes=None, **fields):
    round_ = UpliftRound.objects.create(
        consortium=world.consortium,
        name=fields.pop("name", "2026/27 uplift"),
        percent=Decimal(percent),
        effective_date=effective,
        requests_close=closes or date(2026, 3, 20),
        **fields,
    )
    round_.lots.set(lots)
    return round_


def placements_at(world, *, provider, borough, lot, service, count, fee=1000, start=None, **kw):
    return [
        scheduled_placement(
            borough=borough,
            provider=provider,
            start=start or date(2025, 9, 1),
            weekly_fee=fee + n,
            lot=lot,
            service=service,
            child_reference=f"{borough.slug[-1].upper()}{service.pk}-{n:02d}",
            **kw,
        )
        for n in range(count)
    ]


def a_service(provider, name):
    return ServiceFactory(provider=provider, name=name)
