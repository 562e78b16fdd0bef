"""The core's pages that list rows beside the ones in tests/test_list_queries.py answer in a
fixed number of queries however many rows there are: the consortium admin's home (its
boroughs) and the invitations still pending on the users page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dps.models import Invitation, Role
from tests.factories import BoroughFactory
from tests.list_queries import assert_queries_do_not_grow, label


def consortium_home(world):
    def more(n):
        return [
            BoroughFactory(consortium=world.consortium, name=label("Joined Borough")).name
            for _ in range(n)
        ]

    return "/", more


def pending_invitations(world):
    """Invitations to borough A not yet accepted, each sent by its commissioner."""

    def more(n):
        return [
            Invitation.objects.create(
                organisation=world.borough_a,
                email=f"{label('invited').replace(' ', '-')}@a.test",
                role=Role.PLACEMENT_OFFICER,
                invited_by=world.commissioner_a,
                expires_at=timezone.now() + timedelta(days=7),
            ).email
            for _ in range(n)
        ]

    return "/organisation/users/", more


# (persona, scenario, signed in with an API key of the persona's organisation)
SCENARIOS = [
    ("admin", consortium_home, False),
    ("commissioner_a", pending_invitations, False),
]


@pytest.mark.parametrize(
    ("persona", "scenario", "api_key"),
    SCENARIOS,
    ids=[f"{persona}-{scenario.__name__}" for persona, scenario, _ in SCENARIOS],
)
def test_a_list_answers_in_the_same_number_of_queries_for_more_rows(
    client, world, persona, scenario, api_key
):
    assert_queries_do_not_grow(client, world, persona, scenario, api_key)
