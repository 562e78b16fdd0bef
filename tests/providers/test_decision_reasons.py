"""A consortium decision that needs a reason, sent without one, says what is missing beside the
reason field: which reason, and what to write (not Django's "This field is required.")."""

from django.urls import reverse

from tests.factories import ApplicationFactory, EnrolmentFactory
from tests.providers import enrolment_helpers

lot = enrolment_helpers.lot


def text(response):
    return response.content.decode()


def test_a_decision_on_an_application_without_a_reason_says_what_to_write(client, world, lot):
    application = ApplicationFactory(provider=world.provider_a, lot=lot, status="submitted")
    client.force_login(world.admin)

    response = client.post(
        reverse("providers:application_review", args=[application.pk]),
        {"decision": "reject", "reason": "  "},
    )

    page = text(response)
    assert response.status_code == 400
    assert 'id="id_reason-error"' in page
    assert '<a href="#id_reason">Enter the reason for your decision' in page
    assert "This field is required." not in page
    application.refresh_from_db()
    assert application.status == "submitted"


def test_suspending_an_enrolment_without_a_reason_says_what_to_write(client, world, lot):
    enrolment = EnrolmentFactory(provider=world.provider_a, lot=lot)
    client.force_login(world.admin)

    response = client.post(
        reverse("providers:enrolment_manage", args=[enrolment.pk]), {"action": "suspend"}
    )

    page = text(response)
    assert response.status_code == 400
    assert '<a href="#id_reason">Enter the reason for this action' in page
    assert "This field is required." not in page
    enrolment.refresh_from_db()
    assert enrolment.status == "active"
