"""The audit log shows bids only once their request's bids are opened."""

from django.urls import reverse

from dps.models import AuditEvent
from dps.tenancy import audit_events_visible_to
from tests.placements import helpers


def test_bid_events_are_hidden_from_the_audit_log_until_the_request_closes(client, world):
    lot, services = helpers.market(world)
    placement_request = helpers.published(world, lot)
    bid = helpers.bid(placement_request, world.bidder_a, services["a"], "3456")
    admin = helpers.actor_of(world.admin)
    assert AuditEvent.objects.filter(action="bid.submitted", object_id=str(bid.pk)).exists()

    assert not audit_events_visible_to(admin).filter(
        object_id=str(bid.pk), action__startswith="bid."
    )
    client.force_login(world.admin)
    page = client.get(reverse("audit_log")).content.decode()
    assert "bid.submitted" not in page
    assert "3456" not in page

    helpers.close(placement_request)

    assert audit_events_visible_to(admin).filter(action="bid.submitted").exists()
    assert "bid.submitted" in client.get(reverse("audit_log")).content.decode()
