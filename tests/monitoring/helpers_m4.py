"""Shared set-up of the monitoring visits' and plans' tests."""

from dps.tenancy import Actor
from tests.factories import EnrolmentFactory, LotFactory, ServiceFactory


def actor_of(user):
    return Actor.for_membership(user.memberships.get())


def enrolled(world, *, rating="good"):
    """Provider A enrolled on a lot of the consortium with one service ("Alpha Lodge");
    provider B enrolled too with "Bravo Lodge"."""
    lot = LotFactory(consortium=world.consortium, code="monitoring", name="Monitoring lot")
    EnrolmentFactory(provider=world.provider_a, lot=lot)
    EnrolmentFactory(provider=world.provider_b, lot=lot)
    a = ServiceFactory(provider=world.provider_a, name="Alpha Lodge", ofsted_rating=rating)
    b = ServiceFactory(provider=world.provider_b, name="Bravo Lodge")
    return lot, a, b
