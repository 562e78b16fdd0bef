"""The distance-from-home KPIs against hand-worked placements and episodes: of the placements
made through the DPS (their distance fields set as an award fixes them) and of the new
placements in the boroughs' SSDA903 returns (PL_DISTANCE and PL_LOCATION as the DfE's
validator derives them). docs/kpis.md gives the definitions."""

from decimal import Decimal

import pytest

from dps.formatting import figure_display
from monitoring.kpis import KPIS
from monitoring.kpis.periods import Period
from placements.models import Placement
from tests.monitoring.dfe_returns import returned
from tests.monitoring.kpi_data import values
from tests.monitoring.kpi_helpers import d, place

pytestmark = pytest.mark.django_db
Q3_2023 = Period("quarter", d("2023-07-01"), d("2023-09-30"))
Q1 = Period("quarter", d("2024-01-01"), d("2024-03-31"))
YEAR = Period("year", d("2023-04-01"), d("2024-03-31"))
DPS = Placement.Source.DPS


def dps(world, start, miles, outside, unknown="", **extra):
    return place(
        world,
        d(start),
        source=DPS,
        distance_miles=None if miles is None else Decimal(miles),
        distance_unknown=unknown,
        outside_boundary=outside,
        **extra,
    )


@pytest.fixture
def dps_placements(world):
    # Five placements through the DPS that began in the year ending 31 March 2024:
    # 1. N19 4EB to N7 6PA: 0.7 miles, inside Islington.
    dps(world, "2023-07-10", "0.7", False)
    # 2. N19 4EB to SE1 7PB: 4.4 miles, across the boundary (Lambeth), not over 20.
    dps(world, "2023-08-01", "4.4", True)
    # 3. N19 4EB to ME2 1NF: 29.0 miles, across the boundary (Medway) and over 20.
    dps(world, "2024-01-15", "29.0", True)
    # 4. A home postcode terminated: distance unknown; the service in Islington.
    dps(world, "2024-02-01", None, False, "terminated")
    # 5. A home not shared: distance and boundary unknown.
    dps(world, "2024-03-01", None, None, "confidential")
    # Not counted: a spot purchase, a placement awarded but not started, and one that began
    # before the year.
    place(world, d("2023-09-01"), distance_miles=Decimal("50"), outside_boundary=True)
    awarded = dps(world, "2023-09-01", "80", True)
    Placement.objects.filter(pk=awarded.pk).update(status=Placement.Status.AWARDED)
    dps(world, "2023-03-01", "80", True)


def test_the_share_of_dps_placements_outside_the_boundary(world, dps_placements):
    # 2 and 3 of 5 are outside: 40%. Q3 2023: 2 (outside) of 1 and 2: 50%. Q1: 3 of 3, 4, 5.
    assert values("dps_outside_boundary", "borough", [Q3_2023, Q1, YEAR], world.borough_a.pk) == [
        Decimal("50.0000"),
        Decimal("33.3333"),
        Decimal("40.0000"),
    ]


def test_the_share_of_dps_placements_over_20_miles(world, dps_placements):
    # Only 3 (29.0 miles) of 5: 20%; the unknowns count in the whole, never as near.
    assert values("dps_over_20_miles", "borough", [YEAR], world.borough_a.pk) == [
        Decimal("20.0000")
    ]


def test_the_dfe_headline_outside_and_over_20_miles(world, dps_placements):
    # 3 only (outside and 29.0 miles): 1 of 5. By provider the same placements count.
    assert values("dps_outside_over_20", "provider", [YEAR], world.provider_a.pk) == [
        Decimal("20.0000")
    ]


def test_the_share_with_distance_unknown(world, dps_placements):
    # 4 (terminated) and 5 (confidential) of 5: 40%.
    assert values("dps_distance_unknown", "consortium", [YEAR], world.consortium.pk) == [
        Decimal("40.0000")
    ]


def test_the_mean_distance_leaves_the_unknown_out(world, dps_placements):
    # (0.7 + 4.4 + 29.0) / 3 = 34.1 / 3 = 11.3667 miles.
    assert values("dps_mean_miles", "borough", [YEAR], world.borough_a.pk) == [Decimal("11.3667")]
    assert figure_display(Decimal("11.3667"), "miles") == "11.4 miles"
    assert figure_display(Decimal("1"), "miles") == "1.0 miles"


def test_exactly_20_miles_is_not_over_20(world):
    dps(world, "2023-07-10", "20.0", True)
    dps(world, "2023-07-11", "20.1", True)
    assert values("dps_outside_over_20", "borough", [YEAR], world.borough_a.pk) == [
        Decimal("50.0000")
    ]


def test_dps_distance_kpis_have_a_direction_for_rag_and_every_scope():
    for code in ("dps_outside_boundary", "dps_over_20_miles", "dps_outside_over_20"):
        assert KPIS[code].higher_is_better is False
        assert "provider" in KPIS[code].scopes
        assert "quarter" in KPIS[code].periods
    assert KPIS["dps_distance_unknown"].higher_is_better is False
    assert KPIS["dps_mean_miles"].higher_is_better is None


# --- SSDA903: new placements in the year ---------------------------------------------------


@pytest.fixture
def new_placements(world):
    # Columns: CHILD DECOM RNE LS PLACE DEC REC URN PL_POST PL_LOCATION PL_DISTANCE.
    returned(
        world,
        2024,
        """
        D1 2023-05-01 S C2 U4 2023-09-01 X1 - N76PA   IN  0.7
        D1 2023-09-01 P C2 K2 -          -  - SE17PB  OUT 4.4
        D2 2023-06-01 S C2 K2 2023-07-01 X1 - ME21NF  OUT 29.0
        D2 2023-07-01 T C2 T1 2023-07-05 X1 - -       -   -
        D2 2023-07-05 T C2 K2 -          -  - ME21NF  OUT 29.0
        D3 2023-10-01 S C2 U4 -          -  - -       -   -
        D4 2022-01-01 S C2 U4 -          -  - TN240AA OUT 60.0
        D5 2024-01-01 S V3 U4 -          -  - CF101AA OUT 132.0
        """,
    )
    # D1: two new placements (Islington 0.7, Lambeth 4.4). D2: one (Medway 29.0); its
    # hospital stay (T1) and the return to the same home are no new placement. D3: one, with
    # no postcode (distance unknown). D4's placement began before the year: not new. D5's
    # short break is left out. New placements: 4.


def test_ssda903_new_placements_outside_the_boundary(world, new_placements):
    # Lambeth and Medway: 2 of 4.
    assert values("new_outside_boundary", "borough", [YEAR], world.borough_a.pk) == [
        Decimal("50.0000")
    ]


def test_ssda903_new_placements_over_20_miles_and_the_headline(world, new_placements):
    # Medway (29.0 miles, outside) only: 1 of 4, for both.
    for code in ("new_over_20_miles", "new_outside_over_20"):
        assert values(code, "borough", [YEAR], world.borough_a.pk) == [Decimal("25.0000")]


def test_ssda903_new_placements_with_distance_unknown(world, new_placements):
    # D3's, with no postcode: 1 of 4.
    assert values("new_distance_unknown", "borough", [YEAR], world.borough_a.pk) == [
        Decimal("25.0000")
    ]


def test_ssda903_mean_distance_of_new_placements(world, new_placements):
    # (0.7 + 4.4 + 29.0) / 3 = 11.3667 miles; the consortium has only borough A's.
    assert values("new_mean_miles", "consortium", [YEAR], world.consortium.pk) == [
        Decimal("11.3667")
    ]


def test_ssda903_distance_needs_the_year_s_return(world, new_placements):
    before = Period("year", d("2022-04-01"), d("2023-03-31"))
    assert values("new_outside_boundary", "borough", [before], world.borough_a.pk) == []
