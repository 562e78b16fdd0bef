"""The demo data has declaration questions and providers in every enrolment state."""

import io

import pytest
from django.core.management import call_command

from providers.models import Application, DeclarationQuestion, Enrolment, ProviderProfile

# Seeded once for the module (tests/demo_data.py); a test that seeds again checks that
# nothing changes.
pytestmark = pytest.mark.usefixtures("demo")


def test_the_demo_has_every_application_and_enrolment_state_once(db):
    call_command("seed_demo", stdout=io.StringIO())  # again

    assert DeclarationQuestion.objects.count() == 3
    assert set(DeclarationQuestion.objects.values_list("on_fail", flat=True)) == {
        "review",
        "block",
    }
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(Application.Status.values)
    assert Application.objects.filter(status="submitted", flagged_for_review=True).exists()
    assert set(Enrolment.objects.values_list("status", flat=True)) == set(Enrolment.Status.values)
    assert Application.objects.count() == 13
    assert ProviderProfile.objects.count() == 12
    more_info = Application.objects.get(status="more_info")
    assert more_info.transitions.last().reason
