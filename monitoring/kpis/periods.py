"""Period boundaries: calendar months, quarters (January, April, July, October: the same as the
financial quarters) and years ending 31 March (the financial year, and the DfE's collection
year). Each list ends with the period containing today (partial), oldest first."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

MONTH, QUARTER, YEAR = "month", "quarter", "year"
KINDS = (MONTH, QUARTER, YEAR)
# How many periods of each kind are computed; KPI_PERIODS in settings overrides.
DEFAULT_COUNTS = {MONTH: 36, QUARTER: 12, YEAR: 3}
MONTHS = {MONTH: 1, QUARTER: 3, YEAR: 12}


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


def periods(kind, today, count=None):
    """The `count` periods of `kind` up to the one containing today, oldest first."""
    count = counts()[kind] if count is None else count
    current = period_containing(kind, today)
    starts = [add_months(current.start, -MONTHS[kind] * i) for i in range(count - 1, -1, -1)]
    return [period_containing(kind, start) for start in starts]


def latest_complete(kind, today):
    """The latest period of `kind` that ended before today."""
    return period_containing(kind, period_containing(kind, today).start - timedelta(days=1))
