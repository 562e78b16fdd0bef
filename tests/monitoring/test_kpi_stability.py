"""The stability KPIs against small hand-computed data sets."""

from datetime import date
from decimal import Decimal

import pytest

from monitoring.kpis import KPIS
from monitoring.kpis.periods import Period, periods
from tests.monitoring.kpi_data import values
from tests.monitoring.kpi_helpers import d, place

pytestmark = pytest.mark.django_db
TODAY = date(2024, 6, 15)
Q3_2023 = Period("quarter", d("2023-07-01"), d("2023-09-30"))
Q1 = Period("quarter", d("2024-01-01"), d("2024-03-31"))
Q2 = Period("quarter", d("2024-04-01"), d("2024-06-30"))
YEAR = Period("year", d("2023-04-01"), d("2024-03-31"))


@pytest.fixture
def endings(world):
    # P1 began 2023-06-01, ended unplanned 2024-02-10: 254 days (30+31+31+30+31+30+31 to
    #    1 January, + 31 + 9), under 365: an unplanned ending within 12 months, in Q1.
    place(world, d("2023-06-01"), d("2024-02-10"), planned=False)
    # P2 began 2022-01-01, ended unplanned 2024-03-05: 365+365+31+29+4 = 794 days: not within
    #    12 months, in Q1.
    place(world, d("2022-01-01"), d("2024-03-05"), planned=False)
    # P3 began 2024-01-10, ended as planned on Q1's last day: 22+29+30 = 81 days, in Q1.
    place(world, d("2024-01-10"), d("2024-03-31"), planned=True)
    # P4 began 2024-02-01, ended unplanned 2024-04-01 (Q2's first day): 29+31 = 60 days.
    place(world, d("2024-02-01"), d("2024-04-01"), planned=False)
    # Still running: not counted.
    place(world, d("2024-01-01"))


def test_unplanned_endings_within_12_months(world, endings):
    # Q3 2023: nothing ended, so no value (not zero). Q1: 1 of 3 = 33.3333%. Q2: 1 of 1.
    assert values("unplanned_endings_12m", "borough", [Q3_2023, Q1, Q2], world.borough_a.pk) == [
        None,
        Decimal("33.3333"),
        Decimal("100.0000"),
    ]


def test_mean_duration(world, endings):
    # Q1: (254 + 794 + 81) / 3 = 1129 / 3 = 376.3333 days; Q2: 60.
    assert values("mean_duration_days", "provider", [Q1, Q2], world.provider_a.pk) == [
        Decimal("376.3333"),
        Decimal("60.0000"),
    ]


def test_no_data_gives_no_rows_and_no_crash(world):
    for kpi in KPIS.values():
        for scope in kpi.scopes:
            for kind in kpi.periods:
                assert kpi.compute(scope, periods(kind, TODAY, 2), TODAY) == []
