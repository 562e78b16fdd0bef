"""Who finds the notices in the service navigation: the consortium admin (who publishes them)
and its boroughs' commissioners (who read them); no one else."""

from procurement.navigation import items
from tests.placements.helpers import actor_of


def labels(user):
    return [label for label, _ in items(actor_of(user))]


def test_the_admin_and_the_commissioners_find_the_notices(world):
    assert labels(world.admin) == ["Notices"]
    assert labels(world.commissioner_a) == ["Notices"]


def test_officers_and_providers_do_not(world):
    for user in (world.officer_a, world.finance_a, world.bidder_a, world.provider_admin_a):
        assert labels(user) == []
