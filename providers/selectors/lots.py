"""Reads of the lots: which lots an actor may see."""

from django.db.models import Q, QuerySet

from dps.tenancy import Actor

from ..models import Lot


def lots_visible_to(actor: Actor | None) -> QuerySet[Lot]:
    """Boroughs and consortium admins see their DPS's lots; providers see every active lot,
    since they may apply to join any."""
    if actor is None:
        return Lot.objects.none()
    consortium = actor.consortium
    if consortium is not None:
        return Lot.objects.filter(consortium=consortium)
    return Lot.objects.filter(Q(is_active=True))
