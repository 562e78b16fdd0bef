"""Writes of a placement request: drafting, publishing (which invites the eligible providers),
changing its terms while open, cancelling, confirming the shortlist, re-opening.

Each change of status goes through `transition` (transitions.py): the request's state machine
(REQUEST_STATES, beside the model) guards and records it, and the request's own timeline row and
the audit event are added."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dps.services import DomainError
from dps.services.audit import audit_record
from dps.tenancy import Actor
from geography.postcodes import DISTRICT_MESSAGE, normalise_district, normalise_postcode
from geography.selectors import Unknown
from providers.models import Lot
from providers.needs import DOMAINS, INDICATOR_CODES, INDICATOR_LABELS, MAX_SCORE

from ..access import require_borough_writer
from ..models import Bid, PlacementRequest, ProviderInvitation
from ..models.bids import BID_STATES
from ..models.requests import REQUEST_STATES
from ..selectors.distance import home_place
from .eligibility import Eligibility, eligibility_check
from .location import HOME_FIELDS, request_locate
from .notify import notify_providers, opportunity_path
from .transitions import SHORTLIST_SIZE, transition

Status = PlacementRequest.Status

# What an officer (or a case system) may write on a request.
REQUEST_FIELDS = (
    "lot",
    "reference",
    "strengths",
    "age",
    "gender",
    "ethnicity",
    "language",
    "religion",
    "legal_status",
    "urgency",
    "date_needed",
    "duration_weeks",
    "areas",
    "home_location",
    "home_district",
    "placement_area",
    "max_distance_miles",
    "solo_placement",
    "allow_no_vacancy",
    "needs",
    "need_details",
    "outcomes",
    "education_needs",
    "contact_arrangements",
    "child_views",
    "story",
    "max_weekly_budget",
    "bid_deadline",
)
# The terms providers price: changing one while bids are open asks bidders to re-confirm.
TERMS_FIELDS = frozenset(
    {
        "age",
        "gender",
        "legal_status",
        "urgency",
        "date_needed",
        "duration_weeks",
        "areas",
        "home_location",
        "home_district",
        "placement_area",
        "max_distance_miles",
        "solo_placement",
        "allow_no_vacancy",
        "needs",
        "outcomes",
        "max_weekly_budget",
    }
)
# Needed before publishing, with what to say when one is missing.
REQUIRED = {
    "lot": "Choose the lot",
    "reference": "Enter the borough's reference for the child",
    "strengths": "Describe the child's strengths and interests",
    "age": "Enter the child's age",
    "gender": "Choose the child's gender",
    "ethnicity": "Enter the child's ethnicity",
    "language": "Enter the child's first language",
    "legal_status": "Choose the child's legal status",
    "date_needed": "Enter the date the placement is needed",
    "duration_weeks": "Enter the expected duration in weeks",
    "story": "Describe why the placement is needed now and the child's journey",
}
DOMAIN_CODES = [code for code, _ in DOMAINS]
MAX_DURATION_WEEKS = 520
MAX_DISTANCE_MILES = 1000
FULL_POSTCODE_REFUSED = (
    "Enter only the first part of the postcode (the postcode district), like N19: the full "
    "postcode is not recorded, to keep the child pseudonymised."
)
DISTRICT_NOT_FOUND = "{district} is not a postcode district in the ONS Postcode Directory."
HOME_NOT_LOCATED = (
    "The child's home cannot be located ({reason}), so the maximum distance cannot be checked. "
    "Enter a postcode district that can be found, choose the borough's own area, or remove the "
    "maximum distance."
)
IN_BOROUGH_UNKNOWN = (
    "The borough's local authority code is not recorded, so whether a service is inside or "
    "outside the borough cannot be checked. Ask the consortium admin to record it."
)


REOPENED = "The request was re-opened with a new deadline: bid again for the new round."


class RequestIncomplete(DomainError):
    """Publishing refused: `problems` maps each field to what is missing or wrong."""

    def __init__(self, problems):
        first_field = next(iter(problems))
        super().__init__(
            f"The request cannot be published yet: {len(problems)} "
            f"thing{'s' if len(problems) != 1 else ''} to put right.",
            first_field,
        )
        self.problems = problems


class NoEligibleProvider(DomainError):
    """Publishing refused: no provider would be invited. `eligibility` says why not."""

    def __init__(self, eligibility):
        super().__init__(
            "No provider would be invited. Change the request, or confirm that you want to "
            "publish it although no provider will be invited.",
            "confirm_no_eligible",
        )
        self.eligibility = eligibility


def default_deadline(urgency: str, now: datetime | None = None) -> datetime:
    """Bids close 24 hours after publishing a planned move, 4 hours for an emergency."""
    now = now or timezone.now()
    hours = (
        settings.EMERGENCY_BID_HOURS
        if urgency == PlacementRequest.Urgency.EMERGENCY
        else settings.PLANNED_BID_HOURS
    )
    return now + timedelta(hours=hours)


def _lock(placement_request):
    """The request, locked, with the borough and lot its audit events and emails name (only
    the request's row is locked: its lot is a nullable join PostgreSQL cannot lock)."""
    return (
        PlacementRequest.objects.select_for_update(of=("self",))
        .select_related("borough", "lot")
        .get(pk=placement_request.pk)
    )


def _clean(fields, borough, *, now):
    """Check and tidy the fields an officer sends; a draft may leave any of them empty."""
    clean = {}
    for name, value in fields.items():
        if name not in REQUEST_FIELDS:
            raise DomainError(f"{name} cannot be set here.", field=name)
        if isinstance(value, str) and name not in {"lot"}:
            value = value.strip()
        clean[name] = value
    lot = clean.get("lot")
    if lot is not None and not isinstance(lot, Lot):
        lot = Lot.objects.filter(pk=lot).first()
        if lot is None:
            raise DomainError("Choose one of the lots.", "lot")
        clean["lot"] = lot
    if lot is not None and (lot.consortium_id != borough.consortium_id or not lot.is_active):
        raise DomainError("Choose one of your consortium's lots.", "lot")
    if "needs" in clean:
        needs = {code: score for code, score in (clean["needs"] or {}).items() if score is not None}
        for code, score in needs.items():
            if code not in INDICATOR_LABELS:
                raise DomainError(f"Unknown need: {code}.", "needs")
            if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 3:
                raise DomainError(f"{INDICATOR_LABELS[code]}: score it 0 to {MAX_SCORE}.", "needs")
        clean["needs"] = needs
    if "need_details" in clean:
        details = {k: (v or "").strip() for k, v in (clean["need_details"] or {}).items()}
        if set(details) - set(INDICATOR_CODES):
            raise DomainError("Details can only be given for the twelve needs.", "need_details")
        clean["need_details"] = {k: v for k, v in details.items() if v}
    if "outcomes" in clean:
        outcomes = {k: (v or "").strip() for k, v in (clean["outcomes"] or {}).items()}
        if set(outcomes) - set(DOMAIN_CODES):
            raise DomainError("Outcomes can only be given for the six domains.", "outcomes")
        clean["outcomes"] = {k: v for k, v in outcomes.items() if v}
    if "areas" in clean:
        areas = clean["areas"] or []
        if isinstance(areas, str):
            areas = areas.split(",")
        clean["areas"] = sorted({a.strip() for a in areas if a and a.strip()}, key=str.casefold)
    _clean_location(clean)
    if (age := clean.get("age")) is not None and not 0 <= age <= 25:
        raise DomainError("The child's age must be 0 to 25.", "age")
    weeks = clean.get("duration_weeks")
    if weeks is not None and not 1 <= weeks <= MAX_DURATION_WEEKS:
        raise DomainError(
            f"The expected duration must be 1 to {MAX_DURATION_WEEKS} weeks.", "duration_weeks"
        )
    budget = clean.get("max_weekly_budget")
    if budget is not None and Decimal(budget) <= 0:
        raise DomainError("The maximum weekly budget must be more than £0.", "max_weekly_budget")
    if (deadline := clean.get("bid_deadline")) is not None and deadline <= now:
        raise DomainError("The bid deadline must be in the future.", "bid_deadline")
    return clean


def _clean_location(clean):
    """The home (a postcode district only, never a full postcode), the area wanted and the
    maximum distance."""
    if "home_location" in clean:
        clean["home_location"] = clean["home_location"] or PlacementRequest.HomeLocation.DISTRICT
        if clean["home_location"] not in PlacementRequest.HomeLocation.values:
            raise DomainError("Choose where the child's home is.", "home_location")
    if "home_district" in clean:
        text = clean["home_district"] or ""
        if text and normalise_postcode(text) is not None:
            raise DomainError(FULL_POSTCODE_REFUSED, "home_district")
        district = normalise_district(text) if text else ""
        if district is None:
            raise DomainError(DISTRICT_MESSAGE, "home_district")
        clean["home_district"] = district
    if clean.get("home_location") == PlacementRequest.HomeLocation.BOROUGH:
        clean["home_district"] = ""  # the home is not to be shared: nothing of it is kept
    if "placement_area" in clean:
        clean["placement_area"] = clean["placement_area"] or PlacementRequest.PlacementArea.ANY
        if clean["placement_area"] not in PlacementRequest.PlacementArea.values:
            raise DomainError("Choose where the child may be placed.", "placement_area")
    miles = clean.get("max_distance_miles")
    if miles is not None and not 1 <= miles <= MAX_DISTANCE_MILES:
        raise DomainError(
            f"The maximum distance must be 1 to {MAX_DISTANCE_MILES} miles.", "max_distance_miles"
        )


def _locate(placement_request):
    """Locate the child's home; a district the loaded directory does not know is refused (when
    the directory is not loaded, it is kept, unlocated)."""
    place = request_locate(placement_request)
    if place.unknown == Unknown.NOT_FOUND and placement_request.home_district:
        raise DomainError(
            DISTRICT_NOT_FOUND.format(district=placement_request.home_district), "home_district"
        )


@transaction.atomic
def request_create(*, actor: Actor | None, **fields: Any) -> PlacementRequest:
    """Start a draft; it may be incomplete."""
    actor = require_borough_writer(actor)
    now = timezone.now()
    clean = _clean(fields, actor.organisation, now=now)
    placement_request = PlacementRequest(borough=actor.organisation, created_by=actor.user, **clean)
    _locate(placement_request)
    placement_request.save()
    audit_record(actor=actor, action="request.created", obj=placement_request)
    return placement_request


def publish_problems(placement_request: PlacementRequest, *, now: datetime) -> dict[str, str]:
    """Everything that stops a request being published, field by field."""
    problems: dict[str, str] = {}
    for name, message in REQUIRED.items():
        value = getattr(placement_request, name)
        if value is None or value == "":
            problems[name] = message + "."
    needs = placement_request.needs or {}
    unscored = [INDICATOR_LABELS[c] for c in INDICATOR_CODES if c not in needs]
    if unscored:
        problems["needs"] = "Score every need from 0 to 3. Not scored: " + ", ".join(unscored) + "."
    details = placement_request.need_details or {}
    missing = [INDICATOR_LABELS[c] for c in INDICATOR_CODES if needs.get(c) and not details.get(c)]
    if missing:
        problems["need_details"] = (
            "Give a line of detail for each need scored 1 or more. Missing: "
            + ", ".join(missing)
            + "."
        )
    if not placement_request.outcomes:
        problems["outcomes"] = "Describe the desired outcomes for at least one domain."
    if placement_request.date_needed and placement_request.date_needed < timezone.localdate(now):
        problems["date_needed"] = "The date needed must be today or later."
    deadline = placement_request.bid_deadline
    if deadline is not None:
        minimum = now + timedelta(minutes=settings.MIN_BID_WINDOW_MINUTES)
        if deadline < minimum:
            problems["bid_deadline"] = (
                f"The bid deadline must be at least {settings.MIN_BID_WINDOW_MINUTES} minutes "
                "after publishing."
            )
    lot = placement_request.lot
    if lot is not None and (
        not lot.is_active or lot.consortium_id != placement_request.borough.consortium_id
    ):
        problems["lot"] = "Choose one of your consortium's open lots."
    problems.update(location_problems(placement_request))
    return problems


def location_problems(placement_request: PlacementRequest) -> dict[str, str]:
    """A maximum distance from a home that cannot be located would stop every provider, and an
    inside or outside the borough wish needs the borough's code: both are refused rather than
    inviting nobody."""
    problems = {}
    pr = placement_request
    if pr.max_distance_miles and (pr.home_easting is None or pr.home_northing is None):
        if pr.home_location == PlacementRequest.HomeLocation.BOROUGH:
            field = "home_location"
        else:
            field = "home_district"
        problems[field] = HOME_NOT_LOCATED.format(reason=home_place(pr).unknown_label.lower())
    if pr.placement_area != PlacementRequest.PlacementArea.ANY and not pr.borough.la_code:
        problems["placement_area"] = IN_BOROUGH_UNKNOWN
    return problems


def _invite(placement_request, eligibility, *, key):
    """Invite the eligible providers not yet invited, and email them. Returns the new ones."""
    already = set(
        ProviderInvitation.objects.filter(request=placement_request).values_list(
            "provider_id", flat=True
        )
    )
    new = {p: s for p, s in eligibility.eligible.items() if p not in already}
    invitations = ProviderInvitation.objects.bulk_create(
        [ProviderInvitation(request=placement_request, provider_id=p) for p in new]
    )
    if not all(i.pk for i in invitations):  # SQLite before 3.35 returns no ids
        invitations = list(
            ProviderInvitation.objects.filter(request=placement_request, provider_id__in=new)
        )
    through = ProviderInvitation.services.through
    through.objects.bulk_create(
        [
            through(providerinvitation_id=i.pk, service_id=s)
            for i in invitations
            for s in new[i.provider_id]
        ]
    )
    notify_providers(
        list(new),
        "placement_invitation",
        {"placement_request": placement_request},
        key,
        path_for=opportunity_path(placement_request),
    )
    return list(new)


@transaction.atomic
def request_publish(
    *, actor: Actor | None, placement_request: PlacementRequest, confirm_no_eligible: bool = False
) -> Eligibility:
    """Validate everything, open the request for bids, invite and email each eligible provider.
    Returns the eligibility: who was invited, and a count per reason of who was not.

    A request no provider is eligible for is published only when the officer confirms it
    deliberately (a later change of its terms invites those they make eligible), never by
    accident: publishing to nobody looked like a success."""
    require_borough_writer(actor, placement_request)
    placement_request = _lock(placement_request)
    REQUEST_STATES.guard(placement_request, action="publish")
    now = timezone.now()
    if problems := publish_problems(placement_request, now=now):
        raise RequestIncomplete(problems)
    if placement_request.bid_deadline is None:
        placement_request.bid_deadline = default_deadline(placement_request.urgency, now)
    eligibility = eligibility_check(placement_request)
    if not eligibility.eligible and not confirm_no_eligible:
        raise NoEligibleProvider(eligibility)
    placement_request.published_at = now
    placement_request.ineligible_counts = eligibility.reasons
    reason = "" if eligibility.eligible else "Published with no eligible provider, as confirmed."
    transition(placement_request, Status.OPEN, actor=actor, reason=reason, now=now)
    _invite(placement_request, eligibility, key=f"request:{placement_request.pk}:invite")
    return eligibility


@transaction.atomic
def request_update(
    *, actor: Actor | None, placement_request: PlacementRequest, **fields: Any
) -> PlacementRequest:
    """Change a draft freely. While open, a change to the terms raises the terms version (bids
    made before it must be re-confirmed, and their providers are told) and invites any provider
    the new terms make eligible; a new deadline is sent to every invited provider."""
    require_borough_writer(actor, placement_request)
    placement_request = _lock(placement_request)
    now = timezone.now()
    clean = _clean(fields, placement_request.borough, now=now)
    status = placement_request.status
    REQUEST_STATES.guard(placement_request, action="edit")
    changed = {n for n, v in clean.items() if getattr(placement_request, n) != v}
    if status == Status.OPEN:
        if "lot" in changed:
            raise DomainError("The lot cannot change once the request is published.", "lot")
        if "bid_deadline" in changed and clean["bid_deadline"] is None:
            raise DomainError("An open request needs a bid deadline.", "bid_deadline")
        minimum = now + timedelta(minutes=settings.MIN_BID_WINDOW_MINUTES)
        if "bid_deadline" in changed and clean["bid_deadline"] < minimum:
            raise DomainError(
                f"The new deadline must be at least {settings.MIN_BID_WINDOW_MINUTES} minutes "
                "away, so providers have time to bid.",
                "bid_deadline",
            )
    for name in changed:
        setattr(placement_request, name, clean[name])
    if changed & HOME_FIELDS:
        _locate(placement_request)
    if status == Status.OPEN:
        problems = publish_problems(placement_request, now=now)
        problems.pop("bid_deadline", None)  # an open request's deadline only needs a future time
        if problems:
            raise RequestIncomplete(problems)
    terms_changed = status == Status.OPEN and bool(changed & TERMS_FIELDS)
    if terms_changed:
        placement_request.terms_version += 1
    placement_request.save()
    audit_record(
        actor=actor,
        action="request.updated",
        obj=placement_request,
        detail={"fields": sorted(changed), "terms_version": placement_request.terms_version},
    )
    if terms_changed:
        # Every invited provider is told, not only those who bid: whom the email goes to must
        # not reveal who has bid while bids are sealed.
        version = placement_request.terms_version
        notify_providers(
            _invited(placement_request),
            "placement_terms_changed",
            {"placement_request": placement_request},
            f"request:{placement_request.pk}:terms:{version}",
            path_for=opportunity_path(placement_request),
        )
        eligibility = eligibility_check(placement_request)
        _invite(placement_request, eligibility, key=f"request:{placement_request.pk}:invite")
        _recount(placement_request, eligibility)
    if status == Status.OPEN and "bid_deadline" in changed:
        deadline = placement_request.bid_deadline
        assert deadline is not None  # noqa: S101 (an open request's deadline was refused if empty)
        notify_providers(
            _invited(placement_request),
            "placement_deadline_changed",
            {"placement_request": placement_request},
            f"request:{placement_request.pk}:deadline:{deadline.isoformat()}",
            path_for=opportunity_path(placement_request),
        )
    return placement_request


def _recount(placement_request, eligibility):
    """The not-invited counts the officer reads, over the providers not invited."""
    placement_request.ineligible_counts = eligibility.counts_excluding(
        set(_invited(placement_request))
    )
    placement_request.save(update_fields=["ineligible_counts"])


def _invited(placement_request):
    return list(placement_request.invitations.values_list("provider_id", flat=True))


def _bidders(placement_request):
    return list(
        Bid.objects.filter(request=placement_request)
        .exclude(status=Bid.Status.WITHDRAWN)
        .values_list("provider_id", flat=True)
    )


@transaction.atomic
def request_cancel(
    *,
    actor: Actor | None,
    placement_request: PlacementRequest,
    reason: str,
    detail: str | None = "",
) -> PlacementRequest:
    """Cancel with a reason from the fixed list; every bidder is told."""
    require_borough_writer(actor, placement_request)
    placement_request = _lock(placement_request)
    if reason not in PlacementRequest.CancelReason.values:
        raise DomainError("Choose why the request is cancelled.", "reason")
    detail = (detail or "").strip()
    if reason == PlacementRequest.CancelReason.OTHER and not detail:
        raise DomainError("Say why the request is cancelled.", "detail")
    placement_request.cancel_reason = reason
    placement_request.status_reason = detail
    label = PlacementRequest.CancelReason(reason).label
    transition(
        placement_request,
        Status.CANCELLED,
        actor=actor,
        reason=f"{label}{': ' + detail if detail else ''}",
    )
    # Before the deadline every invited provider is told, so whom it goes to reveals no bid.
    sealed = placement_request.closed_at is None
    notify_providers(
        _invited(placement_request) if sealed else _bidders(placement_request),
        "placement_cancelled",
        {"placement_request": placement_request, "reason": label},
        f"request:{placement_request.pk}:cancelled",
        path_for=opportunity_path(placement_request),
    )
    return placement_request


@transaction.atomic
def request_shortlist_confirm(
    *, actor: Actor | None, placement_request: PlacementRequest
) -> PlacementRequest:
    """Confirm the evaluation's top three as the shortlist. They are told, and the child's
    story is released to them."""
    require_borough_writer(actor, placement_request)
    placement_request = _lock(placement_request)
    transition(placement_request, Status.SHORTLISTED, actor=actor)
    shortlisted = list(
        Bid.objects.filter(
            request=placement_request, status=Bid.Status.SUBMITTED, rank__lte=SHORTLIST_SIZE
        ).values_list("provider_id", flat=True)
    )
    notify_providers(
        shortlisted,
        "placement_shortlisted",
        {"placement_request": placement_request},
        f"request:{placement_request.pk}:shortlisted",
        path_for=opportunity_path(placement_request),
    )
    return placement_request


@transaction.atomic
def request_no_suitable_offer(
    *, actor: Actor | None, placement_request: PlacementRequest, reason: str | None
) -> PlacementRequest:
    """The officer finds none of the offers suitable."""
    require_borough_writer(actor, placement_request)
    placement_request = _lock(placement_request)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why none of the offers is suitable.", "reason")
    REQUEST_STATES.guard(placement_request, action="no_offer")
    placement_request.status_reason = reason
    transition(placement_request, Status.NO_SUITABLE_OFFER, actor=actor, reason=reason)
    notify_providers(
        _bidders(placement_request),
        "placement_no_offer",
        {"placement_request": placement_request},
        f"request:{placement_request.pk}:no-offer:{placement_request.transitions.count()}",
        path_for=opportunity_path(placement_request),
    )
    return placement_request


@transaction.atomic
def request_reopen(
    *, actor: Actor | None, placement_request: PlacementRequest, bid_deadline: datetime | None
) -> PlacementRequest:
    """Open a request that ended with no suitable offer again, with a new deadline. The bids
    and evaluation of the earlier round are set aside; eligible providers are invited again
    (new ones for the first time) and told the new deadline."""
    require_borough_writer(actor, placement_request)
    placement_request = _lock(placement_request)
    REQUEST_STATES.guard(placement_request, action="reopen")
    now = timezone.now()
    if bid_deadline is None or bid_deadline < now + timedelta(
        minutes=settings.MIN_BID_WINDOW_MINUTES
    ):
        raise DomainError(
            f"The new deadline must be at least {settings.MIN_BID_WINDOW_MINUTES} minutes away.",
            "bid_deadline",
        )
    round_no = placement_request.transitions.filter(to_status=Status.OPEN).count() + 1
    placement_request.bid_deadline = bid_deadline
    placement_request.closed_at = None
    eligibility = eligibility_check(placement_request)
    placement_request.ineligible_counts = eligibility.reasons
    placement_request.terms_version += 1
    placement_request.save(update_fields=["terms_version"])
    # The earlier round's offers no longer stand: a provider bids afresh. Their ranks and
    # scores are cleared; the earlier evaluation is kept until the next closing replaces it.
    # (Bids change only under the request's lock, held here: the ones read are those moved.)
    standing = list(
        Bid.objects.filter(request=placement_request, status=Bid.Status.SUBMITTED).only(
            "pk", "provider_id"
        )
    )
    Bid.objects.filter(pk__in=[bid.pk for bid in standing], status=Bid.Status.SUBMITTED).update(
        status=Bid.Status.INVALID, invalid_reason=REOPENED
    )
    BID_STATES.record(
        standing, Bid.Status.SUBMITTED, Bid.Status.INVALID, actor=actor, reason=REOPENED
    )
    Bid.objects.filter(request=placement_request).update(
        rank=None,
        price_score=None,
        quality_score=None,
        needs_fit_score=None,
        proximity_score=None,
        total_score=None,
        quality_snapshot=None,
    )
    transition(placement_request, Status.OPEN, actor=actor, reason="Re-opened", now=now)
    _invite(placement_request, eligibility, key=f"request:{placement_request.pk}:invite")
    _recount(placement_request, eligibility)
    notify_providers(
        _invited(placement_request),
        "placement_reopened",
        {"placement_request": placement_request},
        f"request:{placement_request.pk}:reopened:{round_no}",
        path_for=opportunity_path(placement_request),
    )
    return placement_request
