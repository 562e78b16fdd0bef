"""Writes of a service's Ofsted rating besides the import: a consortium admin's recorded
verification, and a provider's proposed correction that the consortium confirms or rejects."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from dps.services import DomainError
from dps.services.audit import audit_record
from dps.tenancy import Actor

from ..access import may_propose_ratings, may_verify_ratings
from ..models import OfstedRating, RatingProposal, Service
from ..models.services import RATING_PROPOSAL_STATES
from ..selectors.services import rating_proposals_visible_to, services_visible_to
from . import quality
from .ofsted import OTHER_FIELDS, RECOMPUTE_TRIGGER

Status = RatingProposal.Status
NOTE_MAX = 2000


def _text(value, field, what):
    value = (value or "").strip()
    if not value:
        raise DomainError(f"Enter {what}.", field)
    if len(value) > NOTE_MAX:
        raise DomainError(f"{what.capitalize()} must be {NOTE_MAX} characters or fewer.", field)
    return value


def _rating_and_date(rating, inspection_date):
    if rating not in OfstedRating.values:
        raise DomainError("Choose a rating from the list.", "rating")
    if inspection_date and inspection_date > timezone.localdate():
        raise DomainError("The inspection date must be today or in the past.", "inspection_date")
    if rating == OfstedRating.NOT_YET_INSPECTED and inspection_date:
        raise DomainError("A service not yet inspected has no inspection date.", "inspection_date")


@transaction.atomic
def service_rating_verify(
    *,
    actor: Actor | None,
    service: Service,
    rating: str,
    inspection_date: date | None = None,
    note: str | None,
) -> Service:
    """A consortium admin records a service's rating after checking it (Ofsted's report):
    audited as the import's changes are, so the compliance KPI counts a downgrade either way."""
    if not may_verify_ratings(actor) or not services_visible_to(actor).filter(pk=service.pk):
        raise PermissionDenied("Only the consortium admin overseeing it can verify a rating.")
    _rating_and_date(rating, inspection_date)
    note = _text(note, "note", "how the rating was checked")
    service = Service.objects.select_for_update().select_related("provider").get(pk=service.pk)
    old = {
        "rating": service.ofsted_rating,
        "inspection_date": service.inspection_date.isoformat() if service.inspection_date else None,
    }
    service.ofsted_rating = rating
    service.inspection_date = inspection_date
    service.clean_fields(exclude=OTHER_FIELDS)
    service.save(update_fields=["ofsted_rating", "inspection_date", "updated_at"])
    audit_record(
        actor=actor,
        action="service.ofsted_rating",
        obj=service,
        detail={
            "urn": service.ofsted_urn,
            "old": old,
            "new": {
                "rating": rating,
                "inspection_date": inspection_date.isoformat() if inspection_date else None,
            },
            "source": "verification",
            "note": note,
        },
    )
    quality.quality_score_recompute(provider=service.provider, trigger=RECOMPUTE_TRIGGER)
    return service


@transaction.atomic
def rating_proposal_create(
    *,
    actor: Actor | None,
    service: Service,
    rating: str,
    inspection_date: date | None = None,
    note: str | None,
) -> RatingProposal:
    """A provider proposes a correction of its service's rating; nothing changes until the
    consortium confirms it. One proposal waits per service at a time."""
    if not may_propose_ratings(actor) or service.provider_id != actor.organisation.pk:
        raise PermissionDenied("Only the provider's admin can propose a correction.")
    _rating_and_date(rating, inspection_date)
    note = _text(note, "note", "why the rating on record is wrong")
    service = Service.objects.select_for_update().get(pk=service.pk)
    if not service.is_active:
        raise DomainError("Reactivate the service before correcting its rating.")
    if service.rating_proposals.filter(status=Status.PENDING).exists():
        raise DomainError("A correction of this rating is already waiting for the consortium.")
    if (service.ofsted_rating, service.inspection_date) == (rating, inspection_date):
        raise DomainError("This is the rating on record already.", "rating")
    proposal = RatingProposal(
        service=service,
        rating=rating,
        inspection_date=inspection_date,
        note=note,
        proposed_by=actor.user,
    )
    proposal.full_clean()
    proposal.save()
    audit_record(
        actor=actor,
        action="service.rating_proposed",
        obj=service,
        detail={"proposal": proposal.pk, "rating": rating, "note": note},
    )
    return proposal


def _decide(actor, proposal, to_status):
    """Lock the proposal and check the change is allowed (the transitions table)."""
    if not may_verify_ratings(actor) or not rating_proposals_visible_to(actor).filter(
        pk=proposal.pk
    ):
        raise PermissionDenied("Only the consortium admin overseeing it can decide on it.")
    proposal = (
        RatingProposal.objects.select_for_update().select_related("service").get(pk=proposal.pk)
    )
    RATING_PROPOSAL_STATES.guard(proposal, to_status)
    proposal.decided_by = actor.user
    proposal.decided_at = timezone.now()
    return proposal


@transaction.atomic
def rating_proposal_confirm(*, actor: Actor | None, proposal: RatingProposal) -> RatingProposal:
    """The consortium admin confirms the correction: the rating is set as a verification."""
    proposal = _decide(actor, proposal, Status.CONFIRMED)
    RATING_PROPOSAL_STATES.move(
        proposal, Status.CONFIRMED, actor=actor, fields=["decided_by", "decided_at"]
    )
    service_rating_verify(
        actor=actor,
        service=proposal.service,
        rating=proposal.rating,
        inspection_date=proposal.inspection_date,
        note=f"Confirmed the provider's correction {proposal.pk}: {proposal.note}",
    )
    return proposal


@transaction.atomic
def rating_proposal_reject(
    *, actor: Actor | None, proposal: RatingProposal, reason: str | None
) -> RatingProposal:
    """The consortium admin rejects the correction, saying why; the rating stays."""
    reason = _text(reason, "reason", "why the correction is rejected")
    proposal = _decide(actor, proposal, Status.REJECTED)
    proposal.decision_reason = reason
    RATING_PROPOSAL_STATES.move(
        proposal,
        Status.REJECTED,
        actor=actor,
        reason=reason,
        fields=["decided_by", "decided_at", "decision_reason"],
    )
    audit_record(
        actor=actor,
        action="service.rating_proposal_rejected",
        obj=proposal.service,
        detail={"proposal": proposal.pk, "reason": reason},
    )
    return proposal
