"""After the shortlist: the young person's view of each offer, the award that creates the
placement and its Individual Placement Agreement, and the placement's start."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from dps.services import DomainError
from dps.services.audit import audit_record
from dps.tenancy import Actor
from providers.selectors.arrangement import pending_applications

from ..access import require_borough_writer
from ..models import Bid, Placement, PlacementRequest
from ..models.placements import PLACEMENT_STATES
from ..models.requests import REQUEST_STATES
from ..selectors.distance import placement_distance
from . import budget
from .fees import fee_agreed
from .notify import notify_providers, opportunity_path
from .transitions import SHORTLIST_SIZE, transition

Status = PlacementRequest.Status
log = logging.getLogger(__name__)


@transaction.atomic
def young_person_view_record(*, actor: Actor | None, bid: Bid, view: str | None) -> Bid:
    """Record what the young person thinks of a shortlisted offer."""
    actor = require_borough_writer(actor, bid.request)
    bid = Bid.objects.select_for_update().select_related("request").get(pk=bid.pk)
    REQUEST_STATES.guard(bid.request, action="young_person_view")
    if bid.status != Bid.Status.SUBMITTED or not bid.rank or bid.rank > SHORTLIST_SIZE:
        raise DomainError("Only a shortlisted offer's view can be recorded.")
    view = (view or "").strip()
    if not view:
        raise DomainError("Enter the young person's view.", "view")
    bid.young_person_view = view
    bid.young_person_view_at = timezone.now()
    bid.young_person_view_by = actor.user
    bid.save(update_fields=["young_person_view", "young_person_view_at", "young_person_view_by"])
    audit_record(
        actor=actor,
        action="bid.young_person_view",
        obj=bid.request,
        detail={"bid": bid.pk},
    )
    return bid


def award(
    *,
    actor: Actor | None,
    placement_request: PlacementRequest,
    bid: Bid | int,
    reason: str | None = "",
    pending_applications_considered: bool = False,
) -> Placement:
    """Award a ranked bid. The top-ranked one needs no reason; any other needs a written reason.
    Under a dynamic market or legacy DPS, applications to the lot still pending must have been
    considered first (Procurement Act 2023 s.34(4)): the officer confirms it.
    The request row is locked and the placement is unique per request, so of two officers
    awarding at once exactly one succeeds; the other is told it is already awarded."""
    try:
        with transaction.atomic():
            placement = _award(
                actor, placement_request, bid, reason, pending_applications_considered
            )
    except IntegrityError as exc:  # the unique placement per request, if the lock was absent
        raise DomainError("This request has already been awarded.") from exc
    transaction.on_commit(lambda: _enqueue_ipa(placement.pk))
    return placement


def _enqueue_ipa(placement_id):
    """Render the IPA on a worker. Where tasks run inline (the embedded mode has no worker) it
    is left to the first download: rendering a PDF takes seconds, and the officer who awarded
    would wait for it. A broker that is down is not an error either: the first download
    renders it."""
    from ..tasks import ipa_generate_task

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    try:
        ipa_generate_task.apply_async((placement_id,), retry=False)
    except Exception:
        log.warning("Could not queue the IPA of placement %s.", placement_id, exc_info=True)


def _award(actor, placement_request, bid, reason, pending_considered=False):
    require_borough_writer(actor, placement_request)
    placement_request = PlacementRequest.objects.select_for_update().get(pk=placement_request.pk)
    REQUEST_STATES.guard(placement_request, action="award")
    pending = list(pending_applications(placement_request.lot).values_list("pk", flat=True))
    if pending and not pending_considered:
        raise DomainError(
            f"{len(pending)} application{'s' if len(pending) != 1 else ''} to join this lot "
            f"{'are' if len(pending) != 1 else 'is'} still pending: confirm that you considered "
            "them before awarding.",
            "pending_applications_considered",
        )
    bid = (
        Bid.objects.filter(pk=getattr(bid, "pk", bid), request=placement_request)
        .select_related("service", "provider")
        .first()
    )
    if bid is None or bid.status != Bid.Status.SUBMITTED or bid.rank is None:
        raise DomainError("Choose one of the valid bids.", "bid")
    reason = (reason or "").strip()
    if bid.rank != 1 and not reason:
        raise DomainError(
            "Say why you are choosing this bid rather than the top-ranked one.", "reason"
        )
    over_budget = budget.award_check(placement_request, bid, reason)
    weeks = placement_request.duration_weeks
    where = placement_distance(placement_request, bid.service)
    placement = Placement.objects.create(
        request=placement_request,
        bid=bid,
        borough=placement_request.borough,
        provider=bid.provider,
        service=bid.service,
        lot=placement_request.lot,
        child_reference=placement_request.reference,
        weekly_fee=bid.weekly_fee,
        needs_total=placement_request.total_need_score,
        start_date=bid.start_date,
        planned_end_date=bid.start_date + timedelta(weeks=weeks) if weeks else None,
        award_reason=reason,
        awarded_by=actor.user,
        distance_miles=where.distance.miles,
        distance_unknown=where.distance.unknown,
        council=where.council,
        outside_boundary=where.outside_boundary,
    )
    fee_agreed(placement=placement, recorded_by=actor.user, reason="The awarded bid's fee.")
    transition(
        placement_request,
        Status.AWARDED,
        actor=actor,
        reason=reason or "The top-ranked bid.",
    )
    audit_record(
        actor=actor,
        action="placement.created",
        obj=placement,
        organisation=placement_request.borough,
        detail={
            "bid": bid.pk,
            "rank": bid.rank,
            "weekly_fee": str(bid.weekly_fee),
            **({"over_budget": over_budget} if over_budget else {}),
            **({"pending_applications_considered": pending} if pending else {}),
        },
    )
    _tell_bidders(placement_request, placement)
    return placement


def _tell_bidders(placement_request, placement):
    path_for = opportunity_path(placement_request)
    key = f"request:{placement_request.pk}:award"
    valid = Bid.objects.filter(request=placement_request, status=Bid.Status.SUBMITTED)
    total = valid.count()
    for bid in valid:
        won = bid.pk == placement.bid_id
        notify_providers(
            [bid.provider_id],
            "placement_awarded" if won else "placement_unsuccessful",
            {
                "placement_request": placement_request,
                "bid": bid,
                "placement": placement,
                "valid_bids": total,
            },
            key,
            path_for=path_for,
        )


def ipa_ensure(placement: Placement) -> bytes:
    """The placement's IPA as PDF bytes, rendered and stored the first time it is asked for."""
    if placement.ipa_pdf:
        try:
            with placement.ipa_pdf.open("rb") as pdf:
                return pdf.read()
        except FileNotFoundError:
            pass
    from .ipa import ipa_render

    content = ipa_render(placement)
    placement.ipa_pdf.save(f"ipa-{placement.pk}.pdf", ContentFile(content), save=False)
    Placement.objects.filter(pk=placement.pk).update(ipa_pdf=placement.ipa_pdf.name)
    return content


@transaction.atomic
def placement_start(
    *, actor: Actor | None, placement: Placement, actual_start_date: date | None
) -> Placement:
    """Record that the child moved in: the placement starts and the request is placed."""
    placement_request = placement.request
    actor = require_borough_writer(actor, placement)
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    PLACEMENT_STATES.guard(placement, action="start")
    if actual_start_date is None:
        raise DomainError("Enter the date the placement started.", "actual_start_date")
    if actual_start_date > timezone.localdate():
        raise DomainError("The start date cannot be in the future.", "actual_start_date")
    placement.actual_start_date = actual_start_date
    PLACEMENT_STATES.move(
        placement, Placement.Status.STARTED, actor=actor, fields=["actual_start_date"]
    )
    if placement_request is not None:
        locked = PlacementRequest.objects.select_for_update().get(pk=placement_request.pk)
        transition(locked, Status.PLACED, actor=actor)
    audit_record(
        actor=actor,
        action="placement.started",
        obj=placement,
        detail={"actual_start_date": actual_start_date.isoformat()},
    )
    return placement
