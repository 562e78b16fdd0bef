"""Shared set-up of the monitoring visits' and plans' tests."""

from datetime import date

from dps.tenancy import Actor
from placements.models import Placement
from tests.factories import EnrolmentFactory, LotFactory, ServiceFactory
from tests.monitoring.kpi_helpers import with_agreed_fee


def actor_of(user):
    return Actor.for_membership(user.memberships.get())


def enrolled(world, *, rating="good", placing=("borough_a", "borough_b")):
    """Provider A enrolled on a lot of the consortium with one service ("Alpha Lodge");
    provider B enrolled too with "Bravo Lodge". Each borough named in `placing` has a placement
    with each provider, so its commissioners monitor both."""
    lot = LotFactory(consortium=world.consortium, code="monitoring", name="Monitoring lot")
    EnrolmentFactory(provider=world.provider_a, lot=lot)
    EnrolmentFactory(provider=world.provider_b, lot=lot)
    a = ServiceFactory(provider=world.provider_a, name="Alpha Lodge", ofsted_rating=rating)
    b = ServiceFactory(provider=world.provider_b, name="Bravo Lodge")
    for borough in placing:
        for service in (a, b):
            place_with(getattr(world, borough), service)
    return lot, a, b


def place_with(borough, service):
    """A placement of the borough's with the service's provider."""
    return with_agreed_fee(
        Placement.objects.create(
            borough=borough,
            provider=service.provider,
            service=service,
            weekly_fee=4000,
            start_date=date(2024, 6, 1),
            status=Placement.Status.STARTED,
        )
    )
