"""What every KPI module builds on: the scopes and period kinds, `Kpi` and its `Row`s, the
grouped and bucketed aggregations, and the `KPIS` registry each module adds its KPIs to with
`register` (the package, monitoring.kpis, imports every module and re-exports these)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F
from django.db.models.functions import ExtractMonth, ExtractYear

from dps.formatting import rounded

CONSORTIUM, BOROUGH, PROVIDER, SERVICE, LOT = "consortium", "borough", "provider", "service", "lot"
ALL_SCOPES = (CONSORTIUM, BOROUGH, PROVIDER, SERVICE, LOT)
ALL_PERIODS = ("month", "quarter", "year")
UNITS = ("percent", "days", "pounds", "count", "points", "ratio", "miles")
PLACES = 4  # every value is kept to 4 decimal places, half up


@dataclass(frozen=True)
class Row:
    consortium_id: int
    scope_id: int
    index: int  # which of the periods
    numerator: Decimal | None
    denominator: Decimal | None


@dataclass(frozen=True)
class Kpi:
    code: str
    label: str
    unit: str
    higher_is_better: bool | None
    scopes: tuple
    periods: tuple
    compute: object = field(repr=False, compare=False)
    family: str = ""
    description: str = ""
    scale: int = 1
    total: bool = False
    # Scopes computed by one query, whose rows are then added up per scope: the compute
    # function is called with the tuple and returns {scope: rows} (see `bucketed`).
    together: tuple = ()

    def computed(self, periods, today):
        """(scope, rows) for each of the KPI's scopes: those `together` from one query, each
        other scope from its own."""
        together = tuple(scope for scope in self.scopes if scope in self.together)
        if len(together) < 2:  # nothing to share a query with
            together = ()
        else:
            yield from self.compute(together, periods, today).items()
        for scope in self.scopes:
            if scope not in together:
                yield scope, self.compute(scope, periods, today)

    @property
    def headline_period(self):
        """The period kind breaches are judged on: the quarter where the KPI has one."""
        return "quarter" if "quarter" in self.periods else self.periods[-1]

    def value_of(self, numerator, denominator):
        if not denominator:
            return None
        if self.total:
            value = Decimal(numerator or 0)
        else:
            value = Decimal(numerator or 0) * self.scale / Decimal(denominator)
        return rounded(value, PLACES)


def decimal(value):
    if value is None:
        return None
    if hasattr(value, "total_seconds"):  # a duration summed by the database
        value = value.total_seconds() / 86400
    return rounded(value, PLACES)


def grouped(queryset, paths, scope, periods, numerator, denominator):
    """One query: `queryset` grouped by its consortium and the scope's id, with a numerator
    and a denominator aggregate per period (`numerator(period)`, `denominator(period)`)."""
    consortium_path, id_path = paths[CONSORTIUM], paths[scope]
    aggregates = {}
    for i, period in enumerate(periods):
        aggregates[f"n{i}"] = numerator(period)
        aggregates[f"d{i}"] = denominator(period)
    rows = (
        queryset.filter(**{f"{consortium_path}__isnull": False, f"{id_path}__isnull": False})
        .values(_c=F(consortium_path), _s=F(id_path))
        .annotate(**aggregates)
        .order_by()
    )
    return [
        Row(row["_c"], row["_s"], i, decimal(row[f"n{i}"]), decimal(row[f"d{i}"]))
        for row in rows
        for i in range(len(periods))
        if row[f"d{i}"]
    ]


def bucketed(queryset, paths, scope, periods, when, numerator, denominator):
    """One pass for a KPI whose rows each count in the one period their date `when` falls in
    (a request closed, a placement began or ended): grouped by consortium, scope id and the
    month of `when`, each aggregate computed once per row; each period then adds up its months.
    `grouped` computes every aggregate once per period instead, which for 36 months is 36
    times the work. The answer is the same.

    Given a tuple of scopes, one query groups by all their ids at once and each scope adds up
    its own: {scope: rows}. That is exact because every path leads to one id per row (the
    paths follow foreign keys), so each scope's groups are unions of whole finer groups, and
    each row is counted in exactly one of those (a distinct count of the row's own key, too).
    It pays where each scope's query would repeat a costly join or subquery."""
    scopes = scope if isinstance(scope, tuple) else (scope,)
    consortium_path = paths[CONSORTIUM]
    ids = {s: F(paths[s]) for s in scopes if s != CONSORTIUM}
    queryset = queryset.filter(**{f"{consortium_path}__isnull": False})
    if len(scopes) == 1 and scope != CONSORTIUM:
        queryset = queryset.filter(**{f"{paths[scope]}__isnull": False})
    month = ExtractYear(when) * 12 + ExtractMonth(when)
    rows = (
        queryset.values(_c=F(consortium_path), _m=month, **{f"_{s}": e for s, e in ids.items()})
        .annotate(_n=numerator, _d=denominator)
        .order_by()
    )
    periods_of = {}  # month -> the periods it is in (one of each kind asked for)
    for i, period in enumerate(periods):
        day = period.start
        while day <= period.end:
            periods_of.setdefault(day.year * 12 + day.month, []).append(i)
            day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    sums = {s: {} for s in scopes}
    for row in rows:
        # Outside the periods (or no date), the row counts nowhere.
        for i in periods_of.get(row["_m"], ()):
            for s in scopes:
                scope_id = row["_c"] if s == CONSORTIUM else row[f"_{s}"]
                if scope_id is not None:
                    add_to(sums[s], (row["_c"], scope_id, i), row["_n"], row["_d"])
    if isinstance(scope, tuple):
        return {s: rows_of(sums[s]) for s in scopes}
    return rows_of(sums[scope])


def add_to(sums, key, numerator, denominator):
    """Add a numerator and a denominator into sums[key] as SQL's SUM would: null only when
    everything added is null."""
    n, d = sums.get(key, (None, None))
    sums[key] = (_add(n, numerator), _add(d, denominator))


def rows_of(sums):
    """{(consortium id, scope id, period index): (numerator, denominator)} as Rows, leaving out
    the periods without data."""
    return [Row(c, s, i, decimal(n), decimal(d)) for (c, s, i), (n, d) in sums.items() if d]


def _add(total, value):
    if value is None:
        return total
    return value if total is None else total + value


KPIS = {}


def register(kpi):
    if kpi.code in KPIS or kpi.unit not in UNITS:
        raise ValueError(f"KPI {kpi.code}: defined twice, or an unknown unit")
    if not set(kpi.scopes) <= set(ALL_SCOPES) or not set(kpi.periods) <= set(ALL_PERIODS):
        raise ValueError(f"KPI {kpi.code}: an unknown scope or period")
    KPIS[kpi.code] = kpi
    return kpi
