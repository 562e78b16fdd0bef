"""The periods the KPIs are computed for, on the calendar of dps.periods (months, quarters and
return years ending 31 March; re-exported here for the KPI code). Each list ends with the
period containing today (partial), oldest first.

A run computes every return year the data covers (from the one containing the earliest date
of data), with its quarters and months, and never fewer periods than KPI_PERIODS' counts;
KPI_MAX_YEARS caps how far back a wrong date can take it. A stored figure is named by
`snapshot_label`, through dps.periods.period_label."""

from django.conf import settings
from django.utils import timezone

from dps.periods import (  # noqa: F401 - the calendar, re-exported for the KPI code
    KINDS,
    MONTH,
    MONTHS,
    QUARTER,
    YEAR,
    Period,
    add_months,
    latest_complete,
    period_containing,
    period_label,
    return_year,
    year_ending_of,
)

# How many periods of each kind are computed; KPI_PERIODS in settings overrides.
DEFAULT_COUNTS = {MONTH: 36, QUARTER: 12, YEAR: 3}
# The most return years (the current one included) the data can stretch a run to;
# KPI_MAX_YEARS in settings overrides.
DEFAULT_MAX_YEARS = 15


def counts():
    return {**DEFAULT_COUNTS, **getattr(settings, "KPI_PERIODS", {})}


def max_years():
    return getattr(settings, "KPI_MAX_YEARS", DEFAULT_MAX_YEARS)


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
