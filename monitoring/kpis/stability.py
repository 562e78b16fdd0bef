"""Placement stability: unplanned endings within 12 months, mean duration, and the DfE's two
stability measures of children looked after (3 or more placements in the year; long-term
stability)."""

from django.db.models import Count, DateField, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from placements.models import Child, Placement

from . import ALL_PERIODS, ALL_SCOPES, BOROUGH, CONSORTIUM, Kpi, bucketed, grouped, register
from .expressions import DaysBetween, active_during, began
from .periods import add_months

HAPPENED = (Placement.Status.STARTED, Placement.Status.ENDED)
PLACEMENT_PATHS = {
    "consortium": "borough__consortium",
    "borough": "borough",
    "provider": "provider",
    "service": "service",
    "lot": "lot",
}
CHILD_PATHS = {"consortium": "borough__consortium", "borough": "borough"}


def placements():
    """Placements that began (not those awarded and not yet started)."""
    return Placement.objects.filter(status__in=HAPPENED).alias(
        began=began(), lasted=DaysBetween("end_date", began())
    )


def unplanned_endings(scope, periods, today):
    return bucketed(
        placements(),
        PLACEMENT_PATHS,
        scope,
        periods,
        "end_date",
        Count("pk", filter=Q(end_planned=False, lasted__lt=365)),
        Count("pk"),
    )


def mean_duration(scope, periods, today):
    return bucketed(
        placements(), PLACEMENT_PATHS, scope, periods, "end_date", Sum("lasted"), Count("pk")
    )


def _episodes(child_ref="pk"):
    return Placement.objects.filter(child=OuterRef(child_ref), status__in=HAPPENED).annotate(
        began=began()
    )


def looked_after_on(day):
    """The child had a placement open on `day` (begun by it, not ended by it)."""
    return Exists(
        _episodes().filter(began__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
    )


def children_query(scope, periods, numerator, denominator, aliases, **base):
    queryset = Child.objects.alias(**base)
    for i, period in enumerate(periods):
        queryset = queryset.alias(**aliases(i, period))
    return grouped(queryset, CHILD_PATHS, scope, periods, numerator, denominator)


def three_plus_placements(scope, periods, today):
    def aliases(i, period):
        # Placements during the year: open at any time in it; several episodes beginning on
        # the same day count once (distinct start dates).
        during = (
            _episodes()
            .filter(active_during(period.start, period.end))
            .order_by()
            .values("child")
            .annotate(n=Count("began", distinct=True))
            .values("n")
        )
        return {
            f"cla{i}": looked_after_on(period.end),
            f"moves{i}": Coalesce(Subquery(during), 0),
        }

    return children_query(
        scope,
        periods,
        lambda p: Count(
            "pk", filter=Q(**{f"cla{periods.index(p)}": True, f"moves{periods.index(p)}__gte": 3})
        ),
        lambda p: Count("pk", filter=Q(**{f"cla{periods.index(p)}": True})),
        aliases,
    )


def long_term_stability(scope, periods, today):
    first_began = Subquery(
        _episodes().order_by("began").values("began")[:1], output_field=DateField()
    )

    def aliases(i, period):
        end = period.end
        return {
            f"cla{i}": looked_after_on(end),
            # In the placement open on 31 March for 2 years or more.
            f"same{i}": Exists(
                _episodes()
                .filter(began__lte=add_months(end, -24))
                .filter(Q(end_date__isnull=True) | Q(end_date__gt=end))
            ),
        }

    def cohort(p):
        i = periods.index(p)
        return (
            Q(**{f"cla{i}": True})
            # Under 16 on 31 March; looked after for 2.5 years (30 months) or more.
            & Q(date_of_birth__gt=add_months(p.end, -16 * 12))
            & Q(since__lte=add_months(p.end, -30))
        )

    return children_query(
        scope,
        periods,
        lambda p: Count("pk", filter=cohort(p) & Q(**{f"same{periods.index(p)}": True})),
        lambda p: Count("pk", filter=cohort(p)),
        aliases,
        since=Coalesce("looked_after_since", first_began),
    )


STABILITY = "Placement stability"
register(
    Kpi(
        code="unplanned_endings_12m",
        label="Placements ending unplanned within 12 months",
        unit="percent",
        higher_is_better=False,
        scopes=ALL_SCOPES,
        periods=ALL_PERIODS,
        compute=unplanned_endings,
        family=STABILITY,
        scale=100,
        description="Of the placements that ended in the period, the share that ended unplanned "
        "less than 365 days after they began.",
    )
)
register(
    Kpi(
        code="mean_duration_days",
        label="Mean duration of placements ended",
        unit="days",
        higher_is_better=True,
        scopes=ALL_SCOPES,
        periods=ALL_PERIODS,
        compute=mean_duration,
        family=STABILITY,
        description="The mean number of days from start to end of the placements that ended "
        "in the period.",
    )
)
register(
    Kpi(
        code="three_plus_placements",
        label="Children with 3 or more placements in the year",
        unit="percent",
        higher_is_better=False,
        scopes=(CONSORTIUM, BOROUGH),
        periods=("year",),
        compute=three_plus_placements,
        family=STABILITY,
        scale=100,
        description="Of the children looked after on 31 March, the share with 3 or more "
        "placements during the year ending that day (DfE measure).",
    )
)
register(
    Kpi(
        code="long_term_stability",
        label="Long-term stability of children under 16",
        unit="percent",
        higher_is_better=True,
        scopes=(CONSORTIUM, BOROUGH),
        periods=("year",),
        compute=long_term_stability,
        family=STABILITY,
        scale=100,
        description="Of the children under 16 looked after on 31 March for 2.5 years or more, "
        "the share in the same placement for 2 years or more (DfE measure).",
    )
)
