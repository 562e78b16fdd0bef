"""What the home page shows of the mini-competition: a borough's requests by state and those
waiting for the officer; a provider's requests open for bids. Counts are of requests and
invitations, never of bids, so nothing sealed shows."""

from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from dps.tenancy import Actor

from ..models import PlacementRequest, Question
from .invitations import invitations_visible_to
from .requests import requests_visible_to

Status = PlacementRequest.Status
# The states where the next step is the officer's.
WAITING = {
    Status.DRAFT: "Drafts to finish and publish",
    Status.CLOSED: "Bids opened: shortlists to confirm",
    Status.SHORTLISTED: "Shortlists to award",
    Status.AWARDED: "Awarded: starts to record",
}


def questions_waiting(actor: Actor) -> QuerySet[Question]:
    """Providers' questions the officer has still to answer: those on requests open for bids
    (once bids close a question can no longer be answered), the longest waiting first."""
    return (
        Question.objects.filter(
            request__in=requests_visible_to(actor),
            request__status=Status.OPEN,
            request__bid_deadline__gt=timezone.now(),
            answered_at__isnull=True,
        )
        .select_related("request")
        .order_by("asked_at", "id")
    )


def home_context(actor: Actor) -> dict[str, Any]:
    if actor.is_borough:
        waiting = questions_waiting(actor) if actor.is_borough_writer else Question.objects.none()
        counts = dict(
            requests_visible_to(actor).values_list("status").annotate(n=Count("pk")).order_by()
        )
        return {
            "request_counts": [
                (status, label, counts.get(status, 0))
                for status, label in Status.choices
                if counts.get(status)
            ],
            "requests_waiting": [
                (status, label, counts[status])
                for status, label in WAITING.items()
                if counts.get(status)
            ],
            "open_requests": requests_visible_to(actor)
            .filter(status=Status.OPEN)
            .order_by("bid_deadline")[:5],
            "questions_waiting": waiting[:5],
            "questions_waiting_count": waiting.count(),
        }
    if actor.is_provider:
        invitations = invitations_visible_to(actor).filter(
            request__status=Status.OPEN,
            request__bid_deadline__gt=timezone.now(),
            declined_at__isnull=True,
        )
        return {
            "open_invitations": invitations.order_by("request__bid_deadline")[:5],
            "open_invitation_count": invitations.count(),
        }
    return {}
