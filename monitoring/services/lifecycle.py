"""A placement over time, as the borough's placement officers record it: reviews (the twelve
needs re-scored, progress on each desired outcome, education), changes of the weekly fee, the
ending, and placements bought outside the DPS (spot purchases). The provider and the borough's
commissioners read them (monitoring.selectors.lifecycle.placement_events); only the borough's
officers write (monitoring.access.may_record).

Each change is dated, attributed (recorded_by, or the audit event) and audited."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from dps.services import DomainError
from dps.services.audit import audit_record
from dps.tenancy import Actor
from finance.services.fees import fee_change_apply
from placements.models import Child, Fee, Placement
from placements.models.placements import PLACEMENT_STATES
from placements.services.fees import fee_agreed
from providers.models import Lot, Service
from providers.needs import DOMAINS, INDICATOR_CODES, INDICATOR_LABELS, MAX_SCORE

from ..access import may_record
from ..models import EducationStatus, PlacementReview
from ..selectors.lifecycle import (
    DOMAIN_LABELS,
    desired_outcome_domains,
    spot_lots,
    spot_services,
)
from ..ssda903_codes import END_REASONS, end_reason_label

Progress = PlacementReview.Progress
SCHOOL = {EducationStatus.ATTENDING, EducationStatus.NOT_ATTENDING}
POST_16 = {EducationStatus.EET, EducationStatus.NEET}
MAX_FEE = Decimal("9999999.99")
MAX_NOTE = 2000


def _require_officer(actor, placement=None):
    if not may_record(actor, placement):
        raise PermissionDenied("Only the borough's placement officers can record this.")


def _lock(placement):
    return Placement.objects.select_for_update().get(pk=placement.pk)


def started_on(placement: Placement) -> date:
    return placement.actual_start_date or placement.start_date


def _date(value, field, what):
    if value is None:
        raise DomainError(f"Enter the {what}.", field)
    if not isinstance(value, date):
        raise DomainError(f"Enter the {what} as a date.", field)
    return value


def _not_future(value, field, what):
    if value > timezone.localdate():
        raise DomainError(f"The {what} cannot be in the future.", field)


def _fee(value, field="weekly_fee"):
    try:
        fee = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError("Enter the weekly fee in pounds, like 3500.00.", field) from None
    if not fee.is_finite() or fee <= 0:
        raise DomainError("The weekly fee must be more than £0.", field)
    if fee > MAX_FEE:
        raise DomainError("The weekly fee is too large.", field)
    return fee


# --- Reviews --------------------------------------------------------------------------------


def age_on(placement: Placement, on: date) -> int | None:
    """The child's age on a day: from the date of birth if known, else from the age on the
    request, counted on from the placement's start. None if unknown."""
    child = placement.child
    if child is not None and child.date_of_birth:
        born = child.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    request = placement.request if placement.request_id else None
    if request is not None and request.age is not None:
        start = started_on(placement)
        years = on.year - start.year - ((on.month, on.day) < (start.month, start.day))
        return request.age + max(years, 0)
    return None


def _needs(needs):
    if not isinstance(needs, dict):
        raise DomainError("Score each of the twelve needs from 0 to 3.", "needs")
    unknown = sorted(set(needs) - set(INDICATOR_CODES))
    if unknown:
        raise DomainError(f"Unknown need: {unknown[0]}.", "needs")
    cleaned = {}
    for code in INDICATOR_CODES:
        score = needs.get(code)
        if isinstance(score, str) and score.strip().isdigit():
            score = int(score)
        if score is None or score == "":
            raise DomainError(f"Score {INDICATOR_LABELS[code].lower()} from 0 to 3.", "needs")
        if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= MAX_SCORE:
            raise DomainError(f"{INDICATOR_LABELS[code]}: the score must be 0 to 3.", "needs")
        cleaned[code] = score
    return cleaned


def _outcomes_progress(placement, progress):
    if progress is None:
        progress = {}
    if not isinstance(progress, dict):
        raise DomainError("Give the progress on each desired outcome.", "outcomes_progress")
    unknown = sorted(set(progress) - set(DOMAIN_LABELS))
    if unknown:
        raise DomainError(f"Unknown outcome domain: {unknown[0]}.", "outcomes_progress")
    cleaned = {}
    for code in desired_outcome_domains(placement):
        if not progress.get(code):
            raise DomainError(
                f"Give the progress on the desired outcome for {DOMAIN_LABELS[code]}.",
                "outcomes_progress",
            )
    for code, _label in DOMAINS:
        entry = progress.get(code)
        if not entry:
            continue
        if isinstance(entry, str):
            entry = {"progress": entry}
        if not isinstance(entry, dict):
            raise DomainError(
                f"{DOMAIN_LABELS[code]}: give the progress and a note.", "outcomes_progress"
            )
        value = entry.get("progress")
        if value not in Progress.values:
            raise DomainError(
                f"{DOMAIN_LABELS[code]}: choose achieved, improving, no change or worse.",
                "outcomes_progress",
            )
        note = entry.get("note") or ""
        if not isinstance(note, str) or len(note) > MAX_NOTE:
            raise DomainError(
                f"{DOMAIN_LABELS[code]}: the note must be text of {MAX_NOTE} characters or fewer.",
                "outcomes_progress",
            )
        cleaned[code] = {"progress": value, "note": note.strip()}
    return cleaned


def _education(placement, on, status, attendance):
    if status not in EducationStatus.values:
        raise DomainError("Choose the child's education status.", "education_status")
    age = age_on(placement, on)
    if age is not None and age >= 16 and status not in POST_16:
        raise DomainError(
            "The young person is 16 or over: say whether they are in education, employment or "
            "training.",
            "education_status",
        )
    if age is not None and 5 <= age < 16 and status not in SCHOOL:
        raise DomainError(
            "The child is of school age: say whether they are attending school.",
            "education_status",
        )
    if status in SCHOOL:
        if attendance is None and status == EducationStatus.ATTENDING:
            raise DomainError("Enter the school attendance, in percent.", "attendance_percent")
        if attendance is not None and (
            not isinstance(attendance, int)
            or isinstance(attendance, bool)
            or not 0 <= attendance <= 100
        ):
            raise DomainError("The attendance must be 0 to 100 percent.", "attendance_percent")
        return attendance
    if attendance is not None:
        raise DomainError(
            "School attendance is recorded only for a child of school age.", "attendance_percent"
        )
    return None


@transaction.atomic
def review_record(
    *,
    actor: Actor,
    placement: Placement,
    review_date: date | None,
    needs: dict[str, int | str],
    outcomes_progress: dict[str, Any] | None,
    education_status: str,
    attendance_percent: int | None = None,
    notes: str | None = "",
) -> PlacementReview:
    """Record a review of a started placement: the twelve needs re-scored, progress on each
    desired outcome, and the child's education."""
    _require_officer(actor, placement)
    placement = _lock(placement)
    PLACEMENT_STATES.guard(placement, action="review")
    review_date = _date(review_date, "review_date", "date of the review")
    if placement.actual_start_date and review_date < placement.actual_start_date:
        raise DomainError("The review cannot be before the placement started.", "review_date")
    _not_future(review_date, "review_date", "review date")
    needs = _needs(needs)
    progress = _outcomes_progress(placement, outcomes_progress)
    attendance = _education(placement, review_date, education_status, attendance_percent)
    notes = (notes or "").strip()
    review = PlacementReview.objects.create(
        placement=placement,
        review_date=review_date,
        needs=needs,
        needs_total=sum(needs.values()),
        outcomes_progress=progress,
        education_status=education_status,
        attendance_percent=attendance,
        notes=notes,
        recorded_by=actor.user,
    )
    audit_record(
        actor=actor,
        action="placement.review_recorded",
        obj=placement,
        detail={
            "review": review.pk,
            "review_date": review_date.isoformat(),
            "needs_total": review.needs_total,
            "education_status": education_status,
        },
    )
    return review


# --- Fee changes ----------------------------------------------------------------------------


# The kinds of change an officer records (the agreed fee is the award's; an uplift may also
# come from an uplift round, finance.services.uplifts).
CHANGE_KINDS = [k for k in Fee.Kind.values if k != Fee.Kind.AGREED]


@transaction.atomic
def fee_change_record(
    *,
    actor: Actor,
    placement: Placement,
    effective_date: date | None,
    weekly_fee: Decimal | int | str,
    reason: str | None,
    kind: str | None = Fee.Kind.OTHER,
) -> Fee:
    """Change the weekly fee from a date, past or future (within the placement): a dated row
    of its schedule. Every row is kept; the placement's fee is the one in force today."""
    _require_officer(actor, placement)
    placement = _lock(placement)
    effective_date = _date(effective_date, "effective_date", "date the new fee applies from")
    if effective_date < started_on(placement):
        raise DomainError(
            "The new fee cannot apply before the placement started.", "effective_date"
        )
    if placement.end_date and effective_date > placement.end_date:
        raise DomainError("The new fee cannot apply after the placement ended.", "effective_date")
    if kind not in CHANGE_KINDS:
        raise DomainError("Choose what kind of change this is.", "kind")
    fee = _fee(weekly_fee)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the fee changes.", "reason")
    change, previous = fee_change_apply(
        placement=placement,
        effective_date=effective_date,
        weekly_fee=fee,
        kind=kind,
        reason=reason,
        recorded_by=actor.user,
    )
    audit_record(
        actor=actor,
        action="placement.fee_changed",
        obj=placement,
        detail={
            "fee_change": change.pk,
            "kind": kind,
            "effective_date": effective_date.isoformat(),
            "weekly_fee": str(fee),
            "previous_weekly_fee": str(previous),
        },
    )
    return change


# --- The ending -----------------------------------------------------------------------------


@transaction.atomic
def placement_end_record(
    *,
    actor: Actor,
    placement: Placement,
    end_date: date | None,
    planned: bool | None,
    reason: str,
    destination: str | None = "",
) -> Placement:
    """End a started placement: when, planned or not, why (a DfE SSDA903 code) and where the
    child went. The request stays placed: the placement was made."""
    _require_officer(actor, placement)
    placement = _lock(placement)
    PLACEMENT_STATES.guard(placement, action="end")
    end_date = _date(end_date, "end_date", "date the placement ended")
    if end_date < started_on(placement):
        raise DomainError("The placement cannot end before it started.", "end_date")
    _not_future(end_date, "end_date", "end date")
    if planned is None:
        raise DomainError("Say whether the ending was planned.", "planned")
    if reason not in END_REASONS:
        raise DomainError("Choose the reason the placement ended.", "reason")
    destination = (destination or "").strip()
    if len(destination) > 200:
        raise DomainError("The destination must be 200 characters or fewer.", "destination")
    placement.end_date = end_date
    placement.end_planned = bool(planned)
    placement.end_reason = reason
    placement.destination = destination
    PLACEMENT_STATES.move(
        placement,
        Placement.Status.ENDED,
        actor=actor,
        reason=end_reason_label(reason),
        fields=["end_date", "end_planned", "end_reason", "destination"],
    )
    audit_record(
        actor=actor,
        action="placement.ended",
        obj=placement,
        detail={
            "end_date": end_date.isoformat(),
            "planned": bool(planned),
            "reason": reason,
            "destination": destination,
        },
    )
    return placement


# --- Spot purchases -------------------------------------------------------------------------


@transaction.atomic
def spot_placement_create(
    *,
    actor: Actor,
    child_reference: str | None,
    start_date: date | None,
    weekly_fee: Decimal | int | str,
    service: Service | int | None = None,
    spot_provider_name: str | None = "",
    lot: Lot | int | None = None,
    planned_end_date: date | None = None,
    user_choice: bool = False,
    user_choice_grounds: str | None = "",
) -> Placement:
    """Record a placement bought outside the DPS: with a service of a provider on the DPS, or
    with a provider named here. One already begun is recorded as started. A direct award
    chosen by the child or family (a user choice contract, Procurement Act 2023 Sch. 5
    para. 15) is recorded with its grounds; it owes no transparency notice."""
    _require_officer(actor)
    child_reference = (child_reference or "").strip()
    if not child_reference:
        raise DomainError("Enter the borough's reference for the child.", "child_reference")
    if len(child_reference) > 40:
        raise DomainError("The reference must be 40 characters or fewer.", "child_reference")
    name = (spot_provider_name or "").strip()
    if service is not None:
        service = spot_services(actor).filter(pk=getattr(service, "pk", service)).first()
        if service is None:
            raise DomainError("Choose a service of a provider on the DPS.", "service")
        if name:
            raise DomainError(
                "Either choose a service on the DPS or name a provider that is not on it.",
                "spot_provider_name",
            )
    elif not name:
        raise DomainError(
            "Choose the service on the DPS, or name the provider if it is not on the DPS.",
            "service",
        )
    if len(name) > 200:
        raise DomainError(
            "The provider's name must be 200 characters or fewer.", "spot_provider_name"
        )
    if lot is not None:
        lot = spot_lots(actor).filter(pk=getattr(lot, "pk", lot)).first()
        if lot is None:
            raise DomainError("Choose one of the consortium's lots.", "lot")
    start_date = _date(start_date, "start_date", "start date")
    if planned_end_date is not None and planned_end_date < start_date:
        raise DomainError("The planned end cannot be before the start.", "planned_end_date")
    fee = _fee(weekly_fee)
    grounds = (user_choice_grounds or "").strip() if user_choice else ""
    if user_choice and not grounds:
        raise DomainError("Say why the child or family chose this provider.", "user_choice_grounds")
    if len(grounds) > 2000:
        raise DomainError("The grounds must be 2000 characters or fewer.", "user_choice_grounds")
    started = start_date <= timezone.localdate()
    placement = Placement.objects.create(
        borough=actor.organisation,
        source=Placement.Source.SPOT,
        provider=service.provider if service else None,
        service=service,
        spot_provider_name=name,
        child=Child.objects.filter(borough=actor.organisation, reference=child_reference).first(),
        lot=lot,
        child_reference=child_reference,
        weekly_fee=fee,
        start_date=start_date,
        planned_end_date=planned_end_date,
        actual_start_date=start_date if started else None,
        status=Placement.Status.STARTED if started else Placement.Status.AWARDED,
        user_choice_grounds=grounds,
        awarded_by=actor.user,
    )
    fee_agreed(placement=placement, recorded_by=actor.user, reason="The spot purchase's fee.")
    audit_record(
        actor=actor,
        action="placement.created",
        obj=placement,
        detail={
            "source": Placement.Source.SPOT,
            "service": service.pk if service else None,
            "spot_provider_name": name,
            "weekly_fee": str(fee),
            "start_date": start_date.isoformat(),
            "user_choice": bool(grounds),
        },
    )
    return placement
