"""Who finds finance's pages in the service navigation, by role."""

from finance.navigation import items
from tests.placements.helpers import actor_of


def labels(user):
    return [label for label, _ in items(actor_of(user))]


def test_each_role_finds_its_money_pages(world):
    assert labels(world.finance_a) == ["Invoices", "Uplifts", "Billing settings"]
    assert labels(world.bidder_a) == ["Invoices", "Uplifts"]
    assert labels(world.commissioner_a) == ["Money", "Uplifts"]
    assert labels(world.admin) == ["Money", "Uplifts"]
    assert labels(world.officer_a) == []
