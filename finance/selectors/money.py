"""The money report's figures, defined once: the page, the CSV and the PDF all read
`money_report`. And a placement's schedule as its page and the API show it (`schedule_view`).

For a financial year (1 April to 31 March) and today:

- **Committed**: the schedule from today to each placement's planned end (its ending, once
  recorded). A placement with no planned end is committed to the end of the year shown, or
  of the current year if the year shown has passed.
- **Spent to date**: the schedule from the year's start to yesterday (a day counts as spent
  once it has run; today is still committed).
- **Forecast for the year**: spent to date, plus the schedule from today to the year's end
  as committed (to each placement's planned end, or the year's end). A placement awarded and
  not yet started counts from its agreed start.
- **Paid to date**: the approved lines of paid invoices whose billing period starts in the
  year.
- **Awaiting approval**: the lines awaiting a decision or queried, of invoices whose period
  starts in the year.
- **Variance against the schedule**: for approved lines of those invoices, what they asked
  less what the schedule expected (positive: paid above the schedule).

Sums stay unrounded in the database and are rounded to the penny once, when shown
(placements.selectors.schedule.pence). Two queries per table (one over fee rows, one over
invoice lines), each grouped by lot or by provider."""

from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import DecimalField, F, Q, Sum

from dps.periods import YEAR, Period, period_containing, return_year
from dps.tenancy import Actor
from placements.models import Placement
from placements.selectors.schedule import (
    Schedule,
    fee_cost,
    fee_in,
    fee_rows,
    pence,
    schedule_of,
)

from ..access import money_scope
from ..models import BillingSettings, InvoiceLine
from .billing import BillingPeriod, billing_settings, periods_between
from .billing import period_containing as billing_period_at

# The furthest a committed placement with a planned end is counted to.
FAR = date(2999, 12, 31)
ZERO = Decimal(0)
SUM: DecimalField = DecimalField(max_digits=20, decimal_places=4)

COLUMNS = (
    ("committed", "Committed"),
    ("forecast", "Forecast for the year"),
    ("spent", "Spent to date"),
    ("paid", "Paid to date"),
    ("awaiting", "Awaiting approval"),
    ("variance", "Variance against the schedule"),
)
NO_LOT = "No lot"
NO_PROVIDER = "Not on the DPS (spot purchases)"


@dataclass
class Figures:
    committed: Decimal = ZERO
    forecast: Decimal = ZERO
    spent: Decimal = ZERO
    paid: Decimal = ZERO
    awaiting: Decimal = ZERO
    variance: Decimal = ZERO

    def add(self, other: "Figures") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def rounded(self) -> list[Decimal]:
        """The figures in COLUMNS' order, each to the penny."""
        return [pence(getattr(self, name)) for name, _ in COLUMNS]


@dataclass
class Row:
    label: str
    figures: Figures = field(default_factory=Figures)


@dataclass
class MoneyReport:
    year: Period
    today: date
    by_lot: list[Row]
    by_provider: list[Row]
    total: Figures

    @property
    def year_ending(self) -> int:
        return self.year.end.year

    @property
    def year_label(self) -> str:
        return year_label(self.year_ending)


def year_label(year_ending: int) -> str:
    """ "2025-26": how the report names a financial year."""
    return f"{year_ending - 1}-{year_ending % 100:02d}"


def committed_horizon(year: Period, today: date) -> date:
    """Where a running placement with no planned end is committed to."""
    return max(year.end, period_containing(YEAR, today).end)


def _schedule_sums(scope: Q, year: Period, today: date, group: tuple[str, str]) -> dict:
    """{group key: (label or None, Figures)} of the schedule's figures: one query."""
    yesterday = today - timedelta(days=1)
    horizon = committed_horizon(year, today)
    no_planned_end = Q(placement__planned_end_date__isnull=True, placement__end_date__isnull=True)
    sums = {
        "committed_planned": Sum(
            fee_cost(today, FAR, committed=True), filter=~no_planned_end, output_field=SUM
        ),
        "committed_open": Sum(
            fee_cost(today, horizon, committed=True), filter=no_planned_end, output_field=SUM
        ),
    }
    wanted = fee_in(today, FAR, committed=True)
    if year.start <= yesterday:
        spent_to = min(yesterday, year.end)
        sums["spent"] = Sum(fee_cost(year.start, spent_to), output_field=SUM)
        wanted |= fee_in(year.start, spent_to)
    if today <= year.end:
        ahead = max(today, year.start)
        sums["ahead"] = Sum(fee_cost(ahead, year.end, committed=True), output_field=SUM)
        wanted |= fee_in(ahead, year.end, committed=True)
    rows = fee_rows().filter(scope).filter(wanted).values(*group).annotate(**sums).order_by()
    out = {}
    for row in rows:
        spent = Decimal(row.get("spent") or 0)
        figures = Figures(
            committed=Decimal(row["committed_planned"] or 0) + Decimal(row["committed_open"] or 0),
            spent=spent,
            forecast=spent + Decimal(row.get("ahead") or 0),
        )
        out[row[group[0]]] = (row[group[1]], figures)
    return out


def _invoice_sums(scope: Q, year: Period, group: tuple[str, str]) -> dict:
    """{group key: (label or None, Figures)} of the invoices' figures: one query."""
    Status = InvoiceLine.Status
    approved = Q(status=Status.APPROVED)
    rows = (
        InvoiceLine.objects.filter(scope)
        .filter(invoice__period_start__gte=year.start, invoice__period_start__lte=year.end)
        .values(*group)
        .annotate(
            paid=Sum("amount", filter=approved & Q(invoice__status="paid"), output_field=SUM),
            awaiting=Sum(
                "amount", filter=Q(status__in=[Status.PENDING, Status.QUERIED]), output_field=SUM
            ),
            variance=Sum(F("amount") - F("expected_amount"), filter=approved, output_field=SUM),
        )
        .order_by()
    )
    return {
        row[group[0]]: (
            row[group[1]],
            Figures(
                paid=Decimal(row["paid"] or 0),
                awaiting=Decimal(row["awaiting"] or 0),
                variance=Decimal(row["variance"] or 0),
            ),
        )
        for row in rows
    }


def _table(schedule: dict, invoices: dict, blank: str) -> list[Row]:
    rows: dict = {}
    for found in (schedule, invoices):
        for key, (label, figures) in found.items():
            row = rows.setdefault(key, Row(label or blank))
            row.figures.add(figures)
    return sorted(rows.values(), key=lambda r: (r.label == blank, r.label.lower()))


def money_report(
    actor: Actor, year_ending: int, today: date, borough_id: int | None = None
) -> MoneyReport:
    """The report for the actor's boroughs, or (for the consortium admin) the one borough
    asked for (access.may_read_money decides who may ask)."""
    year = return_year(year_ending)
    fees_scope = money_scope(actor, "placement__borough", borough_id)
    lines_scope = money_scope(actor, "invoice__borough", borough_id)
    tables = []
    for group, blank in (
        (("placement__lot", "placement__lot__name"), NO_LOT),
        (("placement__provider", "placement__provider__name"), NO_PROVIDER),
    ):
        tables.append(
            _table(
                _schedule_sums(fees_scope, year, today, group),
                _invoice_sums(lines_scope, year, group),
                blank,
            )
        )
    total = Figures()
    for row in tables[0]:
        total.add(row.figures)
    return MoneyReport(year, today, tables[0], tables[1], total)


def money_rows(report: MoneyReport) -> list[list]:
    """The report as CSV rows: a heading row, then each lot's, each provider's, the totals."""
    out: list[list] = [["Financial year", "Table", "Name", *(label for _, label in COLUMNS)]]
    for table, rows in (("By lot", report.by_lot), ("By provider", report.by_provider)):
        for row in rows:
            out.append([report.year_label, table, row.label, *row.figures.rounded()])
    out.append([report.year_label, "Total", "All placements", *report.total.rounded()])
    return out


# --- One placement's schedule ---------------------------------------------------------------


@dataclass(frozen=True)
class PeriodOwed:
    period: BillingPeriod
    days: int
    amount: Decimal
    # [(year label, days, amount)] when the period crosses a financial year's end.
    split: tuple[tuple[str, int, Decimal], ...] = ()


def year_split(schedule: Schedule, starts: date, ends: date) -> tuple:
    """A span's days and amount in each financial year it touches, if more than one."""
    first = period_containing(YEAR, starts)
    if first.end >= ends:
        return ()
    out = []
    year = first
    while year.start <= ends:
        days, amount = schedule.owed(max(starts, year.start), min(ends, year.end))
        out.append((year_label(year.end.year), days, amount))
        year = period_containing(YEAR, year.end + timedelta(days=1))
    return tuple(out)


def periods_owed(
    schedule: Schedule, settings: BillingSettings, starts: date, ends: date
) -> list[PeriodOwed]:
    """The borough's billing periods holding any day of [starts, ends], each with what the
    schedule owes for it (its days and amount, to the penny)."""
    out = []
    for period in periods_between(settings, starts, ends):
        days, amount = schedule.owed(period.start, period.end)
        out.append(PeriodOwed(period, days, amount, year_split(schedule, period.start, period.end)))
    return out


def schedule_span(placement: Placement, schedule: Schedule, today: date, settings) -> date:
    """The last day a schedule page lists: the placement's ending, else its planned end, else
    the end of the third billing period after today's."""
    last = schedule.last_day(committed=True)
    if last is not None:
        return last
    period = billing_period_at(settings, today)
    for _ in range(3):
        period = billing_period_at(settings, period.end + timedelta(days=1))
    return period.end


@dataclass(frozen=True)
class ScheduleView:
    placement: Placement
    schedule: Schedule
    settings: BillingSettings
    to_date: Decimal
    committed: Decimal


def schedule_view(placement: Placement, today: date) -> ScheduleView:
    """A placement's schedule with its cost to date (to yesterday) and what is committed
    (from today), by the money report's rules."""
    schedule = schedule_of(placement)
    settings = billing_settings(placement.borough_id)
    yesterday = today - timedelta(days=1)
    to_date = schedule.cost(schedule.began, yesterday) if schedule.began <= yesterday else ZERO
    horizon = committed_horizon(period_containing(YEAR, today), today)
    committed = schedule.cost(
        today, horizon if schedule.last_day(committed=True) is None else FAR, committed=True
    )
    return ScheduleView(placement, schedule, settings, pence(to_date), pence(committed))
