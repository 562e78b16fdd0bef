"""The reasons a commissioner gives for a plan, a suspension or a cancelled visit: left out,
each says what is missing and what to write, not Django's "This field is required."."""

import pytest

from dps.models import Organisation
from monitoring.forms.plans import PlanOpenForm, PlanSuspendForm
from monitoring.forms.visits import VisitCancelForm
from providers.models import Enrolment


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda: PlanOpenForm({}, providers=Organisation.objects.none(), kpis=[]),
            "Enter why the plan is needed",
        ),
        (
            lambda: PlanSuspendForm({}, enrolments=Enrolment.objects.none()),
            "Enter the reason for the suspension",
        ),
        (lambda: VisitCancelForm({}), "Say why the visit is cancelled."),
    ],
)
@pytest.mark.django_db
def test_a_missing_reason_says_what_to_write(make, expected):
    form = make()

    assert not form.is_valid()
    assert form.errors["reason"][0].startswith(expected)
