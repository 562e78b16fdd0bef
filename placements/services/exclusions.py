"""Exclusions: the consortium admin records that a supplier is excluded (a mandatory ground,
Procurement Act 2023 Sch. 6) or excludable (a discretionary ground, Sch. 7), removes it from
the arrangement, and lifts the exclusion. It lives here, not in providers, because removal
reaches the placements app's invitations and bids.

Removal, at once for an excluded supplier and when the admin decides for an excludable one:
- its enrolments on the consortium's lots are suspended with the cause "exclusion" (so
  eligibility leaves it out, as "not_active", and once the exclusion is lifted it applies again;
  it is never re-enrolled automatically);
- its invitations to the consortium's competitions not yet awarded are withdrawn;
- its submitted bids on them are withdrawn.
bid_save refuses a supplier excluded from the request's consortium. Each step is audited."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from dps.models import Organisation
from dps.services import DomainError
from dps.services.audit import audit_record
from dps.tenancy import Actor
from providers.access import require_consortium_admin
from providers.models import Enrolment, Exclusion
from providers.services.enrolment import enrolment_suspend_for_exclusion

from ..models import Bid, PlacementRequest, ProviderInvitation
from ..models.bids import BID_STATES

Status = PlacementRequest.Status
# Competitions still running: a removed supplier's invitations and bids on these are withdrawn.
NOT_YET_AWARDED = (Status.OPEN, Status.CLOSED, Status.SHORTLISTED)


def _require_reason(value, field="reason"):
    value = (value or "").strip()
    if not value:
        raise DomainError("Give the reason.", field=field)
    return value


@transaction.atomic
def exclusion_record(
    *,
    actor: Actor | None,
    provider: Organisation,
    kind: str,
    ground: str,
    found_on: date,
    reason: str,
    source: str = Exclusion.Source.ASSESSMENT,
    remove: bool = False,
) -> Exclusion:
    """Record that a supplier is excluded or excludable. An excluded supplier is removed at
    once; an excludable one when `remove` is ticked (or later, exclusion_remove)."""
    actor = require_consortium_admin(actor)
    if provider.kind != Organisation.Kind.PROVIDER:
        raise DomainError("Choose a provider.", field="provider")
    if kind not in Exclusion.Kind.values:
        raise DomainError("Say whether the supplier is excluded or excludable.", field="kind")
    if source not in Exclusion.Source.values:
        raise DomainError("Choose the source.", field="source")
    ground = _require_reason(ground, "ground")
    reason = _require_reason(reason)
    if found_on > timezone.localdate():
        raise DomainError("The date cannot be in the future.", field="found_on")
    if Exclusion.objects.filter(
        consortium=actor.organisation, provider=provider, lifted_on__isnull=True
    ).exists():
        raise DomainError(
            f"{provider.name} already has an exclusion in force: lift it first.", field="provider"
        )
    exclusion = Exclusion(
        consortium=actor.organisation,
        provider=provider,
        kind=kind,
        ground=ground,
        source=source,
        found_on=found_on,
        reason=reason,
        created_by=actor.user,
    )
    exclusion.full_clean(validate_constraints=False)
    exclusion.save()
    audit_record(
        actor=actor,
        action="exclusion.record",
        obj=exclusion,
        organisation=actor.organisation,
        detail={"provider": provider.pk, "kind": kind, "ground": ground, "source": source},
    )
    if kind == Exclusion.Kind.EXCLUDED or remove:
        _remove(actor, exclusion, reason)
    return exclusion


@transaction.atomic
def exclusion_remove(*, actor: Actor | None, exclusion: Exclusion, reason: str) -> Exclusion:
    """Remove an excludable supplier from the arrangement, with the reason."""
    actor = require_consortium_admin(actor, exclusion.consortium)
    exclusion = Exclusion.objects.select_for_update().get(pk=exclusion.pk)
    if exclusion.lifted_on is not None:
        raise DomainError("This exclusion has been lifted.")
    if exclusion.removed:
        raise DomainError("This supplier has already been removed.")
    _remove(actor, exclusion, _require_reason(reason))
    return exclusion


def _remove(actor, exclusion, reason):
    exclusion.removed = True
    exclusion.save(update_fields=["removed"])
    provider = exclusion.provider
    why = f"Excluded from the arrangement: {reason}"
    enrolments = Enrolment.objects.filter(
        provider=provider, lot__consortium=exclusion.consortium
    ).exclude(status=Enrolment.Status.REMOVED)
    suspended = [e.pk for e in enrolments if enrolment_suspend_for_exclusion(
        actor=actor, enrolment=e, reason=why
    )]  # fmt: skip
    running = PlacementRequest.objects.filter(
        lot__consortium=exclusion.consortium, status__in=NOT_YET_AWARDED
    )
    now = timezone.now()
    invitations = list(
        ProviderInvitation.objects.select_for_update().filter(
            provider=provider, request__in=running, withdrawn_at__isnull=True
        )
    )
    for invitation in invitations:
        invitation.withdrawn_at, invitation.withdrawn_reason = now, why
        invitation.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        audit_record(
            actor=actor,
            action="invitation.withdrawn",
            obj=invitation,
            organisation=exclusion.consortium,
            detail={"request": invitation.request_id, "exclusion": exclusion.pk},
        )
    bids = list(
        Bid.objects.select_for_update().filter(
            provider=provider, request__in=running, status=Bid.Status.SUBMITTED
        )
    )
    for bid in bids:
        bid.withdrawn_at = now
        BID_STATES.move(
            bid, Bid.Status.WITHDRAWN, actor=actor, reason=why, fields=["withdrawn_at"], at=now
        )
        audit_record(
            actor=actor,
            action="bid.withdrawn",
            obj=bid,
            organisation=exclusion.consortium,
            detail={"request": bid.request_id, "exclusion": exclusion.pk},
        )
    audit_record(
        actor=actor,
        action="exclusion.remove",
        obj=exclusion,
        organisation=exclusion.consortium,
        detail={
            "reason": reason,
            "enrolments": suspended,
            "invitations": [i.pk for i in invitations],
            "bids": [b.pk for b in bids],
        },
    )


@transaction.atomic
def exclusion_lift(
    *, actor: Actor | None, exclusion: Exclusion, lifted_on: date, reason: str
) -> Exclusion:
    """Lift an exclusion: the supplier may apply again (it is not re-enrolled)."""
    actor = require_consortium_admin(actor, exclusion.consortium)
    exclusion = Exclusion.objects.select_for_update().get(pk=exclusion.pk)
    if exclusion.lifted_on is not None:
        raise DomainError("This exclusion has already been lifted.")
    if lifted_on < exclusion.found_on:
        raise DomainError("It cannot be lifted before it was found.", field="lifted_on")
    if lifted_on > timezone.localdate():
        raise DomainError("The date cannot be in the future.", field="lifted_on")
    exclusion.lifted_on = lifted_on
    exclusion.lifted_reason = _require_reason(reason)
    exclusion.save(update_fields=["lifted_on", "lifted_reason"])
    audit_record(
        actor=actor,
        action="exclusion.lift",
        obj=exclusion,
        organisation=exclusion.consortium,
        detail={"lifted_on": str(lifted_on), "reason": exclusion.lifted_reason},
    )
    return exclusion
