"""The calendar every app counts by: calendar months, quarters (January, April, July, October:
the same as the financial quarters) and years ending 31 March (the financial year, and the
DfE's collection year: a "return year", named by the year it ends in).

`period_label` is the one way a period is named, on every page, report, CSV and the API."""

from dataclasses import dataclass
from datetime import date, timedelta

MONTH, QUARTER, YEAR = "month", "quarter", "year"
KINDS = (MONTH, QUARTER, YEAR)
MONTHS = {MONTH: 1, QUARTER: 3, YEAR: 12}


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive

    def upto(self, today: date) -> date:
        """The last day counted: the period's end, or today in the current period."""
        return min(self.end, today)

    def is_complete(self, today: date) -> bool:
        return self.end < today

    def label(self, today: date) -> str:
        return period_label(self.kind, self.start, self.end, self.upto(today))


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def period_containing(kind: str, day: date) -> Period:
    if kind == MONTH:
        start = day.replace(day=1)
    elif kind == QUARTER:
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    elif kind == YEAR:
        start = date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    else:
        raise ValueError(kind)
    return Period(kind, start, add_months(start, MONTHS[kind]) - timedelta(days=1))


def return_year(year_ending: int) -> Period:
    """The return year ending 31 March `year_ending`."""
    return Period(YEAR, date(year_ending - 1, 4, 1), date(year_ending, 3, 31))


def year_ending_of(day: date) -> int:
    """The return year (the year it ends in) that `day` falls in."""
    return period_containing(YEAR, day).end.year


def latest_complete(kind: str, today: date) -> Period:
    """The latest period of `kind` that ended before today."""
    return period_containing(kind, period_containing(kind, today).start - timedelta(days=1))


def _day(day, *, year=True):
    return f"{day.day} {day:%B %Y}" if year else f"{day.day} {day:%B}"


def period_label(kind: str, start: date, end: date, counted_to: date | None = None) -> str:
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
