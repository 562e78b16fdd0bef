"""Closing a request at its deadline: bids are checked, scored and ranked, and the request's bids
are unsealed for the borough.

`requests_close_due` runs every minute from beat. Each request is closed in its own transaction
under a row lock taken with SKIP LOCKED, and only while it is still open: two workers running at
once close each request exactly once, and a second run changes nothing.

A request closes CLOSE_GRACE_SECONDS after its deadline, not at it: a bid that reached the
server before the deadline but is still waiting for the request's lock commits first, so every
bid made in time is evaluated. Bids arriving after the deadline are refused by their own check."""

from collections import namedtuple
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from providers.models import Enrolment, QualityScore

from ..models import Bid, Evaluation, PlacementRequest
from ..models.bids import BID_STATES
from ..selectors.distance import miles_from_home, proximity_limit
from . import budget, scoring
from .notify import notify_borough, notify_providers, opportunity_path
from .transitions import transition

Status = PlacementRequest.Status
# Used when a provider has no quality score at the deadline (never computed).
NEUTRAL_QUALITY = scoring.Decimal(50)


BID_READ = (
    "request_id",
    "provider_id",
    "service_id",
    "status",
    "terms_version",
    "weekly_fee",
    "needs_met",
    "submitted_at",
    "invalid_reason",  # written back with the scores
)
# The quality score in force for a bid at the deadline: its id, total and time.
InForce = namedtuple("InForce", "pk total computed_at")


def _bids_to_evaluate(placement_request):
    """The request's submitted bids, locked, each with what checking and scoring read: a few of
    its own and its service's columns, its provider's enrolment status on the lot, and the
    provider's quality score in force at the deadline (the latest computed by then). One
    query: the enrolment and the score are subqueries per bid, not queries of their own."""
    lot = placement_request.lot
    enrolment = Enrolment.objects.filter(provider=OuterRef("provider_id"), lot=lot)
    score = QualityScore.objects.filter(
        provider=OuterRef("provider_id"),
        consortium_id=lot.consortium_id,
        computed_at__lte=placement_request.bid_deadline,
    ).order_by("-computed_at", "-id")
    return list(
        Bid.objects.select_for_update(of=("self",))
        .filter(request=placement_request, status=Bid.Status.SUBMITTED)
        .select_related("service")
        .only(*BID_READ, "service__is_active", "service__easting", "service__northing")
        .annotate(
            enrolment_status=Subquery(enrolment.values("status")[:1]),
            score_id=Subquery(score.values("id")[:1]),
            score_total=Subquery(score.values("total")[:1]),
            score_at=Subquery(score.values("computed_at")[:1]),
        )
    )


def _in_force(bid):
    return InForce(bid.score_id, bid.score_total, bid.score_at) if bid.score_id else None


def _invalid_reason(bid, placement_request):
    status = bid.enrolment_status
    if status != Enrolment.Status.ACTIVE:
        label = Enrolment.Status(status).label.lower() if status else "missing"
        return f"The provider's enrolment on the lot was {label} at the deadline."
    if bid.terms_version < placement_request.terms_version:
        return "The bid was not re-confirmed after the request's terms changed."
    if not bid.service.is_active:
        return "The service bid with was deactivated before the deadline."
    return budget.closing_reason(placement_request, bid.weekly_fee)


def request_close(request_id: int, *, now: datetime | None = None) -> bool:
    """Close one request if it is still open and past its deadline. True if this call closed
    it."""
    now = now or timezone.now()
    with transaction.atomic():
        placement_request = (
            # Lock the request row alone (its lot is a nullable join PostgreSQL cannot lock).
            PlacementRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("lot", "borough")
            .filter(pk=request_id, status=Status.OPEN, bid_deadline__lte=now)
            .first()
        )
        if placement_request is None:
            return False
        valid, invalid = _evaluate(placement_request, now=now)
        placement_request.closed_at = now
        transition(
            placement_request,
            Status.CLOSED,
            reason=f"The deadline passed: {len(valid)} valid bid{'s' if len(valid) != 1 else ''}.",
            now=now,
        )
        if not valid:
            placement_request.status_reason = "No valid bid was made."
            transition(placement_request, Status.NO_SUITABLE_OFFER, reason="No valid bid.", now=now)
        _tell(placement_request, valid, invalid, now=now)
    return True


def _evaluate(placement_request, *, now):
    """Check each submitted bid, score the valid ones, store the evaluation. Returns
    (valid bids, invalid bids)."""
    bids = _bids_to_evaluate(placement_request)
    lot = placement_request.lot
    valid, invalid = [], []
    for bid in bids:
        reason = _invalid_reason(bid, placement_request)
        if reason:
            bid.status, bid.invalid_reason = Bid.Status.INVALID, reason
            invalid.append(bid)
        else:
            valid.append(bid)
    miles = {
        b.pk: miles_from_home(placement_request, b.service.easting, b.service.northing)
        for b in valid
    }
    offers = [
        scoring.Offer(
            bid_id=b.pk,
            weekly_fee=b.weekly_fee,
            quality=b.score_total if b.score_id else NEUTRAL_QUALITY,
            needs_claimed=frozenset(b.needs_met),
            submitted_at=b.submitted_at,
            miles=miles[b.pk],
        )
        for b in valid
    ]
    weights = lot.evaluation_weights
    needs = placement_request.needs or {}
    limit = proximity_limit(placement_request)
    scored = scoring.score_bids(offers, needs=needs, weights=weights, proximity_limit=limit)
    scores = {s.bid_id: s for s in scored}
    inputs = {}
    for bid in valid:
        s = scores[bid.pk]
        snapshot = _in_force(bid)
        bid.rank, bid.price_score, bid.quality_score = s.rank, s.price, s.quality
        bid.needs_fit_score, bid.total_score = s.needs_fit, s.total
        bid.proximity_score = s.proximity
        bid.quality_snapshot_id = snapshot.pk if snapshot else None
        inputs[str(bid.pk)] = {
            "weekly_fee": str(bid.weekly_fee),
            "quality_score_id": snapshot.pk if snapshot else None,
            "quality_computed_at": snapshot.computed_at.isoformat() if snapshot else None,
            "needs_claimed": sorted(bid.needs_met),
            "need_points_met": s.needs_points_met,
            "distance_miles": None if miles[bid.pk] is None else str(miles[bid.pk]),
            "proximity_limit_miles": str(limit),
        }
    for bid in invalid:
        bid.rank = bid.price_score = bid.quality_score = None
        bid.needs_fit_score = bid.total_score = bid.quality_snapshot_id = None
        bid.proximity_score = None
    _store_scores(valid + invalid)
    BID_STATES.record(
        invalid,
        Bid.Status.SUBMITTED,
        Bid.Status.INVALID,
        reason=lambda bid: bid.invalid_reason,
        at=now,
    )
    figures = {
        "weights": weights,
        "lowest_fee": min((b.weekly_fee for b in valid), default=None),
        "total_need_score": sum(needs.values()),
        "inputs": inputs,
        "valid_bids": len(valid),
        "invalid_bids": len(invalid),
    }
    # Stored, or replaced after a re-opening, in one statement (an upsert on the request).
    Evaluation.objects.bulk_create(
        [Evaluation(request=placement_request, **figures)],
        update_conflicts=True,
        unique_fields=["request"],
        update_fields=list(figures),
    )
    return valid, invalid


SCORE_FIELDS = (
    "status",
    "invalid_reason",
    "rank",
    "price_score",
    "quality_score",
    "needs_fit_score",
    "proximity_score",
    "total_score",
    "quality_snapshot_id",
)


def _store_scores(bids):
    """Write every bid's status and scores in one statement: an UPDATE from a VALUES list of
    (id, fields...), joined on the id. Django's bulk_update would build a CASE per field and
    bid, and a statement per bid costs a round trip each; both cost more than the scoring.
    Each value is cast to its column's type, so a list of nulls is typed too."""
    if not bids:
        return
    quote = connection.ops.quote_name
    fields = [Bid._meta.get_field("id"), *(Bid._meta.get_field(f) for f in SCORE_FIELDS)]
    row = "(" + ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in fields) + ")"
    # VALUES names its columns column1, column2, ... on PostgreSQL and SQLite alike.
    assign = ", ".join(f"{quote(f.column)} = v.column{i}" for i, f in enumerate(fields, 1) if i > 1)
    sql = (
        f"UPDATE {quote(Bid._meta.db_table)} SET {assign} "  # noqa: S608 - fixed names
        f"FROM (VALUES {', '.join([row] * len(bids))}) AS v "
        f"WHERE {quote(Bid._meta.db_table)}.id = v.column1"
    )
    params = [value for bid in bids for value in (bid.pk, *(getattr(bid, f) for f in SCORE_FIELDS))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _tell(placement_request, valid, invalid, *, now):
    key = f"request:{placement_request.pk}:closed:{now.isoformat()}"
    notify_borough(
        placement_request,
        "placement_closed",
        {"valid_bids": len(valid), "invalid_bids": len(invalid)},
        key,
    )
    if not invalid:
        return
    path_for = opportunity_path(placement_request)
    for bid in invalid:
        notify_providers(
            [bid.provider_id],
            "placement_bid_invalid",
            {"placement_request": placement_request, "reason": bid.invalid_reason},
            f"{key}:invalid",
            path_for=path_for,
        )


def requests_close_due(*, now: datetime | None = None) -> int:
    """Close every open request whose deadline (plus the grace) has passed. Returns how many
    this call closed."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.CLOSE_GRACE_SECONDS)
    due = PlacementRequest.objects.filter(status=Status.OPEN, bid_deadline__lte=cutoff)
    return sum(request_close(pk, now=now) for pk in due.values_list("pk", flat=True))
