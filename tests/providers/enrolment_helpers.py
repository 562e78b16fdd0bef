"""Shared set-up of the enrolment tests."""

import pytest

from dps.tenancy import Actor
from tests.factories import DeclarationQuestionFactory, LotFactory


def actor_of(user):
    return Actor.for_membership(user.memberships.get())


@pytest.fixture
def lot(world):
    return LotFactory(consortium=world.consortium, name="Children's homes")


@pytest.fixture
def questions(world):
    """The consortium's declarations: one that flags for review, one that blocks."""
    return {
        "review": DeclarationQuestionFactory(
            consortium=world.consortium,
            text="Any safeguarding enforcement action in the last 3 years?",
            failing_answer=True,
            on_fail="review",
            position=1,
        ),
        "block": DeclarationQuestionFactory(
            consortium=world.consortium,
            text="Are you insolvent or in administration?",
            failing_answer=True,
            on_fail="block",
            position=2,
        ),
    }
