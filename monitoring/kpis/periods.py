"""Period boundaries: calendar months, quarters (January, April, July, October: the same as the
financial quarters) and years ending 31 March (the financial year, and the DfE's collection
year: a "return year", named by the year it ends in). Each list ends with the period
containing today (partial), oldest first.

A run computes every return year the data covers (from the one containing the earliest date
of data), with its quarters and months, and never fewer periods than KPI_PERIODS' counts;
KPI_MAX_YEARS caps how far back a wrong date can take it.

`period_label` is the one way a period is named, on every page, report, CSV and the API."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

MONTH, QUARTER, YEAR = "month", "quarter", "year"
KINDS = (MONTH, QUARTER, YEAR)
# How many periods of each kind are computed; KPI_PERIODS in settings overrides.
DEFAULT_COUNTS = {MONTH: 36, QUARTER: 12, YEAR: 3}
MONTHS = {MONTH: 1, QUARTER: 3, YEAR: 12}
# The most return years (the current one included) the data can stretch a run to;
# KPI_MAX_YEARS in settings overrides.
DEFAULT_MAX_YEARS = 15


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive

    def upto(self, today):
        """The last day counted: the period's end, or today in the current period."""
        return min(self.end, today)

    def is_complete(self, today):
        return self.end < today

    def label(self, today):
        return period_label(self.kind, self.start, self.end, self.upto(today))


def add_months(day, months):
    """The same day `months` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def period_containing(kind, day):
    if kind == MONTH:
        start = day.replace(day=1)
    elif kind == QUARTER:
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    elif kind == YEAR:
        start = date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    else:
        raise ValueError(kind)
    return Period(kind, start, add_months(start, MONTHS[kind]) - timedelta(days=1))


def counts():
    return {**DEFAULT_COUNTS, **getattr(settings, "KPI_PERIODS", {})}


def max_years():
    return getattr(settings, "KPI_MAX_YEARS", DEFAULT_MAX_YEARS)


def return_year(year_ending):
    """The return year ending 31 March `year_ending`."""
    return Period(YEAR, date(year_ending - 1, 4, 1), date(year_ending, 3, 31))


def year_ending_of(day):
    """The return year (the year it ends in) that `day` falls in."""
    return period_containing(YEAR, day).end.year


def covering(kind, today, since):
    """How many periods of `kind` run from the start of the return year containing `since` to
    the one containing today: at most KPI_MAX_YEARS return years' worth; 0 without a date."""
    if since is None:
        return 0
    current = period_containing(kind, today).start
    first = period_containing(YEAR, min(since, today)).start
    earliest = return_year(year_ending_of(today) - max_years() + 1).start
    first = max(first, earliest)
    months = (current.year - first.year) * 12 + current.month - first.month
    return months // MONTHS[kind] + 1


def periods(kind, today, count=None, *, since=None):
    """The periods of `kind` up to the one containing today, oldest first: `count` of them;
    by default KPI_PERIODS' count, or more when the data (its earliest date `since`) goes
    back further (see `covering`)."""
    if count is None:
        count = max(counts()[kind], covering(kind, today, since))
    current = period_containing(kind, today)
    starts = [add_months(current.start, -MONTHS[kind] * i) for i in range(count - 1, -1, -1)]
    return [period_containing(kind, start) for start in starts]


def latest_complete(kind, today):
    """The latest period of `kind` that ended before today."""
    return period_containing(kind, period_containing(kind, today).start - timedelta(days=1))


def _day(day, *, year=True):
    return f"{day.day} {day:%B %Y}" if year else f"{day.day} {day:%B}"


def period_label(kind, start, end, counted_to=None):
    """The period as people read it. A complete period (counted to its end, or `counted_to`
    unknown): "Year ending 31 March 2026", "Quarter ending 30 June 2026", "November 2026". A
    period not yet ended, counted to `counted_to`: "Year to date: 1 April 2026 to 4 December
    2026", "Quarter to date: 1 October to 4 December 2026", "December 2026 to date (to 4
    December)". Never a day after `counted_to`."""
    partial = counted_to is not None and counted_to < end
    if kind == MONTH:
        if partial:
            return f"{start:%B %Y} to date (to {_day(counted_to, year=False)})"
        return f"{start:%B %Y}"
    if kind == QUARTER:
        if partial:
            return f"Quarter to date: {_day(start, year=False)} to {_day(counted_to)}"
        return f"Quarter ending {_day(end)}"
    if kind == YEAR:
        if partial:
            return f"Year to date: {_day(start)} to {_day(counted_to)}"
        return f"Year ending {_day(end)}"
    raise ValueError(kind)


def snapshot_counted_to(snapshot):
    """The last day a stored figure counts: its `counted_to`; for one stored before that was
    kept, the period's end or the day it was computed, whichever came first."""
    if snapshot.counted_to is not None:
        return snapshot.counted_to
    computed = getattr(snapshot, "computed_at", None)
    if computed is None:
        return snapshot.period_end
    return min(snapshot.period_end, timezone.localdate(computed))


def snapshot_label(snapshot):
    """period_label of a KpiSnapshot (or anything with its period fields); "" for none."""
    if snapshot is None:
        return ""
    return period_label(
        snapshot.period, snapshot.period_start, snapshot.period_end, snapshot_counted_to(snapshot)
    )


def snapshot_complete(snapshot):
    return snapshot_counted_to(snapshot) >= snapshot.period_end
