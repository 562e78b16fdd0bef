"""Who sees which KPI snapshots, and the breaches an actor may act on.

- A borough (its people and API clients): its own borough-scope snapshots and its
  consortium's consortium-scope ones (the other boroughs only in aggregate).
- A provider: the snapshots of its own provider scope and of its services' scopes.
- The consortium admin: every snapshot of its consortium.
"""

from django.db.models import Q
from django.utils import timezone

from dps.models import Organisation
from providers.models import Service

from ..models import KpiRun, KpiSnapshot, KpiThreshold, Rag
from . import KPIS
from .periods import latest_complete

Scope = KpiSnapshot.Scope
BREACH_SCOPES = (Scope.BOROUGH, Scope.PROVIDER)


def snapshots_visible_to(actor):
    snapshots = KpiSnapshot.objects.all()
    if actor is None:
        return snapshots.none()
    org = actor.organisation
    if actor.is_consortium_admin:
        return snapshots.filter(consortium=org)
    if org.kind == Organisation.Kind.BOROUGH:
        return snapshots.filter(
            Q(scope=Scope.BOROUGH, scope_id=org.pk, consortium_id=org.consortium_id)
            | Q(scope=Scope.CONSORTIUM, scope_id=org.consortium_id)
        )
    if org.kind == Organisation.Kind.PROVIDER:
        # The service ids as a list, not a subquery: with a list PostgreSQL sees how few rows
        # match and reads them by the (scope, scope_id) index, where a subquery led it to walk
        # every snapshot newest first looking for them.
        services = list(Service.objects.filter(provider=org).values_list("pk", flat=True))
        return snapshots.filter(
            Q(scope=Scope.PROVIDER, scope_id=org.pk) | Q(scope=Scope.SERVICE, scope_id__in=services)
        )
    return snapshots.none()


def runs_visible_to(actor):
    if actor is None or not actor.is_consortium_admin:
        return KpiRun.objects.none()
    return KpiRun.objects.filter(consortium=actor.organisation)


def thresholds_visible_to(actor):
    if actor is None or not actor.is_consortium_admin:
        return KpiThreshold.objects.none()
    return KpiThreshold.objects.filter(consortium=actor.organisation)


def breaches_for(actor, *, today=None):
    """The red borough- and provider-scope snapshots of the latest complete headline period of
    each KPI (the quarter; the year for yearly KPIs) that the actor may see, for opening a
    corrective action plan."""
    today = today or timezone.localdate()
    latest = Q()
    for kpi in KPIS.values():
        period = latest_complete(kpi.headline_period, today)
        latest |= Q(kpi=kpi.code, period=period.kind, period_start=period.start)
    return (
        snapshots_visible_to(actor)
        .filter(latest, rag=Rag.RED, scope__in=BREACH_SCOPES)
        .order_by("kpi", "scope", "scope_id")
    )
