"""Who sees which KPI snapshots, and the breaches an actor may act on.

- A borough (its people and API clients): its own borough-scope snapshots and its
  consortium's consortium-scope ones (the other boroughs only in aggregate).
- A provider: the snapshots of its own provider scope and of its services' scopes.
- The consortium admin: every snapshot of its consortium.

And what the KPI engine reads: the earliest date of data a run counts, and a borough's figures
for a return year computed live (the kpi_report command).
"""

from datetime import date

from django.db.models import Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from dps.models import Organisation
from dps.tenancy import Actor
from placements.models import Placement, PlacementRequest
from providers.models import Service

from ..kpis import KPIS
from ..kpis.periods import YEAR, latest_complete, return_year
from ..models import KpiRun, KpiSnapshot, KpiThreshold, Rag, Ssda903Return

Scope = KpiSnapshot.Scope
BOROUGH_SCOPE = Scope.BOROUGH.value
BREACH_SCOPES = (Scope.BOROUGH, Scope.PROVIDER)


def snapshots_visible_to(actor: Actor | None) -> QuerySet[KpiSnapshot]:
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


def runs_visible_to(actor: Actor | None) -> QuerySet[KpiRun]:
    if actor is None or not actor.is_consortium_admin:
        return KpiRun.objects.none()
    return KpiRun.objects.filter(consortium=actor.organisation)


def thresholds_visible_to(actor: Actor | None) -> QuerySet[KpiThreshold]:
    if actor is None or not actor.is_consortium_admin:
        return KpiThreshold.objects.none()
    return KpiThreshold.objects.filter(consortium=actor.organisation)


def breaches_for(actor: Actor | None, *, today: date | None = None) -> QuerySet[KpiSnapshot]:
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


def kpi_data_since(*, consortium_id: int | None = None) -> date | None:
    """The earliest date of data the KPIs count (of one consortium's boroughs, or of all):
    the first day of the earliest imported SSDA903 return year, the day the earliest DPS or
    spot placement began (actual start, else agreed start), the earliest placement request
    created or published. None without any. An SSDA903 placement's own start (DECOM) can be
    decades back: the imported return years stand for those. Three aggregate queries."""
    returns = Ssda903Return.objects.filter(status=Ssda903Return.Status.IMPORTED)
    placements = Placement.objects.filter(source__in=[Placement.Source.DPS, Placement.Source.SPOT])
    requests = PlacementRequest.objects.all()
    if consortium_id is not None:
        returns = returns.filter(borough__consortium_id=consortium_id)
        placements = placements.filter(borough__consortium_id=consortium_id)
        requests = requests.filter(borough__consortium_id=consortium_id)
    year_ending = returns.aggregate(first=Min("year_ending"))["first"]
    began = placements.aggregate(first=Min(Coalesce("actual_start_date", "start_date")))["first"]
    asked = requests.aggregate(created=Min("created_at"), published=Min("published_at"))
    dates = [
        return_year(year_ending).start if year_ending else None,
        began,
        *(timezone.localdate(moment) for moment in asked.values() if moment is not None),
    ]
    dates = [day for day in dates if day is not None]
    return min(dates) if dates else None


def borough_year_figures(borough: Organisation, year_ending: int, *, today: date) -> list[tuple]:
    """Every borough-scope KPI of the borough for the return year ending 31 March
    `year_ending`, computed live from the definitions as a run computes it (the one year
    period, the borough scope), without storing anything: [(kpi, numerator, denominator,
    value, note)], in the order of KPIS. Value None: no data. A KPI not defined by year is
    computed for the year if its compute takes one; if it cannot, its figures are None and
    its note says "not computed by year"."""
    period = return_year(year_ending)
    figures = []
    for kpi in KPIS.values():
        if BOROUGH_SCOPE not in kpi.scopes:
            continue
        try:
            rows = kpi.compute(BOROUGH_SCOPE, [period], today)
        except Exception:
            if YEAR in kpi.periods:
                raise
            figures.append((kpi, None, None, None, "not computed by year"))
            continue
        row = next(
            (
                r
                for r in rows
                if r.scope_id == borough.pk and r.consortium_id == borough.consortium_id
            ),
            None,
        )
        numerator, denominator = (row.numerator, row.denominator) if row else (None, None)
        value = kpi.value_of(numerator, denominator)
        figures.append((kpi, numerator, denominator, value, "" if row else "no data"))
    return figures
