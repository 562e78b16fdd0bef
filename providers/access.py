"""Who may touch which of the providers app's objects, decided once here.

A service's Ofsted rating feeds the quality score, and so the ranking of bids: its provider
cannot set it. The rating comes from the Ofsted import or a consortium admin's recorded
verification. The provider's admins (and its API clients with the write scope) may propose a
correction; the admin of a consortium the provider is enrolled with confirms or rejects it.
Anyone else's proposal is the same 404 as one that does not exist."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import RatingProposal
from .selectors.services import services_visible_to
from .services.services import can_manage_services


def may_propose_ratings(actor):
    return can_manage_services(actor)


def may_verify_ratings(actor):
    return actor is not None and actor.is_consortium_writer


def rating_proposals_visible_to(actor):
    """A provider's proposals on its own services; a consortium admin's on the services it
    oversees (those of providers enrolled with its consortium). Nobody else's."""
    if actor is None or not (actor.is_provider or actor.is_consortium_admin):
        return RatingProposal.objects.none()
    return RatingProposal.objects.filter(service__in=services_visible_to(actor)).select_related(
        "service", "service__provider", "proposed_by", "decided_by"
    )


def get_rating_proposal_for_actor(actor, pk, *, decide=False):
    """The proposal, or 404 (another's, or none); with `decide`, 403 for anyone but a
    consortium admin who may write."""
    try:
        found = rating_proposals_visible_to(actor).get(pk=pk)
    except (RatingProposal.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if decide and not may_verify_ratings(actor):
        raise PermissionDenied
    return found
