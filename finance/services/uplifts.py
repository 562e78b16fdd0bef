"""Fee uplift rounds: the consortium admin opens one; providers ask for it on their
placements; the borough (or, for a framework-wide round, the consortium) decides; each fee
agreed becomes a dated uplift row of its placement's schedule (finance.services.fees)."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from dps.models import Organisation
from dps.services import DomainError
from dps.services.audit import audit_record
from dps.storage import files_removed_on_failure
from dps.tenancy import Actor
from placements.models import Fee, Placement
from placements.selectors.schedule import pence, schedules_of
from providers.models import Lot, Service
from providers.uploads import document_content_type, extension_for

from ..access import may_decide_uplift, may_open_rounds
from ..models import UpliftLine, UpliftRequest, UpliftRound
from ..models.uplifts import UPLIFT_STATES
from ..selectors.uplifts import covered_in_round, eligible_placements, round_is_open
from .fees import fee_change_apply
from .notify import uplift_decided_tell

Status = UpliftRequest.Status
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _percent(value, field_name: str, *, label: str = "the uplift") -> Decimal:
    """A percentage above 0 and at most 100, to two decimal places."""
    try:
        percent = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise DomainError(f"Enter {label} as a percentage, like 3.5.", field_name) from exc
    if not percent.is_finite() or percent <= 0 or percent > HUNDRED:
        raise DomainError(f"Enter {label} as a percentage above 0 and at most 100.", field_name)
    if percent != percent.quantize(CENT):
        raise DomainError(f"Enter {label} to two decimal places at most.", field_name)
    return percent.quantize(CENT)


def uplifted(fee: Decimal, percent: Decimal) -> Decimal:
    """A weekly fee raised by `percent`, to the penny (half up)."""
    return pence(fee * (1 + percent / HUNDRED))


# --- Rounds ---------------------------------------------------------------------------------


@transaction.atomic
def uplift_round_open(
    *,
    actor: Actor,
    name: str,
    percent,
    effective_date: date | None,
    requests_close: date | None,
    lots: Iterable,
    decided_by: str = UpliftRound.DecidedBy.BOROUGH,
) -> UpliftRound:
    """Open a round: a percentage from an effective date, for some of the consortium's lots,
    taking requests until its closing date."""
    if not may_open_rounds(actor):
        raise PermissionDenied("Only the consortium admin can open an uplift round.")
    name = (name or "").strip()
    if not name:
        raise DomainError("Enter a name for the round.", "name")
    percent = _percent(percent, "percent")
    if effective_date is None:
        raise DomainError("Enter the date the uplift takes effect.", "effective_date")
    if requests_close is None:
        raise DomainError("Enter the last day providers can ask for it.", "requests_close")
    if requests_close < timezone.localdate():
        raise DomainError("The closing date for requests cannot be in the past.", "requests_close")
    if decided_by not in UpliftRound.DecidedBy.values:
        raise DomainError("Choose who decides the requests.", "decided_by")
    lot_ids = {getattr(lot, "pk", lot) for lot in lots or ()}
    chosen = list(Lot.objects.filter(pk__in=lot_ids, consortium=actor.organisation))
    if not lot_ids:
        raise DomainError("Choose at least one lot.", "lots")
    if len(chosen) != len(lot_ids):
        raise DomainError("Choose lots of your consortium.", "lots")
    round_ = UpliftRound(
        consortium=actor.organisation,
        name=name,
        percent=percent,
        effective_date=effective_date,
        requests_close=requests_close,
        decided_by=decided_by,
        opened_by=actor.user,
    )
    round_.full_clean(exclude=["opened_by"])
    round_.save()
    round_.lots.set(chosen)
    audit_record(
        actor=actor,
        action="uplift.round_opened",
        obj=round_,
        detail={
            "percent": str(percent),
            "effective_date": effective_date.isoformat(),
            "requests_close": requests_close.isoformat(),
            "lots": sorted(lot.pk for lot in chosen),
            "decided_by": decided_by,
        },
    )
    return round_


# --- Requests -------------------------------------------------------------------------------


@dataclass
class Submitted:
    """The requests a submission made (one per borough whose placements it covers); with
    `created` False, the identical requests it found already made (an API retry)."""

    requests: list[UpliftRequest]
    created: bool = True


def _ids(values) -> set[int]:
    ids = set()
    for value in values or ():
        try:
            ids.add(int(getattr(value, "pk", value)))
        except (TypeError, ValueError) as exc:
            message = "Choose placements and services from the lists."
            raise DomainError(message, "placements") from exc
    return ids


def _identical(existing: list[UpliftRequest], percent, reason, placement_ids) -> bool:
    lines = set(
        UpliftLine.objects.filter(request__in=existing).values_list("placement_id", flat=True)
    )
    return lines == placement_ids and all(
        r.percent == percent and r.reason == reason for r in existing
    )


@transaction.atomic
def uplift_request_submit(
    *,
    actor: Actor,
    round: UpliftRound,
    reason: str,
    percent=None,
    evidence: File | None = None,
    placements: Iterable = (),
    services: Iterable = (),
    replay: bool = False,
) -> Submitted:
    """Ask for the round's uplift (or, with evidence, another percentage up to 100) on the
    chosen placements and on every eligible placement at the chosen services: one request per
    borough whose placements they are, each line with the fee on the effective date and the
    fee asked. A placement already covered in the round, or a borough already asked, is
    refused; with `replay`, asking again exactly as before returns the requests made then."""
    if actor is None or not actor.is_bidder:
        raise PermissionDenied("Only a provider's admins and bidders can ask for an uplift.")
    provider = actor.organisation
    if not round_is_open(round, timezone.localdate()):
        raise DomainError(
            f"This round closed to requests on {round.requests_close:%-d %B %Y}.", "round"
        )
    percent = round.percent if percent in (None, "") else _percent(percent, "percent")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why you ask for the uplift.", "reason")
    placement_ids, service_ids = _ids(placements), _ids(services)
    if not placement_ids and not service_ids:
        raise DomainError("Choose the services or the placements the uplift is for.", "placements")
    if service_ids and Service.objects.filter(pk__in=service_ids, provider=provider).count() != len(
        service_ids
    ):
        raise DomainError("Choose services of your own.", "services")
    # One submission at a time per provider: two cannot both cover a placement.
    Organisation.objects.select_for_update().get(pk=provider.pk)
    eligible = eligible_placements(provider, round)
    chosen = list(
        eligible.filter(Q(pk__in=placement_ids) | Q(service_id__in=service_ids))
        .select_related("borough")
        .order_by("pk")
    )
    if placement_ids - {p.pk for p in chosen}:
        raise DomainError(
            "Choose placements of yours in the round's lots that run on "
            f"{round.effective_date:%-d %B %Y}.",
            "placements",
        )
    if not chosen:
        raise DomainError(
            "None of the chosen services has a placement in the round's lots running on "
            f"{round.effective_date:%-d %B %Y}.",
            "services",
        )
    chosen_ids = {p.pk for p in chosen}
    boroughs = {p.borough_id: p.borough for p in chosen}
    existing = list(
        UpliftRequest.objects.filter(round=round, provider=provider, borough__in=list(boroughs))
    )
    asked_all = existing and {r.borough_id for r in existing} == set(boroughs)
    if replay and asked_all and _identical(existing, percent, reason, chosen_ids):
        return Submitted(existing, created=False)
    if existing:
        names = ", ".join(sorted(r.borough.name for r in existing))
        raise DomainError(
            f"You have already asked for an uplift in this round for the placements of {names}.",
            "placements",
        )
    if covered_in_round(round, provider).filter(placement_id__in=chosen_ids).exists():
        raise DomainError("A chosen placement is already covered in this round.", "placements")
    if percent > round.percent and evidence is None:
        raise DomainError(
            f"Attach your evidence to ask for more than the round's {round.percent}%.",
            "evidence",
        )
    content_type = None
    if evidence is not None:
        try:
            content_type = document_content_type(evidence)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], "evidence") from exc
    schedules = schedules_of(chosen)
    asked: dict[int, list[UpliftLine]] = {}
    for placement in chosen:
        before = schedules[placement.pk].fee_on(round.effective_date)
        if before is None:
            raise DomainError(
                f"Placement {placement.child_reference or placement.pk} has no fee on "
                f"{round.effective_date:%-d %B %Y}.",
                "placements",
            )
        asked.setdefault(placement.borough_id, []).append(
            UpliftLine(placement=placement, fee_before=before, fee_asked=uplifted(before, percent))
        )
    made = [
        UpliftRequest(
            round=round,
            provider=provider,
            borough=boroughs[borough_id],
            percent=percent,
            reason=reason,
            requested_by=actor.user,
        )
        for borough_id in sorted(asked)
    ]
    # One file, stored once (under a random name with the extension of the kind found) and
    # shared by the requests; removed if they are not saved.
    with files_removed_on_failure(made[0], "evidence"):
        if evidence is not None:
            made[0].evidence.save(
                f"{uuid.uuid4().hex}{extension_for(content_type)}", evidence, save=False
            )
            for other in made[1:]:
                other.evidence = made[0].evidence.name
        for request in made:
            request.full_clean(exclude=["requested_by", "evidence"], validate_constraints=False)
            try:
                with transaction.atomic():
                    request.save()
            except IntegrityError as exc:
                raise DomainError(
                    "You have already asked for an uplift in this round for the placements "
                    f"of {request.borough.name}.",
                    "placements",
                ) from exc
            lines = asked[request.borough_id]
            for line in lines:
                line.request = request
            UpliftLine.objects.bulk_create(lines)
            audit_record(
                actor=actor,
                action="uplift.requested",
                obj=request,
                detail={
                    "round": round.pk,
                    "borough": request.borough_id,
                    "percent": str(percent),
                    "placements": [line.placement_id for line in lines],
                    "evidence": bool(request.evidence),
                },
            )
    return Submitted(made)


def uplift_evidence_download_record(*, actor: Actor, request: UpliftRequest) -> None:
    """Every download of a request's evidence is audited."""
    audit_record(
        actor=actor,
        action="uplift.evidence_downloaded",
        obj=request,
        detail={"provider": request.provider_id, "borough": request.borough_id},
    )


# --- Decisions ------------------------------------------------------------------------------

DECISIONS = {
    "agree": Status.AGREED,
    "agree_in_part": Status.AGREED_IN_PART,
    "refuse": Status.REFUSED,
}


@dataclass
class Decision:
    """A decided request: the lines whose uplift became a fee row, and the placements left
    without one because they ended before the effective date."""

    request: UpliftRequest
    applied: list[UpliftLine] = field(default_factory=list)
    skipped: list[Placement] = field(default_factory=list)


@transaction.atomic
def uplift_decide(
    *,
    actor: Actor,
    request: UpliftRequest,
    decision: str,
    agreed_percent=None,
    placements: Iterable | None = None,
    reason: str = "",
) -> Decision:
    """Agree the request, agree it in part (a lower percentage, or some of its placements,
    or both) or refuse it. Each fee agreed becomes a dated uplift row of its placement from
    the round's effective date. Two deciders at once: the request's row lock lets one
    decide; the other is told it is decided."""
    request = (
        UpliftRequest.objects.select_for_update(of=("self",))
        .select_related("round", "borough", "provider")
        .get(pk=request.pk)
    )
    if not may_decide_uplift(actor, request):
        raise PermissionDenied("You cannot decide this request.")
    UPLIFT_STATES.guard(request, action="decide")
    status = DECISIONS.get(decision or "")
    if status is None:
        raise DomainError("Choose whether to agree, agree in part or refuse.", "decision")
    reason = (reason or "").strip()
    if status != Status.AGREED and not reason:
        raise DomainError("Give the reason for your decision.", "reason")
    lines = list(request.lines.select_related("placement").order_by("placement_id"))
    percent = request.percent
    agreed_lines = lines if status != Status.REFUSED else []
    if status == Status.AGREED_IN_PART:
        if agreed_percent not in (None, ""):
            percent = _percent(agreed_percent, "agreed_percent", label="the uplift agreed")
            if percent >= request.percent:
                raise DomainError(
                    f"Agree less than the {request.percent}% asked, or agree it all.",
                    "agreed_percent",
                )
        chosen = _ids(placements) if placements is not None else set()
        if chosen:
            if chosen - {line.placement_id for line in lines}:
                raise DomainError("Choose placements this request covers.", "placements")
            agreed_lines = [line for line in lines if line.placement_id in chosen]
        if percent == request.percent and len(agreed_lines) == len(lines):
            raise DomainError(
                "Agree a lower percentage or fewer placements, or agree it all.",
                "agreed_percent",
            )
    result = Decision(request=request)
    effective = request.round.effective_date
    if agreed_lines:
        locked = {
            p.pk: p
            for p in Placement.objects.select_for_update()
            .select_related("borough")
            .filter(pk__in=[line.placement_id for line in agreed_lines])
            .order_by("pk")
        }
        label = f"{request.round.name}: {percent}% uplift"
        for line in agreed_lines:
            placement = locked[line.placement_id]
            if placement.end_date is not None and placement.end_date < effective:
                result.skipped.append(placement)
                continue
            line.fee_agreed = uplifted(line.fee_before, percent)
            line.fee, _previous = fee_change_apply(
                placement=placement,
                effective_date=effective,
                weekly_fee=line.fee_agreed,
                kind=Fee.Kind.UPLIFT,
                reason=label,
                recorded_by=actor.user,
            )
            result.applied.append(line)
        UpliftLine.objects.bulk_update(result.applied, ["fee_agreed", "fee"])
    request.agreed_percent = percent if status != Status.REFUSED else None
    request.decision_reason = reason
    request.decided_by = actor.user
    request.decided_at = timezone.now()
    UPLIFT_STATES.move(
        request,
        status,
        actor=actor,
        reason=reason,
        fields=["agreed_percent", "decision_reason", "decided_by", "decided_at"],
    )
    audit_record(
        actor=actor,
        action="uplift.decided",
        obj=request,
        detail={
            "decision": status,
            "agreed_percent": str(percent) if status != Status.REFUSED else None,
            "applied": [line.placement_id for line in result.applied],
            "skipped": [p.pk for p in result.skipped],
        },
    )
    uplift_decided_tell(request)
    return result
