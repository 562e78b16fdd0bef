"""Which placements an actor sees: a borough's own, a provider's own."""

from django.db.models import QuerySet

from dps.tenancy import Actor

from ..models import Placement


def placements_visible_to(actor: Actor | None) -> QuerySet[Placement]:
    if actor is None:
        return Placement.objects.none()
    qs = Placement.objects.select_related("borough", "provider", "service", "lot", "request")
    if actor.is_borough:
        return qs.filter(borough=actor.organisation)
    if actor.is_provider:
        return qs.filter(provider=actor.organisation)
    return Placement.objects.none()
