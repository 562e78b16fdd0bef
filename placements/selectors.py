"""Who may see which requests, invitations, bids and placements. Every page, endpoint, export
and email of the placements app starts from these querysets.

Bids are sealed: until a request closes, nobody but the bidding provider sees a bid, nor how many
there are. `bids_visible_to` is the one place that rule lives."""

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Q, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from .models import Bid, Placement, PlacementRequest, ProviderInvitation, Question

Status = PlacementRequest.Status


def can_write_requests(actor):
    """Placement officers, and the borough's case systems with the write scope."""
    return actor is not None and actor.is_borough_writer


def require_borough_writer(actor, record=None):
    """Refuse anyone but a borough's placement officers (and its case systems with the write
    scope); given a record of a borough (a request, a placement), refuse other boroughs too."""
    if not can_write_requests(actor):
        raise PermissionDenied("Only the borough's placement officers can do this.")
    if record is not None and record.borough_id != actor.organisation.pk:
        raise PermissionDenied("This belongs to another borough.")


def can_bid(actor):
    """Provider admins and bidders, and the provider's systems with the write scope."""
    return actor is not None and actor.is_bidder


def requests_visible_to(actor):
    if actor is None:
        return PlacementRequest.objects.none()
    qs = PlacementRequest.objects.select_related("lot", "borough")
    if actor.is_borough:
        return qs.filter(borough=actor.organisation)
    if actor.is_provider:
        return qs.filter(invitations__provider=actor.organisation).exclude(status=Status.DRAFT)
    return PlacementRequest.objects.none()


def invitations_visible_to(actor):
    if actor is None:
        return ProviderInvitation.objects.none()
    qs = ProviderInvitation.objects.select_related("request", "request__lot", "provider")
    if actor.is_provider:
        return qs.filter(provider=actor.organisation).exclude(request__status=Status.DRAFT)
    if actor.is_borough:
        return qs.filter(request__borough=actor.organisation)
    return ProviderInvitation.objects.none()


def bids_visible_to(actor):
    if actor is None:
        return Bid.objects.none()
    qs = Bid.objects.select_related("request", "request__lot", "provider", "service")
    if actor.is_provider:
        return qs.filter(provider=actor.organisation)
    if actor.is_borough:
        # A bid withdrawn before the deadline was never made, as far as the borough knows.
        return qs.filter(
            request__borough=actor.organisation, request__closed_at__isnull=False
        ).exclude(status=Bid.Status.WITHDRAWN)
    return Bid.objects.none()


def responses_shown_to_borough(placement_request):
    """Which providers viewed or declined their invitations, and who asked which question,
    bound how many bids there can be: like the bids, the borough learns it only once the
    deadline has passed."""
    deadline = placement_request.bid_deadline
    return placement_request.bids_unsealed or (deadline is not None and timezone.now() >= deadline)


def sealed_bid_events():
    """Audit events about bids on requests not yet closed: hidden from the audit log until the
    bids are opened (registered in dps.tenancy.AUDIT_SEALED)."""
    sealed = (
        Bid.objects.filter(request__closed_at__isnull=True)
        .annotate(key=Cast("pk", CharField()))
        .values("key")
    )
    return Q(object_type=Bid._meta.label, object_id__in=Subquery(sealed))


def placements_visible_to(actor):
    if actor is None:
        return Placement.objects.none()
    qs = Placement.objects.select_related("borough", "provider", "service", "lot", "request")
    if actor.is_borough:
        return qs.filter(borough=actor.organisation)
    if actor.is_provider:
        return qs.filter(provider=actor.organisation)
    return Placement.objects.none()


def questions_visible_to(actor, placement_request):
    """The borough sees every question on its request; a provider its own questions and the
    answers shared with every invited provider."""
    if actor is None:
        return Question.objects.none()
    qs = Question.objects.filter(request=placement_request)
    if actor.is_borough and placement_request.borough_id == actor.organisation.pk:
        return qs.select_related("provider")
    if actor.is_provider:
        return qs.filter(Q(provider=actor.organisation) | Q(shared=True, answered_at__isnull=False))
    return Question.objects.none()


def invitation_for(actor, placement_request):
    """The actor's invitation to a request, or None."""
    if actor is None or not actor.is_provider:
        return None
    return ProviderInvitation.objects.filter(
        request=placement_request, provider=actor.organisation
    ).first()
