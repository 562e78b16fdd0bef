"""Whom the child's story is released to: the borough's own people, and a provider once it is
shortlisted (after the award, the winner alone). Reading it is the audited `story_view`."""

from typing import TypeGuard

from dps.tenancy import Actor

from ..models import Bid, PlacementRequest
from ..services.transitions import SHORTLIST_SIZE

Status = PlacementRequest.Status


def story_released_to(actor: Actor | None, placement_request: PlacementRequest) -> TypeGuard[Actor]:
    if actor is None:
        return False
    if actor.is_borough:
        return placement_request.borough_id == actor.organisation.pk
    if not actor.is_provider:
        return False
    bids = Bid.objects.filter(
        request=placement_request, provider=actor.organisation, status=Bid.Status.SUBMITTED
    )
    if placement_request.status == Status.SHORTLISTED:
        return bids.filter(rank__lte=SHORTLIST_SIZE).exists()
    if placement_request.status in (Status.AWARDED, Status.PLACED):
        return bids.filter(placement__isnull=False).exists()
    return False
