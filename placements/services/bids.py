"""Writes of a provider on a request it was invited to: bid, change, withdraw, re-confirm after a
change of terms, or decline.

The deadline is checked inside the transaction that saves, after locking the request row; the
closing task takes the same lock. So a bid either commits before the request closes (and is
evaluated) or is refused, however close to the deadline it arrives. "Before the deadline" means
received before it (see `received`): behind a proxy that stamps requests, a bid waiting for a
free worker at the deadline is still on time.

A bid holds the request's lock shared, so the bids of many providers in the last seconds save
side by side instead of queueing one behind another; the closing task and every other write of
the request take it exclusively, so they wait for the bids in flight (or, closing, skip the
request until its next run). A provider's own writes on one request take turns on its
invitation's row."""

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import cast

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format

from dps.services import DomainError
from dps.services.audit import audit_record
from dps.tenancy import Actor
from providers.models import Enrolment, Service
from providers.needs import INDICATOR_LABELS
from providers.selectors.arrangement import is_barred

from ..models import Bid, PlacementRequest, ProviderInvitation
from ..models.bids import BID_STATES
from . import budget

Status = PlacementRequest.Status
MAX_FEE = Decimal("99999.99")
PAST_DEADLINE = {
    Status.OPEN,
    Status.CLOSED,
    Status.SHORTLISTED,
    Status.AWARDED,
    Status.PLACED,
    Status.NO_SUITABLE_OFFER,
}


def _require_bidder(actor: Actor | None, invitation: ProviderInvitation) -> Actor:
    if actor is None or not actor.is_bidder:
        raise PermissionDenied("Only the provider's admins and bidders can bid.")
    if invitation.provider_id != actor.organisation.pk:
        raise PermissionDenied("This invitation is not yours.")
    return actor


def _lock_request(request_id, *, shared):
    """The request's row, locked until the transaction ends: shared (FOR SHARE, which Django's
    select_for_update cannot ask for) or exclusively. SQLite has no row locks; its writes take
    turns anyway."""
    if shared and connection.vendor == "postgresql":
        table = PlacementRequest._meta.db_table
        query = f"SELECT * FROM {table} WHERE id = %s FOR SHARE"  # noqa: S608 (a model's table)
        return next(iter(PlacementRequest.objects.raw(query, [request_id])))
    return PlacementRequest.objects.select_for_update().get(pk=request_id)


def received(actor: Actor) -> datetime:
    """When the service received this write: the actor's `received_at` (when the HTTP request
    that carries it arrived, see dps.middleware.received_at), or now. Every write of a bid is
    judged against the deadline by it, and dated by it."""
    return actor.received_at or timezone.now()


def _lock_open(invitation, now, *, shared=False):
    """Lock the request and check bids are still accepted; returns the locked request."""
    placement_request = _lock_request(invitation.request_id, shared=shared)
    deadline = placement_request.bid_deadline
    if placement_request.status == Status.OPEN and now < deadline:
        return placement_request
    if placement_request.status in PAST_DEADLINE:
        when = date_format(timezone.localtime(deadline), "j F Y \\a\\t H:i")
        raise DomainError(
            f"The deadline for bids passed at {when}. Bids can no longer be made or changed."
        )
    raise DomainError(
        f"This request is {placement_request.get_status_display().lower()}: bids are not accepted."
    )


def _money(value, field, label, *, allow_zero):
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise DomainError(f"Enter the {label} in pounds, like 1250.00.", field) from exc
    if amount < 0 or (amount == 0 and not allow_zero):
        raise DomainError(f"The {label} must be more than £0.", field)
    if amount > MAX_FEE:
        raise DomainError(f"The {label} must be £{MAX_FEE:,} or less.", field)
    return amount


def _clean_needs(needs_met, placement_request):
    clean = {}
    scored = {code for code, score in (placement_request.needs or {}).items() if score}
    for code, how in (needs_met or {}).items():
        if code not in INDICATOR_LABELS:
            raise DomainError(f"Unknown need: {code}.", "needs_met")
        if code not in scored:
            raise DomainError(
                f"{INDICATOR_LABELS[code]}: the request does not score this need.", "needs_met"
            )
        how = (how or "").strip()
        if how:
            clean[code] = how
    return clean


@transaction.atomic
def bid_save(
    *,
    actor: Actor | None,
    invitation: ProviderInvitation,
    service: Service | int | str,
    core_weekly_fee: Decimal | int | float | str | None,
    start_date: date | None,
    needs_met: Mapping[str, str | None] | None,
    extra_staffing_hours: Decimal | int | float | str | None = 0,
    extra_staffing_cost: Decimal | int | float | str | None = 0,
    volume_discount: str | None = "",
) -> Bid:
    """Make a bid, change it, or bid again after withdrawing. The weekly fee is the core fee
    plus the extra staffing cost."""
    actor = _require_bidder(actor, invitation)
    now = received(actor)
    # Bids of different providers do not conflict: each holds the request's lock shared, and
    # its invitation's exclusively (one write at a time per provider and request, always in
    # this order: the request, then the invitation).
    placement_request = _lock_open(invitation, now, shared=True)
    withdrawn_at = (
        ProviderInvitation.objects.select_for_update()
        .values_list("withdrawn_at", flat=True)
        .get(pk=invitation.pk)
    )
    if is_barred(invitation.provider_id, placement_request.lot.consortium_id):
        raise DomainError(
            "You are excluded from this consortium's arrangement, so you cannot bid. Contact "
            "the consortium."
        )
    if withdrawn_at is not None:
        raise DomainError("Your invitation to this request was withdrawn, so you cannot bid.")
    enrolment = Enrolment.objects.filter(
        provider_id=invitation.provider_id, lot_id=placement_request.lot_id
    ).first()
    if enrolment is None or enrolment.status != Enrolment.Status.ACTIVE:
        raise DomainError(
            "Your enrolment on this lot is not active, so you cannot bid. Contact the consortium."
        )
    service_id = cast("int | str", getattr(service, "pk", service))
    if not invitation.services.filter(pk=service_id, is_active=True).exists():
        raise DomainError("Choose one of your services that this request was sent for.", "service")
    core = _money(core_weekly_fee, "core_weekly_fee", "core weekly fee", allow_zero=False)
    extra = _money(extra_staffing_cost, "extra_staffing_cost", "extra staffing cost",
                   allow_zero=True)  # fmt: skip
    try:
        hours = Decimal(str(extra_staffing_hours or 0)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(
            "Enter the extra staffing hours as a number.", "extra_staffing_hours"
        ) from exc
    if not 0 <= hours <= 168:
        raise DomainError("Extra staffing hours must be 0 to 168 a week.", "extra_staffing_hours")
    if extra and not hours:
        raise DomainError("Say how many extra staffing hours the cost pays for.",
                          "extra_staffing_hours")  # fmt: skip
    budget.bid_check(placement_request, core + extra, field="core_weekly_fee")
    if start_date is None:
        raise DomainError("Enter the date the placement can start.", "start_date")
    if start_date < timezone.localdate(now):
        raise DomainError("The start date must be today or later.", "start_date")
    if start_date > timezone.localdate(now) + timedelta(days=3 * 366):
        raise DomainError("The start date must be within three years.", "start_date")
    fields = {
        "service_id": service_id,
        "core_weekly_fee": core,
        "extra_staffing_hours": hours,
        "extra_staffing_cost": extra,
        "weekly_fee": core + extra,
        "start_date": start_date,
        "needs_met": _clean_needs(needs_met, placement_request),
        "volume_discount": (volume_discount or "").strip(),
        "terms_version": placement_request.terms_version,
        "submitted_at": now,
        "status": Bid.Status.SUBMITTED,
        "withdrawn_at": None,
        "invalid_reason": "",
    }
    bid = Bid.objects.filter(request=placement_request, provider_id=invitation.provider_id).first()
    action = "bid.changed" if bid and bid.status == Bid.Status.SUBMITTED else "bid.submitted"
    if bid is None:
        bid = Bid.objects.create(
            request=placement_request,
            provider_id=invitation.provider_id,
            created_by=actor.user,
            **fields,
        )
    else:
        was = bid.status
        for name, value in fields.items():
            setattr(bid, name, value)
        bid.save()
        if was != Bid.Status.SUBMITTED:  # bid again after withdrawing, or after it was invalid
            BID_STATES.record(bid, was, Bid.Status.SUBMITTED, actor=actor, at=now)
    ProviderInvitation.objects.filter(pk=invitation.pk).update(declined_at=None, decline_reason="")
    audit_record(
        actor=actor,
        action=action,
        obj=bid,
        detail={"request": placement_request.pk, "weekly_fee": str(bid.weekly_fee)},
    )
    return bid


def _invitation_of(bid):
    return ProviderInvitation.objects.get(request_id=bid.request_id, provider_id=bid.provider_id)


@transaction.atomic
def bid_withdraw(*, actor: Actor | None, bid: Bid) -> Bid:
    invitation = ProviderInvitation.objects.get(
        request_id=bid.request_id, provider_id=bid.provider_id
    )
    actor = _require_bidder(actor, invitation)
    now = received(actor)
    _lock_open(invitation, now)
    bid = Bid.objects.select_for_update().get(pk=bid.pk)
    BID_STATES.guard(bid, action="withdraw")
    bid.withdrawn_at = now
    BID_STATES.move(bid, Bid.Status.WITHDRAWN, actor=actor, fields=["withdrawn_at"], at=now)
    audit_record(actor=actor, action="bid.withdrawn", obj=bid)
    return bid


@transaction.atomic
def bid_confirm(*, actor: Actor | None, bid: Bid) -> Bid:
    """Confirm a bid still stands after the request's terms changed."""
    invitation = ProviderInvitation.objects.get(
        request_id=bid.request_id, provider_id=bid.provider_id
    )
    actor = _require_bidder(actor, invitation)
    placement_request = _lock_open(invitation, received(actor))
    bid = Bid.objects.select_for_update().get(pk=bid.pk)
    BID_STATES.guard(bid, action="confirm")
    if bid.terms_version >= placement_request.terms_version:
        raise DomainError("This bid is already confirmed on the current terms.")
    budget.bid_check(placement_request, bid.weekly_fee)
    bid.terms_version = placement_request.terms_version
    bid.save(update_fields=["terms_version"])
    audit_record(
        actor=actor,
        action="bid.confirmed",
        obj=bid,
        detail={"terms_version": bid.terms_version},
    )
    return bid


@transaction.atomic
def invitation_decline(
    *, actor: Actor | None, invitation: ProviderInvitation, reason: str | None = ""
) -> ProviderInvitation:
    """Say the provider will not bid; it counts as an answer to the invitation."""
    actor = _require_bidder(actor, invitation)
    now = received(actor)
    _lock_open(invitation, now)
    if Bid.objects.filter(
        request_id=invitation.request_id,
        provider_id=invitation.provider_id,
        status=Bid.Status.SUBMITTED,
    ).exists():
        raise DomainError("Withdraw your bid before declining.")
    invitation = ProviderInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.declined_at:
        raise DomainError("You have already declined this request.")
    invitation.declined_at = now
    invitation.decline_reason = (reason or "").strip()
    invitation.save(update_fields=["declined_at", "decline_reason"])
    audit_record(
        actor=actor,
        action="invitation.declined",
        obj=invitation,
        detail={"request": invitation.request_id, "reason": invitation.decline_reason},
    )
    return invitation


def invitation_mark_viewed(*, invitation: ProviderInvitation) -> None:
    if invitation.first_viewed_at is None:
        ProviderInvitation.objects.filter(pk=invitation.pk, first_viewed_at__isnull=True).update(
            first_viewed_at=timezone.now()
        )
