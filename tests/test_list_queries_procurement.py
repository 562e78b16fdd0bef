"""The notices' list page and endpoint answer in a fixed number of queries however many
notices there are, for the consortium admin and a commissioner."""

from datetime import date

import pytest

from procurement.models import Notice
from providers.models import Arrangement
from tests.list_queries import assert_queries_do_not_grow, label, listed
from tests.procurement import helpers as procurement_helpers


def notices(world, n):
    """n modification notices, each of a new version of the conditions of membership."""
    arrangement = Arrangement.objects.filter(consortium=world.consortium).first()
    arrangement = arrangement or procurement_helpers.arrangement(world)
    shown = []
    for _ in range(n):
        event = label("Notice event")
        number = arrangement.conditions.count() + 2
        Notice.objects.create(
            consortium=world.consortium,
            kind="UK15",
            event=event,
            due_on=date(2026, 6, 1),
            conditions=procurement_helpers.conditions(arrangement, number),
        )
        shown.append(event)
    return shown


SCENARIOS = [
    ("admin", listed("/procurement/notices/", notices), False),
    ("commissioner_a", listed("/procurement/notices/", notices), False),
    ("admin", listed("/api/v1/notices/", notices), False),
    ("admin", listed("/api/v1/notices/", notices), True),
]


@pytest.mark.parametrize(
    ("persona", "scenario", "api_key"),
    SCENARIOS,
    ids=[f"{p}-{s.__name__}-{i}" for i, (p, s, _) in enumerate(SCENARIOS)],
)
def test_a_list_answers_in_the_same_number_of_queries_for_more_rows(
    client, world, persona, scenario, api_key
):
    assert_queries_do_not_grow(client, world, persona, scenario, api_key)
