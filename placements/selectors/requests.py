"""Which placement requests an actor sees, and when the borough may learn how providers
responded to one."""

from django.db.models import QuerySet
from django.utils import timezone

from dps.tenancy import Actor

from ..models import PlacementRequest

Status = PlacementRequest.Status


def requests_visible_to(actor: Actor | None) -> QuerySet[PlacementRequest]:
    if actor is None:
        return PlacementRequest.objects.none()
    qs = PlacementRequest.objects.select_related("lot", "borough")
    if actor.is_borough:
        return qs.filter(borough=actor.organisation)
    if actor.is_provider:
        return qs.filter(invitations__provider=actor.organisation).exclude(status=Status.DRAFT)
    return PlacementRequest.objects.none()


def responses_shown_to_borough(placement_request: PlacementRequest) -> bool:
    """Which providers viewed or declined their invitations, and who asked which question,
    bound how many bids there can be: like the bids, the borough learns it only once the
    deadline has passed."""
    deadline = placement_request.bid_deadline
    return placement_request.bids_unsealed or (deadline is not None and timezone.now() >= deadline)
