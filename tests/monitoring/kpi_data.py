"""Small data sets for the outcomes, education, market and compliance KPI tests: requests,
bids, invitations, reviews, documents, visits and audited Ofsted changes made directly."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.db.models import QuerySet

from dps.models import AuditEvent
from monitoring.kpis import KPIS
from monitoring.kpis.periods import Period
from monitoring.models import MonitoringVisit, PlacementReview
from placements.models import Bid, Evaluation, Placement, PlacementRequest, ProviderInvitation
from providers.models import Document
from tests.factories import ProviderFactory, ServiceFactory
from tests.monitoring.kpi_helpers import with_agreed_fee

LONDON = ZoneInfo("Europe/London")
TODAY = date(2024, 6, 15)


def d(text):
    return date.fromisoformat(text)


def at(text, hour=12):
    """A moment on the London day `text` (noon unless told)."""
    return datetime.combine(d(text), time(hour), tzinfo=LONDON)


Q3_2023 = Period("quarter", d("2023-07-01"), d("2023-09-30"))
Q1 = Period("quarter", d("2024-01-01"), d("2024-03-31"))
Q2 = Period("quarter", d("2024-04-01"), d("2024-06-30"))  # partial: today is 15 June
YEAR = Period("year", d("2023-04-01"), d("2024-03-31"))


def values(code, scope, listed, scope_id, today=TODAY):
    """The KPI's values for one scope id in the listed periods, None where a period has no
    data; [] when no period has any."""
    kpi = KPIS[code]
    found = {
        r.index: kpi.value_of(r.numerator, r.denominator)
        for r in kpi.compute(scope, listed, today)
        if r.scope_id == scope_id
    }
    return [found.get(i) for i in range(len(listed))] if found else []


def request(world, *, borough=None, closed=None, published=None, created=None, score=None, **extra):
    """A placement request; `score`: its evaluation's total needs score."""
    made = PlacementRequest.objects.create(
        borough=borough or world.borough_a,
        status=extra.pop("status", PlacementRequest.Status.CLOSED),
        closed_at=closed,
        published_at=published,
        **extra,
    )
    if created is not None:
        PlacementRequest.objects.filter(pk=made.pk).update(created_at=created)
    if score is not None:
        Evaluation.objects.create(request=made, weights={}, total_need_score=score)
    return made


def place(world, start, end=None, *, fee="700", **extra):
    """A placement that began on `start` (ended on `end`); `status` may be given (an award)."""
    status = extra.pop("status", Placement.Status.ENDED if end else Placement.Status.STARTED)
    placement = Placement.objects.create(
        borough=extra.pop("borough", world.borough_a),
        provider=extra.pop("provider", world.provider_a),
        source=extra.pop("source", Placement.Source.SPOT),
        weekly_fee=Decimal(fee),
        start_date=start,
        status=status,
        end_date=end,
        **extra,
    )
    return with_agreed_fee(placement)


def provider():
    return ProviderFactory()


def bid(req, provider, fee, status=Bid.Status.SUBMITTED):
    service = ServiceFactory(provider=provider)
    fee = Decimal(fee)
    return Bid.objects.create(
        request=req,
        provider=provider,
        service=service,
        status=status,
        core_weekly_fee=fee,
        weekly_fee=fee,
        start_date=d("2024-01-01"),
        submitted_at=at("2024-01-01"),
    )


def invite(req, provider, *, declined=None):
    return ProviderInvitation.objects.create(request=req, provider=provider, declined_at=declined)


def review(placement, day, *, total=0, status="not_applicable"):
    return PlacementReview.objects.create(
        placement=placement,
        review_date=d(day),
        needs={},
        needs_total=total,
        education_status=status,
    )


def document(provider, kind, uploaded, expires=None):
    made = Document.objects.create(
        provider=provider,
        document_type=kind,
        file="documents/test.pdf",
        original_name="test.pdf",
        content_type="application/pdf",
        size=13,
        expires_on=d(expires) if expires else None,
    )
    Document.objects.filter(pk=made.pk).update(uploaded_at=at(uploaded))
    return made


def visit(world, service, due, status="scheduled", visited=None):
    return MonitoringVisit.objects.create(
        service=service,
        provider=service.provider,
        consortium=world.consortium,
        due_date=d(due),
        status=status,
        visited_on=d(visited) if visited else None,
    )


def rating_change(service, day, old, new):
    """An audited Ofsted rating change of `service` on `day`, as the Ofsted import records it."""
    with time_machine.travel(at(day), tick=False):
        event = AuditEvent.objects.create(
            actor_label="system",
            organisation=service.provider,
            action="service.ofsted_rating",
            object_type="providers.Service",
            object_id=str(service.pk),
            detail={"old": {"rating": old}, "new": {"rating": new}},
        )
    # The audit log refuses updates through its own queryset; the time is set on creation.
    assert QuerySet(AuditEvent).filter(pk=event.pk, at__date=d(day)).exists()
    return event
