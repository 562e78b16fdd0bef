"""Reads of the providers app, scoped to the actor (see dps.tenancy)."""

from django.db.models import Q

from ..models import Lot


def consortium_of(actor):
    """The consortium whose DPS the actor works in (None for providers, who may join any)."""
    return actor.consortium if actor is not None else None


def lots_visible_to(actor):
    """Boroughs and consortium admins see their DPS's lots; providers see every active lot,
    since they may apply to join any."""
    if actor is None:
        return Lot.objects.none()
    consortium = consortium_of(actor)
    if consortium is not None:
        return Lot.objects.filter(consortium=consortium)
    return Lot.objects.filter(Q(is_active=True))
