"""What the dashboards read: KPI snapshots (never computed here), and a few groupings of the
actor's own placements made in the database (current weekly spend by lot and by provider, fee
against needs). Every function starts from the actor's tenancy:

- a borough's commissioners see their borough's snapshots and placements, and the consortium
  only in aggregate (consortium-scope snapshots);
- the consortium admin sees every borough of the consortium;
- a provider sees the snapshots of its own scope only.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, NullIf, RowNumber
from django.utils import timezone

from dps.models import Organisation, Role
from dps.tenancy import MONITORS, Actor
from geography.distance import BANDS, FAR_FROM_HOME_MILES, UNKNOWN_BAND
from geography.models import District
from geography.selectors import Unknown, council_names
from placements.models import Placement, PlacementRequest
from providers.models import Enrolment, Lot, QualityScore, Service
from providers.needs import INDICATOR_CODES, INDICATOR_LABELS

from ..kpis import periods
from ..kpis.dfe import NEW_CARER, NEW_DISTANCE, PLACEMENT_GROUPS, SHORT_BREAKS, TEMPORARY
from ..kpis.distance import DPS_DISTANCE, made_through_dps
from ..kpis.periods import QUARTER, add_months, period_containing, return_year, year_ending_of
from ..models import (
    CareEpisode,
    CorrectiveActionPlan,
    KpiSnapshot,
    MonitoringVisit,
    PlacementReview,
)
from .visits import overdue_visits as visits_overdue

Scope = KpiSnapshot.Scope
Period = KpiSnapshot.Period
Kind = Organisation.Kind

DASHBOARD_ROLES = MONITORS
PROVIDER_ROLES = {Role.PROVIDER_ADMIN, Role.BIDDER}

# The headline figures, in the order the dashboards show them.
HEADLINE = [
    "unplanned_endings_12m",
    "three_plus_placements",
    "needs_change",
    "school_attendance",
    "eet_16_plus",
    "dps_share",
    "mean_weekly_cost",
    "cost_avoidance",
]
# The DfE's measures of children looked after, from the boroughs' SSDA903 returns.
DFE_FIGURES = [
    "cla_at_end",
    "started_in_year",
    "ceased_in_year",
    "three_plus_placements",
    "long_term_stability",
    "placed_outside_boundary",
]
# Where the children looked after on 31 March live: (KPI code, the DfE's group).
PLACEMENT_MIX = [
    (f"placement_type_{group}", label) for group, (label, _c) in PLACEMENT_GROUPS.items()
]
# Distance from home, by the DfE's measures: of the placements made through the DPS (any
# period), and of the new placements in the SSDA903 returns (the year only).
DISTANCE_FIGURES = DPS_DISTANCE
DFE_DISTANCE_FIGURES = NEW_DISTANCE
# The figures drawn over time, the borough's against the consortium's.
TRENDS = ["unplanned_endings_12m", "dps_share", "mean_weekly_cost", "school_attendance"]
# What a provider is measured on, against the consortium.
PROVIDER_KPIS = [
    "unplanned_endings_12m",
    "mean_duration_days",
    "needs_change",
    "school_attendance",
    "eet_16_plus",
    "response_rate",
    "mean_weekly_cost",
    "cost_per_need_point",
    "documents_current",
    "visits_on_time",
    *DPS_DISTANCE,
]
TREND_MONTHS = 24

# Labels and units when the KPI definitions (monitoring.kpis.KPIS) are not there to ask.
_FALLBACK = {
    "unplanned_endings_12m": ("Unplanned endings in 12 months", "percent", False),
    "mean_duration_days": ("Mean placement duration", "days", True),
    "three_plus_placements": ("Children with 3 or more placements in the year", "percent", False),
    "long_term_stability": ("Long-term stability", "percent", True),
    "needs_change": ("Change in needs score", "points", False),
    "school_attendance": ("School attendance", "percent", True),
    "eet_16_plus": ("Young people 16+ in education, employment or training", "percent", True),
    "bids_per_request": ("Bids per request", "ratio", True),
    "response_rate": ("Response rate to requests", "percent", True),
    "days_to_placement": ("Days from request to placement", "days", False),
    "dps_share": ("Placements made through the DPS", "percent", True),
    "spend": ("Spend", "pounds", None),
    "mean_weekly_cost": ("Mean weekly cost", "pounds", False),
    "cost_per_need_point": ("Weekly cost per need point", "pounds", False),
    "cost_avoidance": ("Cost avoidance", "pounds", True),
    "documents_current": ("Compliance documents current", "percent", True),
    "visits_on_time": ("Monitoring visits on time", "percent", True),
    "ofsted_downgrades": ("Ofsted downgrades", "count", False),
}


@dataclass(frozen=True)
class KpiInfo:
    code: str
    label: str
    unit: str
    higher_is_better: bool | None


def kpi_info(code: str) -> KpiInfo:
    try:
        from monitoring.kpis import KPIS  # the engine's definitions, once they exist
    except ImportError:
        KPIS = {}
    kpi = KPIS.get(code)
    if kpi is not None:
        return KpiInfo(code, kpi.label, kpi.unit, kpi.higher_is_better)
    label, unit, better = _FALLBACK.get(code, (code.replace("_", " ").capitalize(), "", None))
    return KpiInfo(code, label, unit, better)


# --- Who sees what ----------------------------------------------------------------------


def can_see_dashboards(actor: Actor | None) -> bool:
    return actor is not None and actor.is_commissioner_or_admin


def boroughs_of(actor: Actor) -> QuerySet[Organisation]:
    """The boroughs whose own figures the actor may see: its own, or all of the admin's."""
    if actor.is_consortium_admin:
        return Organisation.objects.filter(consortium=actor.organisation, kind=Kind.BOROUGH)
    if actor.is_borough:
        return Organisation.objects.filter(pk=actor.organisation.pk)
    return Organisation.objects.none()


def lots_for(actor: Actor) -> QuerySet[Lot]:
    """The lots of the actor's consortium."""
    consortium = actor.consortium
    if consortium is None:
        return Lot.objects.none()
    return Lot.objects.filter(consortium=consortium).order_by("position", "name")


def providers_for(actor: Actor) -> QuerySet[Organisation]:
    """The providers a commissioner or the admin may look at: those enrolled on the
    consortium's lots, and those holding the borough's placements."""
    consortium = actor.consortium
    if consortium is None:
        return Organisation.objects.none()
    placed = Placement.objects.filter(borough_id__in=borough_ids(actor)).values("provider_id")
    enrolled = Enrolment.objects.filter(lot__consortium=consortium).values("provider_id")
    # Two semi-joins rather than a join to the enrolments made distinct again: the same
    # providers, without a row per enrolment to sort out.
    return (
        Organisation.objects.filter(kind=Kind.PROVIDER)
        .filter(Q(pk__in=enrolled) | Q(pk__in=placed))
        .order_by("name")
    )


def provider_consortia(provider: Organisation) -> QuerySet[Organisation]:
    """The consortia a provider is (or was) enrolled with."""
    lots = Enrolment.objects.filter(provider=provider).values("lot__consortium_id")
    return Organisation.objects.filter(kind=Kind.CONSORTIUM, pk__in=lots).order_by("name")


# --- Snapshots --------------------------------------------------------------------------


def return_years(consortium: Organisation) -> list[int]:
    """The return years (the years they end in) for which the consortium has yearly
    snapshots, newest first. One query."""
    starts = (
        KpiSnapshot.objects.filter(consortium=consortium, period=Period.YEAR)
        .values_list("period_start", flat=True)
        .distinct()
        .order_by("-period_start")
    )
    return [year_ending_of(start) for start in starts]


def default_return_year(years: list[int], today: date) -> int:
    """The year a page shows until another is chosen: the latest complete return year (of
    those with figures, if any is complete; else the newest with figures)."""
    latest_complete = year_ending_of(today) - 1
    complete = [year for year in years if year <= latest_complete]
    if complete:
        return complete[0]
    return years[0] if years else latest_complete


_YEAR_FIRST = Case(
    When(period=Period.YEAR, then=Value(0)),
    When(period=Period.QUARTER, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def window(year_ending: int, quarter: int | None = None) -> periods.Period:
    """The period a page shows: the return year ending 31 March `year_ending`, or its
    `quarter` (1: April to June, ..., 4: January to March)."""
    year = return_year(year_ending)
    if not quarter:
        return year
    return period_containing(QUARTER, add_months(year.start, 3 * (quarter - 1)))


def year_snapshots(
    consortium: Organisation,
    scope: str,
    scope_ids: Iterable[int],
    kpis: list[str],
    year_ending: int,
    quarter: int | None = None,
) -> dict[tuple[int, str], KpiSnapshot]:
    """{(scope_id, kpi): snapshot} of the return year ending 31 March `year_ending` (or of its
    `quarter`): the yearly (quarterly) snapshot; for a KPI without one, its latest quarter
    (else month) in the period. One query: each (scope_id, kpi)'s snapshots are ranked once
    (a window), not looked up again for every row."""
    year = window(year_ending, quarter)
    rows = (
        KpiSnapshot.objects.filter(
            consortium=consortium,
            scope=scope,
            scope_id__in=list(scope_ids),
            kpi__in=kpis,
            period_start__gte=year.start,
            period_end__lte=year.end,
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("scope_id"), F("kpi")],
                order_by=[_YEAR_FIRST.asc(), F("period_start").desc()],
            )
        )
        .filter(rank=1)
    )
    return {(s.scope_id, s.kpi): s for s in rows}


def cost_avoidance_to_date(consortium: Organisation, scope: str, scope_id: int) -> Decimal | None:
    """The sum of the monthly cost avoidance snapshots so far."""
    total = KpiSnapshot.objects.filter(
        consortium=consortium,
        scope=scope,
        scope_id=scope_id,
        kpi="cost_avoidance",
        period=Period.MONTH,
        period_end__lt=timezone.localdate(),
    ).aggregate(total=Sum("value"))["total"]
    return total


def monthly_series(
    consortium: Organisation,
    kpis: list[str],
    scopes: Iterable[tuple[str, int]],
    *,
    months: int = TREND_MONTHS,
    year_ending: int | None = None,
    quarter: int | None = None,
) -> dict[tuple[str, str, int], list[tuple[date, Decimal | None]]]:
    """Monthly values of `kpis` for each (scope, scope_id) in `scopes`, the complete months
    of the return year ending 31 March `year_ending` (or of its `quarter`), or else the last
    `months`: {(kpi, scope, scope_id): [(period_start, value)]}. One query."""
    today = timezone.localdate()
    since = today.replace(day=1)
    for _ in range(months):
        since = (since.replace(day=1) - timedelta(days=1)).replace(day=1)
    within = {}
    if year_ending is not None:
        year = window(year_ending, quarter)
        since, within = year.start, {"period_end__lte": year.end}
    match = Q()
    for scope, scope_id in scopes:
        match |= Q(scope=scope, scope_id=scope_id)
    rows = (
        KpiSnapshot.objects.filter(
            match,
            consortium=consortium,
            kpi__in=kpis,
            period=Period.MONTH,
            period_start__gte=since,
            period_end__lt=today,
            **within,
        )
        .order_by("period_start")
        .values_list("kpi", "scope", "scope_id", "period_start", "value")
    )
    series: dict[tuple[str, str, int], list[tuple[date, Decimal | None]]] = {}
    for kpi, scope, scope_id, start, value in rows:
        series.setdefault((kpi, scope, scope_id), []).append((start, value))
    return series


def provider_snapshots_visible(actor: Actor, provider: Organisation) -> bool:
    """Whether the actor may see this provider's performance."""
    if actor.is_provider:
        return provider.pk == actor.organisation.pk
    return providers_for(actor).filter(pk=provider.pk).exists()


# --- The actor's own placements, grouped in the database --------------------------------


def borough_ids(actor: Actor) -> list[int]:
    """The ids of boroughs_of(actor), as a list. Given a consortium's boroughs as a subquery,
    PostgreSQL expects 2 where there are 24 (nearly every organisation with a consortium is a
    borough, which it cannot know) and reads their thousands of placements row by row."""
    if actor.is_borough:
        return [actor.organisation.pk]
    return list(boroughs_of(actor).values_list("pk", flat=True))


def current_placements(
    actor: Actor, provider: Organisation | None = None, lot: Lot | None = None
) -> QuerySet[Placement]:
    """The placements the actor's boroughs hold today (awarded or started, not ended). A
    placement's weekly_fee is the fee in force today: recording a change (which may be dated
    ahead) sets it to the fee in force on the day, and the daily task `fees_roll_daily` moves
    it to a change dated ahead when its day comes. The KPIs over periods read the schedule."""
    qs = Placement.objects.filter(
        borough_id__in=borough_ids(actor),
        status__in=[Placement.Status.AWARDED, Placement.Status.STARTED],
    )
    if provider is not None:
        qs = qs.filter(provider=provider)
    if lot is not None:
        qs = qs.filter(lot=lot)
    return qs


def _names(model, ids):
    """{id: name}: names are looked up once each, not joined to thousands of placements."""
    return dict(model.objects.filter(pk__in=set(ids) - {None}).values_list("pk", "name"))


def spend_by(
    actor: Actor, by: str, provider: Organisation | None = None, lot: Lot | None = None
) -> list[tuple]:
    """Current weekly spend and placements by "lot" or "provider": (name, weekly, placements,
    id), by name (None, a spot purchase's provider or no lot, last). Two queries: the grouping
    by id, then the names."""
    rows = list(
        current_placements(actor, provider, lot)
        .values_list(f"{by}_id")
        .annotate(weekly=Sum("weekly_fee"), placements=Count("pk"))
        .order_by()
    )
    names = _names(Lot if by == "lot" else Organisation, [pk for pk, _w, _n in rows])
    named = [(names.get(pk), weekly, count, pk) for pk, weekly, count in rows]
    return sorted(named, key=lambda row: (row[0] is None, (row[0] or "").casefold()))


# Why a current placement is not on the fee-against-need scatter.
NO_NEEDS_SCORE = "no needs score (made without a scored request, and not yet reviewed)"
NO_FEE = "no weekly fee"


def fee_against_need(
    actor: Actor, provider: Organisation | None = None, lot: Lot | None = None
) -> tuple[list[tuple], list[tuple]]:
    """The actor's current placements against their needs: (shown, left out). Shown: (placement,
    child reference, borough, provider, total needs score, weekly fee) of every one with a fee
    and a needs score, the latest review's total or else the request's (needs change; the fee
    is today's). Left out: (placement, child reference, reason) of the others. Two queries:
    the placements, then the names of their boroughs and providers."""
    latest_review = (
        PlacementReview.objects.filter(placement=OuterRef("pk"))
        .order_by("-review_date", "-pk")
        .values("needs_total")[:1]
    )
    rows = list(
        current_placements(actor, provider, lot)
        .annotate(score=Coalesce(Subquery(latest_review), F("needs_total")))
        .order_by("score", "weekly_fee", "pk")
        .values_list("pk", "child_reference", "borough_id", "provider_id", "score", "weekly_fee")
    )
    shown = [r for r in rows if r[4] is not None and r[5]]
    left_out = [
        (pk, ref, NO_NEEDS_SCORE if score is None else NO_FEE)
        for pk, ref, _b, _p, score, fee in rows
        if score is None or not fee
    ]
    names = _names(Organisation, {r[2] for r in shown} | {r[3] for r in shown})
    shown = [
        (pk, ref, names.get(borough), names.get(provider_id), needs, fee)
        for pk, ref, borough, provider_id, needs, fee in shown
    ]
    return shown, left_out


def outliers(points: list[tuple]) -> set[int]:
    """The indexes of points whose fee per need point lies beyond 1.5 interquartile ranges."""
    ratios = [(i, fee / needs) for i, (needs, fee) in enumerate(points) if needs]
    if len(ratios) < 4:
        return set()
    values = sorted(r for _, r in ratios)

    def quantile(q):
        position = (len(values) - 1) * q
        low = int(position)
        high = min(low + 1, len(values) - 1)
        return values[low] + (values[high] - values[low]) * Decimal(str(position - low))

    q1, q3 = quantile(0.25), quantile(0.75)
    spread = (q3 - q1) * Decimal("1.5")
    return {i for i, r in ratios if r < q1 - spread or r > q3 + spread}


# --- Distance from home -----------------------------------------------------------------


def _band():
    """The band of a placement's distance (geography.distance.BANDS), in the database."""
    whens = [When(distance_miles__isnull=True, then=Value(UNKNOWN_BAND))]
    whens += [When(distance_miles__lte=bound, then=Value(label)) for bound, label in BANDS if bound]
    return Case(*whens, default=Value(BANDS[-1][1]))


def distance_bands(
    consortium: Organisation,
    start: date,
    end: date,
    *,
    boroughs: list[int] | None = None,
    provider: Organisation | None = None,
    lot: Lot | None = None,
) -> list[tuple[str, int]]:
    """How many of the placements made through the DPS that began from `start` to `end` (the
    population of the distance KPIs) fall in each distance band, "Distance unknown" last:
    [(band, placements)], every band listed. Of the consortium's boroughs, or of `boroughs`;
    of one provider or lot if given. One query, grouped in the database."""
    placements = made_through_dps().filter(
        borough__consortium=consortium, began__gte=start, began__lte=end
    )
    if boroughs is not None:
        placements = placements.filter(borough_id__in=boroughs)
    if provider is not None:
        placements = placements.filter(provider=provider)
    if lot is not None:
        placements = placements.filter(lot=lot)
    counts = dict(
        placements.annotate(band=_band()).values_list("band").annotate(n=Count("pk")).order_by()
    )
    labels = [label for _bound, label in BANDS] + [UNKNOWN_BAND]
    return [(label, counts.get(label, 0)) for label in labels]


def unknown_reasons(
    consortium: Organisation,
    start: date,
    end: date,
    *,
    boroughs: list[int] | None = None,
    episodes: bool = True,
) -> list[tuple[str, int, int | None]]:
    """Why distances are unknown: [(reason, placements made through the DPS that began from
    `start` to `end`, SSDA903 episodes with a new carer that began then)], each reason with
    any, in the order of geography.selectors.Unknown. The episodes' count is None when not
    asked for (`episodes` False: the page is narrowed to a lot or a provider, which an
    episode has not). Two grouped queries."""
    placements = made_through_dps().filter(
        borough__consortium=consortium, began__gte=start, began__lte=end, distance_miles=None
    )
    care = CareEpisode.objects.filter(
        borough__consortium=consortium,
        decom__gte=start,
        decom__lte=end,
        pl_distance=None,
        rne__in=NEW_CARER,
    ).exclude(ls__in=SHORT_BREAKS)
    care = care.exclude(place__in=TEMPORARY)
    if boroughs is not None:
        placements = placements.filter(borough_id__in=boroughs)
        care = care.filter(borough_id__in=boroughs)

    def counted(queryset):
        return dict(queryset.values_list("distance_unknown").annotate(n=Count("pk")).order_by())

    dps = counted(placements)
    ssda903 = counted(care) if episodes else {}
    reasons = [(value, label) for value, label in Unknown.choices]
    reasons.append(("", "No reason recorded"))
    return [
        (label, dps.get(value, 0), ssda903.get(value, 0) if episodes else None)
        for value, label in reasons
        if dps.get(value) or ssda903.get(value)
    ]


# --- Visits, plans and quality ----------------------------------------------------------


def overdue_visits(actor: Actor, limit: int = 20) -> list[MonitoringVisit]:
    """The first of the scheduled visits the actor sees that are past their due date."""
    return list(visits_overdue(actor).order_by("due_date", "pk")[:limit])


def provider_visits(
    actor: Actor, provider: Organisation, consortium: Organisation | None, limit: int = 20
) -> list[MonitoringVisit]:
    return list(
        MonitoringVisit.objects.filter(provider=provider, consortium=consortium)
        .select_related("service")
        .order_by("-due_date", "-pk")[:limit]
    )


def provider_plans(
    actor: Actor, provider: Organisation, consortium: Organisation | None, limit: int = 20
) -> list[CorrectiveActionPlan]:
    """A borough's commissioners see the plans of their own borough and the consortium's
    own; the admin and the provider see all of them."""
    plans = CorrectiveActionPlan.objects.filter(provider=provider, consortium=consortium)
    if actor.is_borough:
        plans = plans.filter(Q(borough=actor.organisation) | Q(borough__isnull=True))
    return list(plans.select_related("borough").order_by("-pk")[:limit])


def quality_history(
    provider: Organisation, consortium: Organisation | None, limit: int = 12
) -> list[QualityScore]:
    return list(
        QualityScore.objects.filter(provider=provider, consortium=consortium).order_by(
            "-computed_at", "-pk"
        )[:limit]
    )


# --- Market position --------------------------------------------------------------------

OPEN_REQUEST = [
    PlacementRequest.Status.OPEN,
    PlacementRequest.Status.CLOSED,
    PlacementRequest.Status.SHORTLISTED,
]


def _needs_sums(prefix):
    return {
        code: Coalesce(Sum(Cast(KeyTextTransform(code, prefix), IntegerField())), Value(0))
        for code in INDICATOR_CODES
    }


def market_demand(actor: Actor) -> list[dict]:
    """Needs by lot and placing borough: open requests and current placements, with the sum
    of each Valuing Care score. Two queries. A borough sees its own rows only."""
    boroughs = boroughs_of(actor)
    requests = (
        PlacementRequest.objects.filter(borough__in=boroughs, status__in=OPEN_REQUEST)
        .values("lot__name", "borough__name")
        .annotate(children=Count("pk"), **_needs_sums("needs"))
        .order_by("lot__name", "borough__name")
    )
    placements = (
        Placement.objects.filter(
            borough__in=boroughs,
            status__in=[Placement.Status.AWARDED, Placement.Status.STARTED],
        )
        .values("lot__name", "borough__name")
        .annotate(children=Count("pk"), **_needs_sums("request__needs"))
        .order_by("lot__name", "borough__name")
    )
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, qs in (("requests", requests), ("placements", placements)):
        for r in qs:
            key = (r["lot__name"] or "No lot", r["borough__name"])
            row = rows.setdefault(
                key,
                {"requests": 0, "placements": 0, "needs": dict.fromkeys(INDICATOR_CODES, 0)},
            )
            row[kind] += r["children"]
            for code in INDICATOR_CODES:
                row["needs"][code] += r[code]
    return [
        {"lot": lot, "area": area, **row, "needs_list": [row["needs"][c] for c in INDICATOR_CODES]}
        for (lot, area), row in sorted(rows.items())
    ]


def market_supply(actor: Actor) -> list[tuple]:
    """Capacity by lot and area: the services of providers actively enrolled on each of the
    consortium's lots, their registered places and vacancies. One query."""
    consortium = actor.consortium
    if consortium is None:
        return []
    return list(
        Enrolment.objects.filter(
            lot__consortium=consortium,
            status=Enrolment.Status.ACTIVE,
            provider__services__is_active=True,
        )
        .values("lot__name", "provider__services__local_authority")
        .annotate(
            services=Count("provider__services", distinct=True),
            places=Sum("provider__services__registered_places"),
            vacancies=Sum("provider__services__vacancies"),
        )
        .order_by("lot__name", "provider__services__local_authority")
        .values_list(
            "lot__name", "provider__services__local_authority", "services", "places", "vacancies"
        )
    )


GAP_FIELDS = ("requests", "placements", "places", "vacancies")


def market_gaps(demand: list[dict], supply: list[tuple]) -> list[dict]:
    """Per lot: children waiting (open requests) against vacancies, and children placed
    against registered places."""
    lots: dict[str, dict[str, int]] = {}
    for row in demand:
        lot = lots.setdefault(row["lot"], dict.fromkeys(GAP_FIELDS, 0))
        lot["requests"] += row["requests"]
        lot["placements"] += row["placements"]
    for lot_name, _area, _services, places, vacancies in supply:
        lot = lots.setdefault(lot_name, dict.fromkeys(GAP_FIELDS, 0))
        lot["places"] += places or 0
        lot["vacancies"] += vacancies or 0
    return [
        {"lot": name, **v, "gap": max(v["requests"] - v["vacancies"], 0)}
        for name, v in sorted(lots.items())
    ]


NEED_LABELS = [INDICATOR_LABELS[c] for c in INDICATOR_CODES]


# --- Market position by local authority -------------------------------------------------

CURRENT = [Placement.Status.AWARDED, Placement.Status.STARTED]
COUNCIL_FIELDS = (
    "requests",
    "placed_from",
    "placed_far",
    "distance_unknown",
    "placed_in",
    "services",
    "places",
    "vacancies",
)


def _home_council(request_path: str, borough_path: str):
    """The council (upper tier) of a child's home: that of the request's home postcode
    district, or, when the home is the borough's own area (not shared) or there is no request
    (a spot purchase), the borough's own council."""
    district = District.objects.filter(code=OuterRef(f"{request_path}home_district"))
    own = F(f"{borough_path}la_code")
    return Case(
        When(**{f"{request_path}home_location": "borough"}, then=own),
        default=Coalesce(NullIf(Subquery(district.values("upper_tier")[:1]), Value("")), own),
    )


@dataclass
class CouncilRow:
    """Demand and capacity in one council's area: open requests and current placements of
    children whose home is there (and how many of those are more than 20 miles away, or at a
    distance not known), current placements made there, and the active services of the
    consortium's enrolled providers there, with their registered places and vacancies."""

    code: str
    name: str
    requests: int = 0
    placed_from: int = 0
    placed_far: int = 0
    distance_unknown: int = 0
    placed_in: int = 0
    services: int = 0
    places: int = 0
    vacancies: int = 0

    @property
    def far_share(self) -> Decimal | None:
        """Of the current placements of children from here, the share over 20 miles away."""
        if not self.placed_from:
            return None
        return Decimal(self.placed_far * 100) / self.placed_from


def market_by_council(actor: Actor) -> list[CouncilRow]:
    """Demand and capacity by council, by council name: the actor's boroughs' open requests
    and current placements by the council of the child's home, their current placements by
    the council they are in (Placement.council), and the capacity enrolled on the consortium's
    lots by the council each service is in (Service.council). Four grouped queries and one for
    the names; bounded by the number of councils (about 150 in England, and the nations)."""
    consortium = actor.consortium
    if consortium is None:
        return []
    boroughs = borough_ids(actor)
    rows: dict[str, dict[str, int]] = {}

    def add(code, **values):
        row = rows.setdefault(code or "", dict.fromkeys(COUNCIL_FIELDS, 0))
        for name, value in values.items():
            row[name] += value or 0

    requests = (
        PlacementRequest.objects.filter(borough_id__in=boroughs, status__in=OPEN_REQUEST)
        .annotate(home=_home_council("", "borough__"))
        .values("home")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for r in requests:
        add(r["home"], requests=r["n"])
    current = Placement.objects.filter(borough_id__in=boroughs, status__in=CURRENT)
    placed_from = (
        current.annotate(home=_home_council("request__", "borough__"))
        .values("home")
        .annotate(
            n=Count("pk"),
            far=Count("pk", filter=Q(distance_miles__gt=FAR_FROM_HOME_MILES)),
            unknown=Count("pk", filter=Q(distance_miles__isnull=True)),
        )
        .order_by()
    )
    for r in placed_from:
        add(r["home"], placed_from=r["n"], placed_far=r["far"], distance_unknown=r["unknown"])
    placed_in = current.exclude(council="").values_list("council").annotate(Count("pk"))
    for code, n in placed_in.order_by():
        add(code, placed_in=n)
    enrolled = Enrolment.objects.filter(
        lot__consortium=consortium, status=Enrolment.Status.ACTIVE
    ).values("provider_id")
    capacity = (
        Service.objects.filter(is_active=True, provider_id__in=enrolled)
        .values("council")
        .annotate(n=Count("pk"), places=Sum("registered_places"), vacancies=Sum("vacancies"))
        .order_by()
    )
    for r in capacity:
        add(r["council"], services=r["n"], places=r["places"], vacancies=r["vacancies"])
    names = council_names(code for code in rows if code)
    found = [
        CouncilRow(code=code, name=names.get(code, code) if code else "Not known", **values)
        for code, values in rows.items()
    ]
    return sorted(found, key=lambda row: (not row.code, row.name.casefold()))
