"""What a quarterly report shows, read from the database: the quarter's KPI snapshots, the
placements started and ended, the visits and plans, the quality scores; and which quarters,
return years and subscribers there are. Every figure is an aggregate: a report names no child
and no borough. Who sees which report: monitoring.access."""

from datetime import date, timedelta
from typing import Any

from django.db.models import Avg, Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dps.formatting import figure_display
from dps.models import Membership, Organisation, Role
from dps.periods import (
    QUARTER,
    latest_complete,
    period_containing,
    period_label,
    return_year,
    year_ending_of,
)
from placements.models import Placement
from providers.models import QualityScore

from ..kpis.periods import snapshot_label
from ..models import CorrectiveActionPlan, KpiSnapshot, MonitoringVisit, Report, ReportSubscription

Kind = Report.Kind

# --- Quarters ----------------------------------------------------------------------------


def quarter_start(day: date) -> date:
    return period_containing(QUARTER, day).start


def quarter_end(start: date) -> date:
    return period_containing(QUARTER, start).end


def last_complete_quarter(today: date) -> tuple[date, date]:
    """(start, end) of the last quarter that ended before `today`."""
    quarter = latest_complete(QUARTER, today)
    return quarter.start, quarter.end


def quarter_label(start: date) -> str:
    """The quarter as every page names a complete period: "Quarter ending 30 June 2026"."""
    end = quarter_end(start)
    return period_label(QUARTER, start, end, end)


# --- Which years -------------------------------------------------------------------------


def reports_of_year(reports: QuerySet[Report], year_ending: int) -> QuerySet[Report]:
    """The reports of quarters within the return year ending 31 March `year_ending`."""
    year = return_year(year_ending)
    return reports.filter(period_start__gte=year.start, period_end__lte=year.end)


def report_years(reports: QuerySet[Report]) -> list[int]:
    """The return years (the years they end in) that the reports' quarters fall in, newest
    first."""
    starts = reports.order_by().values_list("period_start", flat=True).distinct()
    return sorted({year_ending_of(start) for start in starts}, reverse=True)


# --- What a report shows -------------------------------------------------------------------


def _definitions():
    try:  # the KPI engine's definitions: labels and units
        from monitoring.kpis import KPIS
    except ImportError:
        return {}
    return KPIS


def kpi_label(code: str) -> str:
    kpi = _definitions().get(code)
    return getattr(kpi, "label", "") or code.replace("_", " ").capitalize()


def _kpi_rows(consortium, scope, scope_id, start):
    """The quarter's snapshots of the scope, in the order the KPIs are defined."""
    definitions = _definitions()
    order = {code: position for position, code in enumerate(definitions)}
    snapshots = KpiSnapshot.objects.filter(
        consortium=consortium,
        scope=scope,
        period=KpiSnapshot.Period.QUARTER,
        period_start=start,
    )
    if scope_id is not None:
        snapshots = snapshots.filter(scope_id=scope_id)
    rows = []
    ordered = sorted(snapshots, key=lambda s: (order.get(s.kpi, len(order)), s.kpi))
    for snapshot in ordered:
        kpi = definitions.get(snapshot.kpi)
        unit = getattr(kpi, "unit", "")
        rows.append(
            {
                "kpi": snapshot.kpi,
                "label": kpi_label(snapshot.kpi),
                "value": figure_display(snapshot.value, unit),
                "raw": snapshot.value,
                "period": snapshot_label(snapshot),
                "rag": snapshot.rag.capitalize() if snapshot.rag else "",
            }
        )
    return rows


def _placement_figures(placements, start, end):
    """Started, ended (and unplanned), active at the quarter's end, their mean weekly fee."""
    began = Q(actual_start_date__gte=start, actual_start_date__lte=end) & ~Q(
        status=Placement.Status.AWARDED
    )
    ended = Q(end_date__gte=start, end_date__lte=end)
    active = (
        Q(actual_start_date__lte=end)
        & ~Q(status=Placement.Status.AWARDED)
        & (Q(end_date__isnull=True) | Q(end_date__gt=end))
    )
    return placements.aggregate(
        started=Count("pk", filter=began),
        ended=Count("pk", filter=ended),
        unplanned=Count("pk", filter=ended & Q(end_planned=False)),
        active=Count("pk", filter=active),
        mean_fee=Avg("weekly_fee", filter=active),
    )


def _by_lot(placements, start, end):
    began = Q(actual_start_date__gte=start, actual_start_date__lte=end) & ~Q(
        status=Placement.Status.AWARDED
    )
    ended = Q(end_date__gte=start, end_date__lte=end)
    return list(
        placements.values(lot_name=Coalesce("lot__name", Value("No lot")))
        .annotate(
            started=Count("pk", filter=began),
            ended=Count("pk", filter=ended),
            unplanned=Count("pk", filter=ended & Q(end_planned=False)),
        )
        .filter(Q(started__gt=0) | Q(ended__gt=0))
        .order_by("lot_name")
    )


def _visit_figures(visits, start, end):
    done = Q(status=MonitoringVisit.Status.COMPLETED, visited_on__gte=start, visited_on__lte=end)
    return visits.aggregate(
        completed=Count("pk", filter=done),
        on_time=Count("pk", filter=done & Q(visited_on__lte=F("due_date"))),
        red=Count("pk", filter=done & Q(rag="red")),
        amber=Count("pk", filter=done & Q(rag="amber")),
        green=Count("pk", filter=done & Q(rag="green")),
        overdue=Count("pk", filter=Q(status=MonitoringVisit.Status.SCHEDULED, due_date__lte=end)),
    )


def _plan_figures(plans, start, end):
    end_moment = _end_of(end)
    start_moment = _end_of(start - timedelta(days=1))
    return plans.aggregate(
        opened=Count("pk", filter=Q(opened_at__gt=start_moment, opened_at__lte=end_moment)),
        closed=Count("pk", filter=Q(closed_at__gt=start_moment, closed_at__lte=end_moment)),
        open_at_end=Count(
            "pk",
            filter=Q(opened_at__lte=end_moment)
            & (Q(closed_at__isnull=True) | Q(closed_at__gt=end_moment)),
        ),
    )


def _end_of(day):
    """The last moment of a day, in the service's time zone."""
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(day, time.max))


def _latest_score(consortium, end=None):
    scores = QualityScore.objects.filter(provider=OuterRef("pk"), consortium=consortium)
    if end is not None:
        scores = scores.filter(computed_at__lte=_end_of(end))
    return scores.order_by("-computed_at", "-id").values("total")[:1]


def _first_score(consortium):
    scores = QualityScore.objects.filter(provider=OuterRef("pk"), consortium=consortium)
    return scores.order_by("computed_at", "id").values("total")[:1]


def _score_of(provider, consortium, end):
    """The score at the quarter's end; if there was none yet, the first one since."""
    scores = QualityScore.objects.filter(provider=provider, consortium=consortium)
    at_end = scores.filter(computed_at__lte=_end_of(end)).order_by("-computed_at", "-id").first()
    return at_end or scores.order_by("computed_at", "id").first()


def report_context(
    *, kind: str, consortium: Organisation, provider: Organisation | None, period_start: date
) -> dict:
    start, end = period_start, quarter_end(period_start)
    placements = Placement.objects.filter(borough__consortium=consortium)
    visits = MonitoringVisit.objects.filter(consortium=consortium)
    plans = CorrectiveActionPlan.objects.filter(consortium=consortium)
    context: dict[str, Any] = {
        "kind": kind,
        "consortium": consortium,
        "provider": provider,
        "period_start": start,
        "period_end": end,
        "quarter": quarter_label(start),
        "generated_at": timezone.localtime(),
    }
    if kind == Kind.PROVIDER:
        if provider is None:
            raise ValueError("A provider report needs its provider.")
        placements = placements.filter(provider=provider)
        visits = visits.filter(provider=provider)
        plans = plans.filter(provider=provider)
        context["kpis"] = _kpi_rows(consortium, KpiSnapshot.Scope.PROVIDER, provider.pk, start)
        context["score"] = _score_of(provider, consortium, end)
        context["visit_rows"] = list(
            visits.filter(
                Q(
                    status=MonitoringVisit.Status.COMPLETED,
                    visited_on__gte=start,
                    visited_on__lte=end,
                )
                | Q(status=MonitoringVisit.Status.SCHEDULED, due_date__lte=end)
            )
            .select_related("service")
            .order_by("due_date", "id")[:50]
        )
        context["plan_rows"] = list(
            plans.filter(opened_at__lte=_end_of(end))
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=_end_of(start - timedelta(1))))
            .annotate(
                actions_open=Count("actions", filter=Q(actions__status="open")),
                actions_done=Count("actions", filter=Q(actions__status="done")),
            )
            .order_by("opened_at", "id")[:50]
        )
        for plan in context["plan_rows"]:
            plan.kpi_label = kpi_label(plan.kpi) if plan.kpi else ""
    else:
        context["kpis"] = _kpi_rows(consortium, KpiSnapshot.Scope.CONSORTIUM, None, start)
        context["provider_rows"] = _provider_rows(consortium, start, end)
    context["placements"] = _placement_figures(placements, start, end)
    context["by_lot"] = _by_lot(placements, start, end)
    context["visits"] = _visit_figures(visits, start, end)
    context["plans"] = _plan_figures(plans, start, end)
    return context


def _provider_rows(consortium, start, end):
    """Each provider with placements in the consortium: the quarter's figures and its score."""
    ours = Q(provider_placements__borough__consortium=consortium)
    started = ours & ~Q(provider_placements__status=Placement.Status.AWARDED)
    ended = ours & Q(
        provider_placements__end_date__gte=start, provider_placements__end_date__lte=end
    )
    return list(
        providers_reported(consortium)
        .annotate(
            p_started=Count(
                "provider_placements",
                filter=started
                & Q(
                    provider_placements__actual_start_date__gte=start,
                    provider_placements__actual_start_date__lte=end,
                ),
            ),
            p_ended=Count("provider_placements", filter=ended),
            p_unplanned=Count(
                "provider_placements", filter=ended & Q(provider_placements__end_planned=False)
            ),
            p_active=Count(
                "provider_placements",
                filter=started
                & Q(provider_placements__actual_start_date__lte=end)
                & (
                    Q(provider_placements__end_date__isnull=True)
                    | Q(provider_placements__end_date__gt=end)
                ),
            ),
            # The score at the quarter's end, or (none then) the first one since.
            score=Coalesce(
                Subquery(_latest_score(consortium, end)), Subquery(_first_score(consortium))
            ),
        )
        .order_by("name")
    )


def providers_reported(consortium: Organisation) -> QuerySet[Organisation]:
    """Providers with a placement or an enrolment in the consortium."""
    ids = Placement.objects.filter(borough__consortium=consortium, provider__isnull=False).values(
        "provider_id"
    )
    enrolled = Organisation.objects.filter(
        kind=Organisation.Kind.PROVIDER, enrolments__lot__consortium=consortium
    ).values("pk")
    return Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).filter(
        Q(pk__in=ids) | Q(pk__in=enrolled)
    )


def subscribers(consortium: Organisation) -> QuerySet[ReportSubscription]:
    """Subscribed people with an active commissioner's or consortium admin's membership in the
    consortium."""
    members = Membership.objects.filter(is_active=True, user__is_active=True).filter(
        Q(role=Role.CONSORTIUM_ADMIN, organisation=consortium)
        | Q(role=Role.COMMISSIONER, organisation__consortium=consortium)
    )
    return (
        ReportSubscription.objects.filter(user__in=members.values("user"))
        .select_related("user")
        .order_by("user_id")
    )
