"""Which bids an actor sees.

Bids are sealed: until a request closes, nobody but the bidding provider sees a bid, nor how many
there are. `bids_visible_to` is the one place that rule lives."""

from django.db.models import CharField, Q, QuerySet, Subquery
from django.db.models.functions import Cast

from dps.tenancy import Actor

from ..models import Bid


def bids_visible_to(actor: Actor | None) -> QuerySet[Bid]:
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


def bids_readable_by(actor: Actor | None) -> QuerySet[Bid]:
    """The bids the actor may see; a borough does not see an offer its provider withdrew."""
    bids = bids_visible_to(actor)
    if actor is not None and actor.is_borough:
        bids = bids.exclude(status=Bid.Status.WITHDRAWN)
    return bids


def sealed_bid_events() -> Q:
    """Audit events about bids on requests not yet closed: hidden from the audit log until the
    bids are opened (registered in dps.tenancy.AUDIT_SEALED)."""
    sealed = (
        Bid.objects.filter(request__closed_at__isnull=True)
        .annotate(key=Cast("pk", CharField()))
        .values("key")
    )
    return Q(object_type=Bid._meta.label, object_id__in=Subquery(sealed))
