"""Periods over the data: the return years a run computes, the earliest date of data, the day
each snapshot counts to, and the one way a period is named."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from monitoring.kpis import KPIS
from monitoring.kpis.periods import (
    MONTH,
    QUARTER,
    YEAR,
    Period,
    covering,
    period_containing,
    period_label,
    periods,
    return_year,
    snapshot_label,
    year_ending_of,
)
from monitoring.models import KpiRun, KpiSnapshot, Ssda903Return
from monitoring.selectors.kpis import kpi_data_since
from monitoring.services.kpis import kpi_periods, kpi_run_execute
from placements.models import Placement, PlacementRequest
from tests.factories import ConsortiumFactory
from tests.monitoring.kpi_helpers import d, place

TODAY = date(2026, 12, 4)


# --- The periods a run computes -----------------------------------------------------------


def test_without_older_data_the_default_counts_apply():
    for since in (None, d("2026-01-01"), d("2025-04-01")):
        assert len(periods(MONTH, TODAY, since=since)) == 36
        assert len(periods(QUARTER, TODAY, since=since)) == 12
        assert len(periods(YEAR, TODAY, since=since)) == 3


def test_the_periods_run_from_the_return_year_containing_the_earliest_data():
    years = periods(YEAR, TODAY, since=d("2019-03-31"))
    assert years[0] == Period(YEAR, d("2018-04-01"), d("2019-03-31"))
    assert years[-1] == Period(YEAR, d("2026-04-01"), d("2027-03-31"))
    assert len(years) == 9
    months = periods(MONTH, TODAY, since=d("2019-03-31"))
    assert months[0].start == d("2018-04-01")
    assert months[-1].start == d("2026-12-01")
    assert len(months) == 8 * 12 + 9
    quarters = periods(QUARTER, TODAY, since=d("2019-03-31"))
    assert quarters[0].start == d("2018-04-01")
    assert len(quarters) == 8 * 4 + 3


def test_a_wrong_date_cannot_stretch_a_run_beyond_the_cap(settings):
    assert len(periods(YEAR, TODAY, since=d("1066-10-14"))) == 15
    assert periods(MONTH, TODAY, since=d("1066-10-14"))[0].start == d("2012-04-01")
    settings.KPI_MAX_YEARS = 5
    assert len(periods(YEAR, TODAY, since=d("1990-01-01"))) == 5
    # The cap bounds the data's reach, not KPI_PERIODS' counts.
    settings.KPI_PERIODS = {"year": 7}
    assert len(periods(YEAR, TODAY, since=d("1990-01-01"))) == 7


def test_a_date_after_today_adds_nothing():
    assert covering(YEAR, TODAY, d("2030-01-01")) == 1
    assert len(periods(YEAR, TODAY, since=d("2030-01-01"))) == 3


def test_return_years():
    assert return_year(2026) == Period(YEAR, d("2025-04-01"), d("2026-03-31"))
    assert year_ending_of(d("2026-03-31")) == 2026
    assert year_ending_of(d("2026-04-01")) == 2027


# --- The earliest date of data ------------------------------------------------------------


def a_return(borough, year_ending, status):
    return Ssda903Return.objects.create(
        borough=borough,
        year_ending=year_ending,
        header_file="h.csv",
        episodes_file="e.csv",
        header_name="h.csv",
        episodes_name="e.csv",
        status=status,
    )


@pytest.mark.django_db
def test_the_earliest_data_is_the_earliest_return_year_placement_or_request(world):
    assert kpi_data_since() is None
    place(world, d("2023-05-10"), source=Placement.Source.DPS)
    assert kpi_data_since() == d("2023-05-10")
    # An agreed start before the actual one: the actual start is when it began.
    place(world, d("2022-01-01"), actual_start_date=d("2023-02-01"))
    assert kpi_data_since() == d("2023-02-01")
    # SSDA903 episodes go back decades: their return years stand for them.
    place(world, d("1998-01-01"), source=Placement.Source.SSDA903)
    assert kpi_data_since() == d("2023-02-01")
    a_return(world.borough_a, 2022, Ssda903Return.Status.VALIDATED)  # not imported
    assert kpi_data_since() == d("2023-02-01")
    a_return(world.borough_a, 2022, Ssda903Return.Status.IMPORTED)
    assert kpi_data_since() == d("2021-04-01")
    with time_machine.travel(datetime(2020, 6, 1, 12, tzinfo=timezone.get_current_timezone())):
        PlacementRequest.objects.create(borough=world.borough_b, lot=None, needs={})
    assert kpi_data_since() == d("2020-06-01")
    # One consortium's run reads only its own boroughs' data.
    assert kpi_data_since(consortium_id=ConsortiumFactory().pk) is None
    assert kpi_data_since(consortium_id=world.consortium.pk) == d("2020-06-01")


# --- Snapshots: every return year, and the day each counts to -----------------------------


@pytest.mark.django_db
def test_a_run_computes_every_return_year_the_data_covers_and_when_each_counts_to(world):
    a_return(world.borough_a, 2019, Ssda903Return.Status.IMPORTED)
    place(world, d("2018-06-01"), d("2018-09-01"), planned=False, source=Placement.Source.SSDA903)
    place(world, d("2026-05-01"), d("2026-12-02"), planned=False)
    kpi_run_execute(KpiRun.objects.create(trigger="test"), today=TODAY)
    ended = KpiSnapshot.objects.filter(
        kpi="unplanned_endings_12m", scope="borough", scope_id=world.borough_a.pk
    )
    old = ended.get(period="year", period_start=d("2018-04-01"))
    assert (old.value, old.counted_to) == (Decimal("100"), d("2019-03-31"))
    assert ended.get(period="month", period_start=d("2018-09-01")).counted_to == d("2018-09-30")
    running = ended.get(period="year", period_start=d("2026-04-01"))
    assert running.counted_to == TODAY
    assert ended.get(period="month", period_start=d("2026-12-01")).counted_to == TODAY
    assert ended.get(period="quarter", period_start=d("2026-10-01")).counted_to == TODAY
    # A day later the running periods count a day further; the complete ones are unchanged.
    kpi_run_execute(KpiRun.objects.create(trigger="test"), today=date(2026, 12, 5))
    running.refresh_from_db()
    old.refresh_from_db()
    assert running.counted_to == date(2026, 12, 5)
    assert old.counted_to == d("2019-03-31")


def test_the_engine_lists_each_kind_over_the_same_return_years():
    kpi = KPIS["spend"]
    listed = kpi_periods(kpi, TODAY, d("2020-01-01"))
    assert {p.kind for p in listed} == {MONTH, QUARTER, YEAR}
    firsts = {p.kind: p.start for p in reversed(listed)}
    assert set(firsts.values()) == {d("2019-04-01")}


# --- Labels -------------------------------------------------------------------------------


def test_complete_periods_are_named_by_their_end():
    assert period_label(YEAR, d("2025-04-01"), d("2026-03-31"), d("2026-03-31")) == (
        "Year ending 31 March 2026"
    )
    assert period_label(QUARTER, d("2026-04-01"), d("2026-06-30"), d("2026-06-30")) == (
        "Quarter ending 30 June 2026"
    )
    assert period_label(MONTH, d("2026-11-01"), d("2026-11-30"), d("2026-11-30")) == (
        "November 2026"
    )


def test_a_running_period_is_named_to_date_never_by_a_day_to_come():
    year = period_containing(YEAR, TODAY)
    assert year.label(TODAY) == "Year to date: 1 April 2026 to 4 December 2026"
    assert period_containing(QUARTER, TODAY).label(TODAY) == (
        "Quarter to date: 1 October to 4 December 2026"
    )
    assert period_containing(MONTH, TODAY).label(TODAY) == "December 2026 to date (to 4 December)"
    assert "31 March 2027" not in year.label(TODAY)


def test_a_snapshot_stored_without_counted_to_is_named_to_the_day_it_was_computed():
    snapshot = KpiSnapshot(
        period="year",
        period_start=d("2026-04-01"),
        period_end=d("2027-03-31"),
        computed_at=datetime(2026, 11, 3, 3, tzinfo=timezone.get_current_timezone()),
    )
    assert snapshot_label(snapshot) == "Year to date: 1 April 2026 to 3 November 2026"
    snapshot.counted_to = d("2026-11-20")
    assert snapshot_label(snapshot) == "Year to date: 1 April 2026 to 20 November 2026"
    assert snapshot_label(None) == ""
