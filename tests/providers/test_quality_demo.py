"""The demo data ends with every enrolled demo provider scored, once."""

import io

import pytest
from django.core.management import call_command

from providers.models import Enrolment, QualityScore

# Seeded once for the module (tests/demo_data.py); a test that seeds again checks that
# nothing changes.
pytestmark = pytest.mark.usefixtures("demo")


def test_seeding_scores_every_enrolled_demo_provider_once(db):
    enrolled = set(
        Enrolment.objects.filter(status__in=["active", "suspended"]).values_list(
            "provider", flat=True
        )
    )
    scored = set(QualityScore.objects.values_list("provider", flat=True))
    count = QualityScore.objects.count()

    call_command("seed_demo", stdout=io.StringIO())

    assert scored == enrolled
    assert QualityScore.objects.count() == count
