"""The demo data ends with every enrolled demo provider scored, once."""

import io

from django.core.management import call_command

from providers.models import Enrolment, QualityScore


def test_seeding_scores_every_enrolled_demo_provider_once(db):
    call_command("seed_demo", stdout=io.StringIO())
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
