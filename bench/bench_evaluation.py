"""Evaluation and shortlist of a request with 30 bids: the request closes (each bid checked,
scored and ranked, the evaluation stored, the borough told) and the officer confirms the
shortlist (the top three told). The request and its bids are committed first; each run is a
transaction of its own, as closing is, rolled back, so every run closes the same request; the
request is removed at the end. (Runs nested in one transaction would each leave row versions
that the later runs step over: none can be cleaned up before that transaction ends.)
The lower bound is one hand-written SQL query that scores and ranks the same bids."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from bench.harness import ms_result, timed
from bench.subjects import biggest_lot, new_requests, officer_of
from dps.runtime import freeze_startup_objects
from placements.models import Bid, PlacementRequest
from placements.services.closing import request_close
from placements.services.requests import request_shortlist_confirm
from providers.models import Enrolment, Service

TARGET_MS = 30
BIDS = 30

RANK_SQL = """
    WITH scored AS (
        SELECT b.id, b.submitted_at,
               100 * MIN(b.weekly_fee) OVER () / b.weekly_fee AS price,
               COALESCE(q.total, 50) AS quality
        FROM placements_bid b
        JOIN providers_enrolment e ON e.provider_id = b.provider_id AND e.lot_id = %(lot)s
        LEFT JOIN LATERAL (
            SELECT total FROM providers_qualityscore
            WHERE provider_id = b.provider_id AND consortium_id = %(consortium)s
              AND computed_at <= %(deadline)s
            ORDER BY computed_at DESC LIMIT 1
        ) q ON true
        WHERE b.request_id = %(request)s AND b.status = 'submitted' AND e.status = 'active'
    )
    SELECT id, RANK() OVER (ORDER BY 0.6 * quality + 0.3 * price DESC, quality DESC,
                            submitted_at) FROM scored
"""


def _request_with_bids(lot, now):
    """An open request past its deadline with one bid from each of 30 providers."""
    request = new_requests(lot, 1, seed=30)[0]
    request.status = PlacementRequest.Status.OPEN
    request.published_at = now - timedelta(hours=25)
    request.bid_deadline = now - timedelta(minutes=1)
    request.save()
    services = (
        Service.objects.filter(
            provider__enrolments__lot=lot,
            provider__enrolments__status=Enrolment.Status.ACTIVE,
            service_type__in=lot.service_types,
        )
        .order_by("provider_id", "pk")
        .distinct("provider_id")[:BIDS]
    )
    Bid.objects.bulk_create(
        Bid(
            request=request,
            provider_id=service.provider_id,
            service=service,
            core_weekly_fee=Decimal(4000 + 37 * i),
            weekly_fee=Decimal(4000 + 37 * i),
            start_date=now.date() + timedelta(days=3),
            needs_met=dict.fromkeys(list(request.needs)[: i % 12], "Met"),
            submitted_at=now - timedelta(hours=2, minutes=i),
        )
        for i, service in enumerate(services)
    )
    return request


def run(ctx):
    lot = biggest_lot()
    now = timezone.now()

    def once(request):
        with transaction.atomic():
            if not request_close(request.pk, now=now):
                raise AssertionError("the request did not close")
            closed = PlacementRequest.objects.get(pk=request.pk)
            request_shortlist_confirm(actor=officer, placement_request=closed)
            transaction.set_rollback(True)

    with transaction.atomic():
        request = _request_with_bids(lot, now)
    try:
        freeze_startup_objects()  # as a Celery worker process does once started (dps.celery)
        officer = officer_of(request.borough)
        bids = Bid.objects.filter(request=request).count()
        samples = timed(lambda: once(request), repeat=ctx.repeat(40, 5), warmup=2)
        params = {
            "lot": lot.pk,
            "consortium": lot.consortium_id,
            "deadline": request.bid_deadline,
            "request": request.pk,
        }

        def rank():
            with connection.cursor() as cursor:
                cursor.execute(RANK_SQL, params)
                return cursor.fetchall()

        bound = timed(rank, repeat=ctx.repeat(40, 5))
    finally:
        with transaction.atomic():
            Bid.objects.filter(request=request).delete()
            request.delete()
    return [
        ms_result(
            f"evaluation and shortlist of a request with {bids} bids",
            samples,
            target_ms=TARGET_MS,
            bound=sorted(bound)[len(bound) // 2],
            note="close (check, score, rank, store, tell the borough) + confirm shortlist",
        )
    ]
