"""A placement request's state machine: the one table of the moves between its statuses, and
`transition`, the guard every service that changes a request's status goes through (dated,
attributed and audited). Publishing, cancelling and re-opening (requests.py), closing
(closing.py) and the award (award.py) all use it, so it lives apart from each of them."""

from django.utils import timezone

from dps.services import DomainError
from dps.services.audit import audit_record

from ..models import PlacementRequest, RequestTransition

Status = PlacementRequest.Status

# The bids ranked this high or better make the shortlist.
SHORTLIST_SIZE = 3

# Transitions a person or system may make, from -> allowed targets.
ALLOWED = {
    Status.DRAFT: {Status.OPEN, Status.CANCELLED},
    Status.OPEN: {Status.CLOSED, Status.NO_SUITABLE_OFFER, Status.CANCELLED},
    Status.CLOSED: {Status.SHORTLISTED, Status.NO_SUITABLE_OFFER, Status.CANCELLED},
    Status.SHORTLISTED: {Status.AWARDED, Status.NO_SUITABLE_OFFER, Status.CANCELLED},
    Status.AWARDED: {Status.PLACED},
    Status.NO_SUITABLE_OFFER: {Status.OPEN},
    Status.PLACED: set(),
    Status.CANCELLED: set(),
}


def transition(placement_request, to, *, actor=None, reason="", request=None, now=None):
    """Move a (locked) request to `to`, or refuse if its status does not allow it."""
    current = placement_request.status
    if to not in ALLOWED[current]:
        raise DomainError(
            f"A request that is {Status(current).label.lower()} cannot become "
            f"{Status(to).label.lower()}."
        )
    placement_request.status = to
    placement_request.save(update_fields=["status", "updated_at", *_status_fields(to)])
    RequestTransition.objects.create(
        request=placement_request,
        from_status=current,
        to_status=to,
        actor=actor.user if actor else None,
        actor_label=actor.label if actor else "system",
        reason=reason,
        at=now or timezone.now(),
    )
    audit_record(
        actor=actor,
        action=f"request.{to}",
        obj=placement_request,
        organisation=placement_request.borough,
        request=request,
        detail={"from": current, "to": to, "reason": reason},
    )


def _status_fields(to):
    return {
        Status.OPEN: ["published_at", "bid_deadline", "closed_at", "ineligible_counts"],
        Status.CLOSED: ["closed_at"],
        Status.CANCELLED: ["cancel_reason", "status_reason"],
        Status.NO_SUITABLE_OFFER: ["status_reason", "closed_at"],
    }.get(to, [])
