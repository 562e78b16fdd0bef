"""The competition's emails leave through the real path: a committed transaction, Redis, the
Celery worker and an SMTP server. Publishing a request alerts every person of every eligible
provider; the closing task, sent by name as beat sends it, tells the borough."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from dps.celery import app as celery_app
from dps.models import OutboundEmail, Role
from placements.models import PlacementRequest, ProviderInvitation
from placements.services import requests as request_services
from tests.factories import EnrolmentFactory, MembershipFactory, ProviderFactory, UserFactory
from tests.integration.conftest import wait_until
from tests.placements import helpers
from tests.placements.helpers import actor_of

Status = OutboundEmail.Status
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
INVITED = {
    "admin@provider-a.test": "Alpha Care",
    "bidder@provider-a.test": "Alpha Care",
    "admin@provider-b.test": "Bravo Care",
    "bidder@provider-b.test": "Bravo Care",
}


def row_becomes(email_id, **fields):
    """Wait until the outbox row has all these field values; return it."""

    def check():
        email = OutboundEmail.objects.get(pk=email_id)
        return email if all(getattr(email, k) == v for k, v in fields.items()) else None

    return wait_until(check, message=f"email {email_id} to have {fields}")


def test_publishing_a_request_delivers_an_alert_to_each_eligible_providers_people(
    celery_worker, smtp, world
):
    lot, _ = helpers.market(world)
    # A provider on the lot whose enrolment is suspended: it is not alerted.
    suspended = ProviderFactory(slug="suspended", name="Suspended Care")
    EnrolmentFactory(provider=suspended, lot=lot, status="suspended")
    MembershipFactory(
        user=UserFactory(email="bidder@suspended.test"), organisation=suspended, role=Role.BIDDER
    )
    placement_request = helpers.draft(world, lot)

    request_services.request_publish(
        actor=actor_of(world.officer_a), placement_request=placement_request
    )

    placement_request.refresh_from_db()
    invitations = dict(
        ProviderInvitation.objects.filter(request=placement_request).values_list(
            "provider__name", "pk"
        )
    )
    assert set(invitations) == {"Alpha Care", "Bravo Care"}
    for address, provider_name in INVITED.items():
        message = smtp.wait_for_message_to(address)
        assert message["To"] == address
        assert message["Subject"].startswith("New placement request: bids close")
        body = message.get_body(("plain",)).get_content()
        assert f"{provider_name} is invited to bid for a placement." in body
        assert f"/opportunities/{invitations[provider_name]}/" in body
        assert "a 14-year-old (female)" in body
        # The child's story is not in an alert.
        assert helpers.STORY not in body
        email = row_becomes(OutboundEmail.objects.get(to=address).pk, status=Status.SENT)
        assert email.attempts == 1
    time.sleep(0.5)
    for address in INVITED:
        assert len(smtp.messages_to(address)) == 1, f"{address} was alerted more than once"
    assert smtp.messages_to("bidder@suspended.test") == []
    assert smtp.messages_to("officer@a.test") == []


def test_the_closing_task_run_by_the_worker_tells_the_borough(celery_worker, smtp, world):
    lot, services = helpers.market(world)
    placement_request = helpers.published(world, lot)
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    # The deadline (and the grace after it) has passed.
    PlacementRequest.objects.filter(pk=placement_request.pk).update(
        bid_deadline=timezone.now() - timedelta(seconds=30)
    )

    celery_app.send_task("placements.tasks.requests_close_due")

    message = smtp.wait_for_message_to("officer@a.test", timeout=15)
    assert message["Subject"] == f"Placement request {placement_request.pk}: bids are open to read"
    assert "1 valid bid." in message.get_body(("plain",)).get_content()
    placement_request.refresh_from_db()
    assert placement_request.status == PlacementRequest.Status.CLOSED
