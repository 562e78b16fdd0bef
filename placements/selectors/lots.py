"""The lots a consortium admin sets the mini-competition's rules of, and the requests that keep
those rules from changing."""

from django.db.models import QuerySet

from dps.tenancy import Actor
from providers.models import Lot

from ..models import PlacementRequest


def lots_administered_by(actor: Actor | None) -> QuerySet[Lot]:
    """The lots of the admin's own consortium."""
    if actor is None:
        return Lot.objects.none()
    return Lot.objects.filter(consortium=actor.organisation).order_by("position", "name", "pk")


def open_requests_on(lot: Lot) -> QuerySet[PlacementRequest]:
    return PlacementRequest.objects.filter(lot=lot, status=PlacementRequest.Status.OPEN)
