"""What a placement costs, day by day: its schedule, read from its fee rows (models.fees).

A day's cost is the weekly fee in force that day divided by 7. A placement costs from the day
it began (its actual start, else its agreed start) to the day it ended, both included; a
fee row applies from its effective date to its `ends`. The cost of a span is the sum of its
days' costs, kept unrounded; an amount owed for a span (an invoice line, a report's cell) is
rounded to the penny, half up, once (`pence`).

Two forms of one rule: `Schedule` for one placement (pages, the API, invoice matching) and
`fee_cost` for the database's sums over many (KPIs, reports). Tests hold them equal."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least

from dps.expressions import DaysBetween, day

from ..models import Fee, Placement

MONEY: DecimalField = DecimalField(max_digits=16, decimal_places=4)
PENNY = Decimal("0.01")


def pence(amount: Decimal) -> Decimal:
    """An amount owed, to the penny (half up)."""
    return Decimal(amount).quantize(PENNY, rounding=ROUND_HALF_UP)


def overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> int:
    """Days in both spans (each inclusive; None: open-ended). Two open spans have no count."""
    first = max(a_from, b_from)
    lasts = [d for d in (a_to, b_to) if d is not None]
    if not lasts:
        raise ValueError("Count days within a bounded span.")
    return max((min(lasts) - first).days + 1, 0)


@dataclass(frozen=True)
class Piece:
    """A run of days at one fee within a span: from and to (inclusive), its fee, days, cost."""

    starts: date
    ends: date
    weekly_fee: Decimal
    kind: str
    days: int
    cost: Decimal


@dataclass(frozen=True)
class Rate:
    starts: date
    ends: date | None
    weekly_fee: Decimal
    kind: str
    reason: str
    effective_date: date


@dataclass(frozen=True)
class Schedule:
    """One placement's schedule. `began` is the first day it costs; `ended` its last (None
    while it runs). `planned_end` is the end agreed, for what is committed."""

    placement_id: int
    began: date
    ended: date | None
    planned_end: date | None
    rates: tuple[Rate, ...]

    def last_day(self, *, committed: bool = False) -> date | None:
        """The last day it costs: its ending; while it runs, its planned end if `committed`."""
        if self.ended is not None:
            return self.ended
        return self.planned_end if committed else None

    def pieces(self, starts: date, ends: date, *, committed: bool = False) -> list[Piece]:
        """The runs of days at one fee within [starts, ends] (inclusive)."""
        last = self.last_day(committed=committed)
        out = []
        for rate in self.rates:
            first = max(rate.starts, self.began, starts)
            final = min(d for d in (rate.ends, last, ends) if d is not None)
            days = (final - first).days + 1
            if days > 0:
                cost = rate.weekly_fee * days / 7
                out.append(Piece(first, final, rate.weekly_fee, rate.kind, days, cost))
        return out

    def days(self, starts: date, ends: date, *, committed: bool = False) -> int:
        return sum(p.days for p in self.pieces(starts, ends, committed=committed))

    def cost(self, starts: date, ends: date, *, committed: bool = False) -> Decimal:
        """The unrounded cost of the days in [starts, ends]."""
        return sum((p.cost for p in self.pieces(starts, ends, committed=committed)), Decimal(0))

    def owed(self, starts: date, ends: date) -> tuple[int, Decimal]:
        """(days, amount to the penny) for a billing period: what an invoice line should say."""
        pieces = self.pieces(starts, ends)
        return sum(p.days for p in pieces), pence(sum((p.cost for p in pieces), Decimal(0)))

    def fee_on(self, when: date) -> Decimal | None:
        """The weekly fee in force on a day (None before it began or after it ended)."""
        for piece in self.pieces(when, when):
            return piece.weekly_fee
        return None


def _rates(rows: Iterable[Fee], began: date) -> tuple[Rate, ...]:
    return tuple(
        Rate(
            # The agreed fee runs from whenever the placement began.
            starts=began if row.kind == Fee.Kind.AGREED else row.effective_date,
            ends=row.ends,
            weekly_fee=row.weekly_fee,
            kind=row.kind,
            reason=row.reason,
            effective_date=row.effective_date,
        )
        for row in rows
    )


def began_on(placement: Placement) -> date:
    return placement.actual_start_date or placement.start_date


def schedule_from(placement: Placement, rows: Iterable[Fee]) -> Schedule:
    began = began_on(placement)
    return Schedule(
        placement_id=placement.pk,
        began=began,
        ended=placement.end_date,
        planned_end=placement.planned_end_date,
        rates=_rates(sorted(rows, key=lambda r: (r.effective_date, r.pk)), began),
    )


def schedule_of(placement: Placement) -> Schedule:
    return schedule_from(placement, placement.fees.all())


def schedules_of(placements: Iterable[Placement]) -> dict[int, Schedule]:
    """{placement id: schedule} for many placements: their fee rows in one query."""
    placements = list(placements)
    rows: dict[int, list[Fee]] = {p.pk: [] for p in placements}
    for row in Fee.objects.filter(placement__in=[p.pk for p in placements]).order_by():
        rows[row.placement_id].append(row)
    return {p.pk: schedule_from(p, rows[p.pk]) for p in placements}


# --- The same rule in the database ----------------------------------------------------------


def _began():
    return Coalesce(
        F("placement__actual_start_date"), F("placement__start_date"), output_field=DateField()
    )


def _starts():
    """The first day a row costs (before clipping): the agreed fee's is the placement's start."""
    return Case(
        When(kind=Fee.Kind.AGREED, then=_began()),
        default=F("effective_date"),
        output_field=DateField(),
    )


def fee_rows() -> QuerySet[Fee]:
    """Fee rows with the aliases `fee_in` filters on: when the placement began (`began`) and
    the first day the row costs (`starts`)."""
    return Fee.objects.alias(began=_began(), starts=_starts())


def fee_days(starts: date, ends: date, *, committed: bool = False):
    """Days of a fee row within [starts, ends]: negative or zero when none. Written out
    rather than over `fee_rows()`'s aliases, which an aggregate cannot use."""
    last: F | Coalesce = F("placement__end_date")
    if committed:
        last = Coalesce("placement__end_date", "placement__planned_end_date", day(ends))
    final = Least(Coalesce("ends", day(ends)), Coalesce(last, day(ends)), day(ends))
    first = Greatest(_starts(), _began(), day(starts))
    return DaysBetween(final, first) + 1


class Exact(Func):
    """A decimal to be divided: SQLite stores a whole-pound fee as an integer and would divide
    it as one (£1,000 x 59 days / 7 = £8,428, not £8,428.57...), so there it is made real."""

    template = "%(expressions)s"
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s * 1.0)", **extra)


def fee_cost(starts: date, ends: date, *, committed: bool = False):
    """The unrounded cost of a row of `fee_rows()` within [starts, ends], as `Schedule.cost`
    adds it up: to be summed, over rows with days in the span (`fee_in`)."""
    return ExpressionWrapper(
        Exact(F("weekly_fee"), output_field=MONEY)
        * Greatest(fee_days(starts, ends, committed=committed), Value(0))
        / Value(7),
        output_field=MONEY,
    )


def fee_in(starts: date, ends: date, *, committed: bool = False) -> Q:
    """Rows of `fee_rows()` that may have days in [starts, ends] (`fee_cost` counts no
    fewer than none): the filter that keeps the sum to the rows that matter."""
    q = Q(starts__lte=ends, began__lte=ends) & (Q(ends__isnull=True) | Q(ends__gte=starts))
    running = Q(placement__end_date__isnull=True)
    if committed:
        running &= Q(placement__planned_end_date__isnull=True) | Q(
            placement__planned_end_date__gte=starts
        )
    return q & (running | Q(placement__end_date__gte=starts))
