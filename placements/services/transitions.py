"""`transition`, the one way a placement request changes status: its state machine
(REQUEST_STATES, beside the model) guards and records the change, and the request's own timeline
row and the audit event are added. Publishing, cancelling and re-opening (requests.py), closing
(closing.py) and the award (award.py) all use it, so it lives apart from each of them."""

from datetime import datetime

from django.utils import timezone

from dps.services.audit import audit_record
from dps.tenancy import Actor

from ..models import PlacementRequest, RequestTransition
from ..models.requests import REQUEST_STATES

Status = PlacementRequest.Status

# The bids ranked this high or better make the shortlist.
SHORTLIST_SIZE = 3


def transition(
    placement_request: PlacementRequest,
    to: str,
    *,
    actor: Actor | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    """Move a (locked) request to `to` through its state machine, or refuse if its status does
    not allow it."""
    now = now or timezone.now()
    current = REQUEST_STATES.move(
        placement_request,
        to,
        actor=actor,
        reason=reason,
        fields=["updated_at", *_status_fields(to)],
        at=now,
    )
    RequestTransition.objects.create(
        request=placement_request,
        from_status=current,
        to_status=to,
        actor=actor.user if actor else None,
        actor_label=actor.label if actor else "system",
        reason=reason,
        at=now,
    )
    audit_record(
        actor=actor,
        action=f"request.{to}",
        obj=placement_request,
        organisation=placement_request.borough,
        detail={"from": current, "to": to, "reason": reason},
    )


def _status_fields(to):
    return {
        Status.OPEN: ["published_at", "bid_deadline", "closed_at", "ineligible_counts"],
        Status.CLOSED: ["closed_at"],
        Status.CANCELLED: ["cancel_reason", "status_reason"],
        Status.NO_SUITABLE_OFFER: ["status_reason", "closed_at"],
    }.get(to, [])
