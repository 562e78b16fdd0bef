"""Who may touch which of the placements app's objects, decided once here.

Each `get_<thing>_for_actor` returns the object from the actor's visible queryset (see
selectors): another tenant's object, a missing one and a malformed id are the same 404, in pages
and API alike. With `write`, a role that only reads (a borough's commissioners, a provider's
other staff, an API client without the write scope) is refused with a 403. Services, handed an
object already, refuse a write by anyone but the borough that owns it with
`require_borough_writer`."""

from django.core.exceptions import PermissionDenied

from dps.tenancy import Actor, get_or_404

from .models import Bid, Placement, PlacementRequest, ProviderInvitation, Question
from .selectors.bids import bids_visible_to
from .selectors.invitations import invitations_visible_to, opportunities_of
from .selectors.placements import placements_visible_to
from .selectors.questions import questions_visible_to
from .selectors.requests import requests_visible_to

BOROUGH_WRITERS_ONLY = "Only the borough's placement officers can change requests."
BIDDERS_ONLY = "Only the provider's admins and bidders can bid."


def _borough_writes(actor: Actor | None) -> None:
    if actor is None or not actor.is_borough_writer:
        raise PermissionDenied(BOROUGH_WRITERS_ONLY)


def _bidder_writes(actor: Actor | None) -> None:
    if actor is None or not actor.is_bidder:
        raise PermissionDenied(BIDDERS_ONLY)


def get_request_for_actor(
    actor: Actor | None, pk: int | str, *, write: bool = False
) -> PlacementRequest:
    """A placement request; `write`: its borough's placement officers and case systems."""
    placement_request = get_or_404(requests_visible_to(actor), pk=pk)
    if write:
        _borough_writes(actor)
    return placement_request


def get_invitation_for_actor(
    actor: Actor | None, pk: int | str, *, write: bool = False, as_opportunity: bool = False
) -> ProviderInvitation:
    """An invitation to bid, with the services it was sent for; `as_opportunity`, also with the
    id of the provider's own bid (as the API reads it). `write` (bid, decline, ask): the
    provider's admins, bidders and systems."""
    if as_opportunity:
        invitations = opportunities_of(actor)
    else:
        invitations = invitations_visible_to(actor).prefetch_related("services")
    invitation = get_or_404(invitations, pk=pk)
    if write:
        _bidder_writes(actor)
    return invitation


def get_bid_for_actor(
    actor: Actor | None,
    pk: int | str,
    *,
    write: bool = False,
    placement_request: PlacementRequest | None = None,
) -> Bid:
    """A bid (a borough's only once its request has closed), on `placement_request` if given.
    `write`: for its provider, the admins, bidders and systems who change or withdraw it; for
    the borough, the placement officers who record the young person's view of it."""
    bids = bids_visible_to(actor)
    if placement_request is not None:
        bids = bids.filter(request=placement_request)
    bid = get_or_404(bids, pk=pk)
    if write:
        if actor is not None and actor.is_provider:
            _bidder_writes(actor)
        else:
            _borough_writes(actor)
    return bid


def get_question_for_actor(
    actor: Actor | None,
    pk: int | str,
    *,
    write: bool = False,
    placement_request: PlacementRequest | None = None,
) -> Question:
    """A question on a request the actor sees, on `placement_request` if given; `write` (the
    answer): the borough's placement officers and case systems."""
    questions = questions_visible_to(actor, placement_request)
    question = get_or_404(questions.select_related("request", "provider"), pk=pk)
    if write:
        _borough_writes(actor)
    return question


def get_placement_for_actor(
    actor: Actor | None, pk: int | str, *, write: bool = False
) -> Placement:
    """A placement, with its bid and who awarded it; `write` (the start): the borough's
    placement officers and case systems."""
    placement = get_or_404(placements_visible_to(actor).select_related("bid", "awarded_by"), pk=pk)
    if write:
        _borough_writes(actor)
    return placement


def require_borough_writer(
    actor: Actor | None, record: PlacementRequest | Placement | None = None
) -> Actor:
    """Refuse anyone but a borough's placement officers (and its case systems with the write
    scope); given a record of a borough (a request, a placement), refuse other boroughs too.
    Returns the actor, known now to be one."""
    if actor is None or not actor.is_borough_writer:
        raise PermissionDenied("Only the borough's placement officers can do this.")
    if record is not None and record.borough_id != actor.organisation.pk:
        raise PermissionDenied("This belongs to another borough.")
    return actor
