"""The market: competition (bids per request, response rate), speed (days to placement), the
share placed through the DPS, and money (spend, mean weekly cost, cost per need point, cost
avoidance)."""

from dataclasses import replace
from datetime import date

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateField,
    DecimalField,
    F,
    FilteredRelation,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least, TruncDate

from placements.models import Bid, Fee, Placement, PlacementRequest, ProviderInvitation
from placements.selectors.schedule import fee_rows

from .base import (
    ALL_PERIODS,
    ALL_SCOPES,
    BOROUGH,
    CONSORTIUM,
    LOT,
    PROVIDER,
    Kpi,
    Row,
    bucketed,
    decimal,
    register,
)
from .expressions import DaysBetween, count_of, day
from .stability import HAPPENED, PLACEMENT_PATHS, placements

MONEY: DecimalField = DecimalField(max_digits=16, decimal_places=4)
REQUEST_PATHS = {"consortium": "borough__consortium", "borough": "borough", "lot": "lot"}
INVITATION_PATHS = {
    "consortium": "request__borough__consortium",
    "borough": "request__borough",
    "provider": "provider",
    "lot": "request__lot",
}


def bids_per_request(scope, periods, today):
    # "Not withdrawn" spelled as the statuses it leaves: a negated condition on the joined
    # bids would be a subquery per row and period.
    received = Q(bids__status__in=[Bid.Status.SUBMITTED, Bid.Status.INVALID])
    return bucketed(
        PlacementRequest.objects.filter(closed_at__isnull=False),
        REQUEST_PATHS,
        scope,
        periods,
        "closed_at",
        Count("bids", filter=received),
        Count("pk", distinct=True),
    )


def response_rate(scope, periods, today):
    # The provider's own bid joined once per invitation (a request has one bid per provider),
    # rather than a subquery per invitation and period.
    own_bid = FilteredRelation("request__bids", condition=Q(request__bids__provider=F("provider")))
    queryset = ProviderInvitation.objects.filter(request__closed_at__isnull=False).alias(
        own_bid=own_bid
    )
    answered = Q(own_bid__status__in=[Bid.Status.SUBMITTED, Bid.Status.INVALID]) | Q(
        declined_at__isnull=False
    )
    return bucketed(
        queryset,
        INVITATION_PATHS,
        scope,
        periods,
        "request__closed_at",
        Count("pk", filter=answered),
        Count("pk"),
    )


def days_to_placement(scope, periods, today):
    asked = Coalesce(
        TruncDate("request__published_at"),
        TruncDate("request__created_at"),
        output_field=DateField(),
    )
    queryset = placements().filter(request__isnull=False).alias(waited=DaysBetween("began", asked))
    return bucketed(queryset, PLACEMENT_PATHS, scope, periods, "began", Sum("waited"), Count("pk"))


def dps_share(scope, periods, today):
    return bucketed(
        bought(),
        PLACEMENT_PATHS,
        scope,
        periods,
        "began",
        Count("pk", filter=Q(source=Placement.Source.DPS)),
        Count("pk"),
    )


BOUGHT = (Placement.Source.DPS, Placement.Source.SPOT)


def bought():
    """Placements bought, with a fee: through the DPS or spot purchased. One read from an
    SSDA903 return has no fee (the return holds none): counting it would pull the mean down."""
    return placements().filter(source__in=BOUGHT)


# --- Money: read from each placement's schedule (placements.selectors.schedule) ---------------

FEE_PATHS = {scope: f"placement__{path}" for scope, path in PLACEMENT_PATHS.items()}


def bought_fees(periods, today):
    """The fee rows of the bought placements that began, of those active in any of the
    periods: their schedules. Every bought placement has one row agreed at award, then a row
    per change (placements.models.fees)."""
    first = min(p.start for p in periods)
    last = max(p.upto(today) for p in periods)
    return fee_rows().filter(
        Q(placement__end_date__isnull=True) | Q(placement__end_date__gte=first),
        began__lte=last,
        placement__status__in=HAPPENED,
        placement__source__in=BOUGHT,
    )


FAR = date(9999, 12, 31)  # "not ended" where a bound must be a date


def schedule_rows(scope, periods, today, numerator, denominator):
    """`grouped` over the fee rows' days in each period, in two steps: a row's first and last
    day that costs are worked out once (the inner query: when the placement began, when the
    row starts and ends, when the placement ended), then each period's sums only clip them to
    the period (the outer). One query; the database does every sum. Written as SQL around the
    inner query because an aggregate over a subquery's columns is beyond the ORM, and each
    period's expression repeating the row's bounds costs it once per period (51 of them)
    instead of once.

    `numerator` and `denominator` name a sum for each period: "cost" (weekly fee x days / 7),
    "days" (the fee rows' days: the placement-days) or "placements" (the placements active,
    each counted by its one agreed row)."""
    consortium_path, id_path = FEE_PATHS[CONSORTIUM], FEE_PATHS[scope]
    inner = (
        bought_fees(periods, today)
        .filter(**{f"{consortium_path}__isnull": False, f"{id_path}__isnull": False})
        .values(
            _c=F(consortium_path),
            _s=F(id_path),
            _fee=F("weekly_fee"),
            _first=Greatest("starts", "began", output_field=DateField()),
            _last=Least(
                Coalesce("ends", day(FAR)),
                Coalesce("placement__end_date", day(FAR)),
                output_field=DateField(),
            ),
            _end=Coalesce("placement__end_date", day(FAR), output_field=DateField()),
            _agreed=Case(When(kind=Fee.Kind.AGREED, then=Value(1)), default=Value(0)),
        )
        .order_by()
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    postgres = connection.vendor == "postgresql"

    def when(value):
        return value if postgres else value.isoformat()

    if postgres:
        days = "GREATEST(LEAST(t._last, %s::date) - GREATEST(t._first, %s::date) + 1, 0)"
    else:
        days = "MAX(julianday(MIN(t._last, %s)) - julianday(MAX(t._first, %s)) + 1, 0)"
    # Each takes the period's last day counted, then its first.
    sums = {
        "cost": f"SUM(t._fee * {days}) / 7",
        "days": f"SUM({days})",
        "placements": "SUM(CASE WHEN t._agreed = 1 AND t._first <= %s AND t._end >= %s "
        "THEN 1 ELSE 0 END)",
    }
    columns, params = [], []
    for i, period in enumerate(periods):
        first, last = when(period.start), when(period.upto(today))
        for name, kind in ((f"n{i}", numerator), (f"d{i}", denominator)):
            columns.append(f"{sums[kind]} AS {name}")
            params += [last, first]
    query = (
        f"SELECT t._c, t._s, {', '.join(columns)} "  # noqa: S608 - no value is spliced in
        f"FROM ({inner_sql}) t GROUP BY t._c, t._s"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, *inner_params])
        found = cursor.fetchall()
    return [
        Row(row[0], row[1], i, decimal(row[2 + 2 * i]), decimal(row[3 + 2 * i]))
        for row in found
        for i in range(len(periods))
        if row[3 + 2 * i]
    ]


def spend(scope, periods, today):
    return schedule_rows(scope, periods, today, "cost", "placements")


def mean_weekly_cost(scope, periods, today):
    """The time-weighted mean: the schedule's cost over the placement-days active, times 7
    (the KPI's scale), so a fee change mid-period counts for the days it applied."""
    return schedule_rows(scope, periods, today, "cost", "days")


def with_agreed_fee(queryset):
    """Placements with `agreed`: their fee row agreed at award (one join: one row each)."""
    return queryset.alias(
        agreed=FilteredRelation("fees", condition=Q(fees__kind=Fee.Kind.AGREED))
    ).filter(agreed__isnull=False)


def cost_per_need_point(scope, periods, today):
    queryset = with_agreed_fee(placements().filter(request__evaluation__total_need_score__gt=0))
    return bucketed(
        queryset,
        PLACEMENT_PATHS,
        scope,
        periods,
        "began",
        Sum("agreed__weekly_fee"),
        Sum("request__evaluation__total_need_score"),
    )


class Median(Aggregate):
    """PostgreSQL's median: the mean of the middle one or two values."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def median_valid_bid():
    """The median weekly fee of the valid (submitted) bids on the placement's request: the mean
    of the middle one or two, ranking bids by fee then id. PostgreSQL has the aggregate; on
    SQLite a bid of rank r (0-based) among n is in the middle when n - 2 <= 2r <= n."""
    valid = Bid.objects.filter(status=Bid.Status.SUBMITTED)
    if connection.vendor == "postgresql":
        fees = valid.filter(request=OuterRef("request")).order_by().values("request")
        return Subquery(
            fees.annotate(m=Cast(Median("weekly_fee"), MONEY)).values("m"), output_field=MONEY
        )
    n = count_of(valid.filter(request=OuterRef("request")))
    rank = count_of(
        valid.filter(request=OuterRef("request")).filter(
            Q(weekly_fee__lt=OuterRef("weekly_fee"))
            | Q(weekly_fee=OuterRef("weekly_fee"), pk__lt=OuterRef("pk"))
        )
    )
    middle = (
        valid.filter(request=OuterRef("request"))
        .alias(_n=n, _r=rank)
        .filter(_r__gte=(F("_n") - 2) / 2.0, _r__lte=F("_n") / 2.0)
        .order_by()
        .annotate(m=Func(F("weekly_fee"), function="AVG", output_field=MONEY))
        .values("m")
    )
    return Subquery(middle, output_field=MONEY)


def cost_avoidance(scope, periods, today):
    # Weeks may be fractional (45 days are 45/7 weeks): computed in decimals, not integers.
    planned_weeks = Coalesce(
        Cast("request__duration_weeks", FloatField()),
        Cast(DaysBetween("planned_end_date", "began"), FloatField()) / Value(7.0),
        output_field=FloatField(),
    )
    queryset = (
        with_agreed_fee(placements().filter(source=Placement.Source.DPS, request__isnull=False))
        .alias(median=median_valid_bid(), weeks=planned_weeks)
        .filter(median__isnull=False, weeks__isnull=False)
    )
    return bucketed(
        queryset,
        PLACEMENT_PATHS,
        scope,
        periods,
        "began",
        Sum((F("median") - F("agreed__weekly_fee")) * F("weeks"), output_field=MONEY),
        Count("pk"),
    )


MARKET = "Market"
for kpi in (
    Kpi(
        code="bids_per_request",
        label="Bids per request",
        unit="ratio",
        higher_is_better=True,
        scopes=(CONSORTIUM, BOROUGH, LOT),
        periods=ALL_PERIODS,
        # Each scope's query would join every request's bids again.
        together=(CONSORTIUM, BOROUGH, LOT),
        compute=bids_per_request,
        description="Bids received (not withdrawn) on the requests that closed in the period, "
        "divided by the number of those requests.",
    ),
    Kpi(
        code="response_rate",
        label="Invited providers' response rate",
        unit="percent",
        higher_is_better=True,
        scopes=(CONSORTIUM, BOROUGH, PROVIDER, LOT),
        periods=ALL_PERIODS,
        # Each scope's query would join every invitation again. A provider's are apart: with
        # them the groups would be nearly as many as the invitations.
        together=(CONSORTIUM, BOROUGH, LOT),
        compute=response_rate,
        scale=100,
        description="Of the invitations to bid on requests that closed in the period, the share "
        "answered with a bid (not withdrawn) or a decline.",
    ),
    Kpi(
        code="days_to_placement",
        label="Days from request to placement",
        unit="days",
        higher_is_better=False,
        scopes=ALL_SCOPES,
        periods=ALL_PERIODS,
        compute=days_to_placement,
        description="For placements made from a request that began in the period: the mean "
        "number of days from the request's publication (or creation) to the start.",
    ),
    Kpi(
        code="dps_share",
        label="Placements made through the DPS",
        unit="percent",
        higher_is_better=True,
        scopes=(CONSORTIUM, BOROUGH, LOT),
        periods=ALL_PERIODS,
        compute=dps_share,
        scale=100,
        description="Of the purchased placements (through the DPS or spot) that began in the "
        "period, the share made through the DPS.",
    ),
    Kpi(
        code="spend",
        label="Spend",
        unit="pounds",
        higher_is_better=None,
        scopes=ALL_SCOPES,
        periods=ALL_PERIODS,
        compute=spend,
        total=True,
        description="The cost of the period's days up to today in the schedules of the "
        "purchased placements active in it: each day at the weekly fee in force that day / 7, "
        "a fee change apportioned by days.",
    ),
    Kpi(
        code="mean_weekly_cost",
        label="Mean weekly cost",
        unit="pounds",
        higher_is_better=None,
        scopes=ALL_SCOPES,
        periods=ALL_PERIODS,
        compute=mean_weekly_cost,
        # The schedule's cost over the placement-days, times 7: a mean weekly cost.
        scale=7,
        description="The time-weighted mean weekly cost of the purchased placements active in "
        "the period: their schedules' cost of the period's days up to today, divided by those "
        "placement-days / 7 (a fee change counts for the days it applied).",
    ),
    Kpi(
        code="cost_per_need_point",
        label="Weekly cost per need point",
        unit="pounds",
        higher_is_better=None,
        scopes=ALL_SCOPES,
        periods=ALL_PERIODS,
        compute=cost_per_need_point,
        description="For placements made from a scored request that began in the period: the "
        "sum of the weekly fees agreed at award divided by the sum of the requests' total "
        "needs scores.",
    ),
    Kpi(
        code="cost_avoidance",
        label="Cost avoidance",
        unit="pounds",
        higher_is_better=True,
        scopes=(CONSORTIUM, BOROUGH, PROVIDER, LOT),
        periods=ALL_PERIODS,
        # The median bid is a subquery per placement: once, not once per scope.
        together=(CONSORTIUM, BOROUGH, PROVIDER, LOT),
        compute=cost_avoidance,
        total=True,
        description="For placements through the DPS that began in the period: the sum of "
        "(median valid bid - weekly fee agreed at award) x planned weeks.",
    ),
):
    register(replace(kpi, family=MARKET))
