"""Which invitations to bid an actor sees: a provider its own (its "opportunities"), a borough
those on its requests."""

from django.db.models import OuterRef, QuerySet, Subquery

from dps.tenancy import Actor

from ..models import Bid, PlacementRequest, ProviderInvitation

Status = PlacementRequest.Status


def invitations_visible_to(actor: Actor | None) -> QuerySet[ProviderInvitation]:
    if actor is None:
        return ProviderInvitation.objects.none()
    qs = ProviderInvitation.objects.select_related("request", "request__lot", "provider")
    if actor.is_provider:
        # An invitation withdrawn (the provider was excluded) is no longer its opportunity.
        return qs.filter(provider=actor.organisation, withdrawn_at__isnull=True).exclude(
            request__status=Status.DRAFT
        )
    if actor.is_borough:
        return qs.filter(request__borough=actor.organisation)
    return ProviderInvitation.objects.none()


def opportunities_of(actor: Actor | None) -> QuerySet[ProviderInvitation]:
    """The invitations as the provider's API reads them: with the request's borough, the
    services it was sent for, and the id of the provider's own bid (if any)."""
    own_bid = Bid.objects.filter(request=OuterRef("request"), provider=OuterRef("provider"))
    return (
        invitations_visible_to(actor)
        .select_related("request__borough")
        .annotate(own_bid_id=Subquery(own_bid.values("pk")[:1]))
        .prefetch_related("services")
    )


def invitation_for(
    actor: Actor | None, placement_request: PlacementRequest
) -> ProviderInvitation | None:
    """The actor's invitation to a request, or None."""
    if actor is None or not actor.is_provider:
        return None
    return ProviderInvitation.objects.filter(
        request=placement_request, provider=actor.organisation
    ).first()
