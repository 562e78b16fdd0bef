"""Monitoring visits to providers' services: scheduled (every VISIT_INTERVAL_MONTHS after the
last completed visit, sooner for lower Ofsted ratings), recorded with findings and a RAG result,
or cancelled.

Who sees and records which visits is decided in monitoring/access.py: the consortium admin and
the commissioners of the boroughs placing with the provider; a provider sees its own visits (read
only). Placement officers and the boroughs' case systems do not take part."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from dps.models import Organisation
from dps.services import DomainError
from dps.services.audit import audit_record
from dps.services.emails import email_queue_template
from dps.tenancy import Actor
from providers.models import OfstedRating, Service

from ..access import may_act_on_visit, may_monitor_provider
from ..models import MonitoringVisit, Rag
from ..models.visits import VISIT_STATES
from ..selectors.visits import monitored_services, provider_admin_emails

Status = MonitoringVisit.Status
EARLIEST = date(2000, 1, 1)
# Months between visits for a service with a lower rating; others wait VISIT_INTERVAL_MONTHS.
SOONER_FOR_RATING: dict[str, int] = {
    OfstedRating.REQUIRES_IMPROVEMENT: 3,
    OfstedRating.INADEQUATE: 1,
}


def interval_months(rating: str) -> int:
    return SOONER_FOR_RATING.get(rating, getattr(settings, "VISIT_INTERVAL_MONTHS", 6))


def next_due(rating: str, after: date) -> date:
    return after + relativedelta(months=interval_months(rating))


# --- Who records ------------------------------------------------------------------------


def _require_monitor(actor, consortium_id=None):
    consortium = actor.consortium if actor is not None else None
    if not (actor is not None and actor.is_commissioner_or_admin) or consortium is None:
        raise PermissionDenied("Only commissioners and the consortium admin can do this.")
    if consortium_id is not None and consortium_id != consortium.pk:
        raise PermissionDenied("This belongs to another consortium.")
    return consortium


def _check_date(
    value: date | None,
    field: str,
    *,
    not_before: date | None = None,
    not_after: date | None = None,
) -> date:
    if value is None:
        raise DomainError("Enter a date.", field)
    if value < (not_before or EARLIEST):
        raise DomainError(f"Enter a date from {(not_before or EARLIEST):%-d %B %Y}.", field)
    if not_after is not None and value > not_after:
        raise DomainError(f"Enter a date no later than {not_after:%-d %B %Y}.", field)
    return value


# --- Scheduling ---------------------------------------------------------------------------


@transaction.atomic
def visits_schedule(
    *, consortium: Organisation, today: date | None = None
) -> list[MonitoringVisit]:
    """Schedule the next visit of every monitored service that has none scheduled: due the
    service's interval after its last completed visit (or after today, if never visited).
    Idempotent: running it again creates nothing. Returns the visits created."""
    today = today or timezone.localdate()
    scheduled = MonitoringVisit.objects.filter(consortium=consortium, status=Status.SCHEDULED)
    last = (
        MonitoringVisit.objects.filter(
            consortium=consortium, service=OuterRef("pk"), status=Status.COMPLETED
        )
        .values("service")
        .annotate(last=Max("visited_on"))
        .values("last")
    )
    # Runs for one consortium take turns (its row is locked), so two at once cannot both
    # schedule a service's visit.
    type(consortium).objects.select_for_update().filter(pk=consortium.pk).first()
    services = (
        monitored_services(consortium)
        .annotate(last_visit=Subquery(last[:1]))
        .exclude(pk__in=scheduled.values("service"))
    )
    visits = [
        MonitoringVisit(
            service=service,
            provider_id=service.provider_id,
            consortium=consortium,
            due_date=next_due(service.ofsted_rating, service.last_visit or today),
        )
        for service in services
    ]
    MonitoringVisit.objects.bulk_create(visits)
    if visits:
        audit_record(
            label="system",
            action="monitoring_visit.schedule",
            organisation=consortium,
            detail={"scheduled": len(visits), "today": today.isoformat()},
        )
    return visits


def visits_schedule_all(today: date | None = None) -> int:
    """The daily run: every consortium's visits. Returns how many were scheduled."""
    total = 0
    for consortium in Organisation.objects.filter(kind=Organisation.Kind.CONSORTIUM):
        total += len(visits_schedule(consortium=consortium, today=today))
    return total


@transaction.atomic
def visit_schedule_manual(
    *, actor: Actor, service: Service | None, due_date: date | None
) -> MonitoringVisit:
    """Schedule an extra visit to a monitored service."""
    consortium = _require_monitor(actor)
    if service is None or not monitored_services(consortium).filter(pk=service.pk).exists():
        raise DomainError("Choose a service of a provider enrolled on your lots.", "service")
    if not may_monitor_provider(actor, service.provider):
        raise DomainError("Choose a service of a provider your borough places with.", "service")
    today = timezone.localdate()
    due_date = _check_date(
        due_date, "due_date", not_before=today, not_after=today + relativedelta(years=5)
    )
    visit = MonitoringVisit.objects.create(
        service=service, provider_id=service.provider_id, consortium=consortium, due_date=due_date
    )
    audit_record(
        actor=actor,
        action="monitoring_visit.schedule_manual",
        obj=visit,
        detail={"service": service.pk, "due_date": due_date.isoformat()},
    )
    return visit


def _lock(actor, visit, action):
    _require_monitor(actor, visit.consortium_id)
    if not may_act_on_visit(actor, visit):
        raise PermissionDenied("Only the consortium and the boroughs placing with the provider.")
    visit = (
        MonitoringVisit.objects.select_for_update()
        .select_related("service", "provider")
        .get(pk=visit.pk)
    )
    VISIT_STATES.guard(visit, action=action)
    return visit


@transaction.atomic
def visit_record(
    *,
    actor: Actor,
    visit: MonitoringVisit,
    visited_on: date | None,
    findings: str | None,
    rag: str,
) -> MonitoringVisit:
    """Record a scheduled visit: the day, the findings and the RAG result. The service's next
    visit is scheduled (unless another is already). The provider's admins are told."""
    visit = _lock(actor, visit, "record")
    visited_on = _check_date(visited_on, "visited_on", not_after=timezone.localdate())
    findings = (findings or "").strip()
    if not findings:
        raise DomainError("Enter the visit's findings.", "findings")
    if rag not in Rag.values:
        raise DomainError("Choose red, amber or green.", "rag")
    visit.visited_on = visited_on
    visit.findings = findings
    visit.rag = rag
    visit.recorded_by = actor.user
    VISIT_STATES.move(
        visit,
        Status.COMPLETED,
        actor=actor,
        fields=["visited_on", "findings", "rag", "recorded_by"],
    )
    audit_record(
        actor=actor,
        action="monitoring_visit.record",
        obj=visit,
        detail={"visited_on": visited_on.isoformat(), "rag": rag},
    )
    following = None
    service = visit.service
    others = MonitoringVisit.objects.filter(
        service=service, consortium_id=visit.consortium_id, status=Status.SCHEDULED
    )
    if service.is_active and not others.exists():
        following = MonitoringVisit.objects.create(
            service=service,
            provider_id=visit.provider_id,
            consortium_id=visit.consortium_id,
            due_date=next_due(service.ofsted_rating, visited_on),
        )
    _email_provider(visit, "emails/monitoring_visit_recorded", {"next_visit": following})
    return visit


@transaction.atomic
def visit_cancel(*, actor: Actor, visit: MonitoringVisit, reason: str | None) -> MonitoringVisit:
    """Cancel a scheduled visit, saying why. (The daily run schedules the service's next.)"""
    visit = _lock(actor, visit, "cancel")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the visit is cancelled.", "reason")
    visit.findings = reason
    visit.recorded_by = actor.user
    VISIT_STATES.move(
        visit, Status.CANCELLED, actor=actor, reason=reason, fields=["findings", "recorded_by"]
    )
    audit_record(
        actor=actor,
        action="monitoring_visit.cancel",
        obj=visit,
        detail={"reason": reason},
    )
    return visit


def _email_provider(visit, template, context):
    for address in provider_admin_emails(visit.provider):
        email_queue_template(
            to=address,
            template=template,
            context={"visit": visit, **context},
            organisation=visit.provider,
            dedupe_key=f"{template}:{visit.pk}:{address}",
        )
