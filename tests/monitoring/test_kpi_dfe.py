"""The DfE's measures of children looked after, each rule against a small hand-worked return
for the year ending 31 March 2024 (docs/kpis.md gives the rules and their sources)."""

from datetime import date
from decimal import Decimal

import pytest

from monitoring.kpis import KPIS
from monitoring.kpis.dfe import Episode, care_periods
from monitoring.kpis.periods import Period
from monitoring.models import CareEpisode
from tests.monitoring.dfe_returns import returned
from tests.monitoring.kpi_data import values

pytestmark = pytest.mark.django_db
TODAY = date(2024, 6, 15)
YEAR = Period("year", date(2023, 4, 1), date(2024, 3, 31))
YEAR_BEFORE = Period("year", date(2022, 4, 1), date(2023, 3, 31))
YEAR_TO_DATE = Period("year", date(2024, 4, 1), date(2025, 3, 31))


def figure(code, world, period=YEAR, today=TODAY):
    found = values(code, "borough", [period], world.borough_a.pk, today=today)
    return found[0] if found else None


def counts(code, world, period=YEAR):
    """(numerator, denominator) of the borough's figure."""
    (row,) = [
        r
        for r in KPIS[code].compute("borough", [period], TODAY)
        if r.scope_id == world.borough_a.pk
    ]
    return row.numerator, row.denominator


def percent(text):
    return Decimal(text).quantize(Decimal("0.0001"))


# --- Short breaks (legal status V3, V4) --------------------------------------------------


def test_short_breaks_are_left_out_of_the_children_looked_after_and_their_placements(world):
    returned(
        world,
        2024,
        """
        SB1 2024-03-29 S V3 U4 -          -
        SB2 2023-05-01 S V3 U4 2023-05-03 E13
        SB2 2023-06-01 S V4 U4 2023-06-03 E13
        SB2 2023-09-01 S C2 U4 -          -
        LA1 2023-01-01 S C2 K2 -          -
        """,
    )
    # On 31 March: SB2 (in a placement other than short breaks) and LA1; SB1's only episode is
    # a short break.
    assert figure("cla_at_end", world) == 2
    # SB2's two short breaks are no placements: it had one during the year, as LA1 did.
    assert figure("three_plus_placements", world) == 0


# --- RNE: which episodes bring a new carer -------------------------------------------------


def test_only_a_change_of_carer_is_a_new_placement(world):
    returned(
        world,
        2024,
        """
        R1 2023-04-10 S C2 U6 2023-06-01 X1
        R1 2023-06-01 L C1 U6 2023-08-01 X1
        R1 2023-08-01 T C1 U6 2023-10-01 X1
        R1 2023-10-01 U C2 U6 -          -
        R2 2023-04-10 S C2 U6 2023-12-01 X1
        R2 2023-12-01 P C2 U4 2024-02-01 X1
        R2 2024-02-01 B C1 U5 -          -
        """,
    )
    # R1: a change of legal status only (L), of placement with the same carers (T), and of
    # both with the same carers (U): one placement all year. R2: S, then a new carer by P and
    # by B: three placements.
    assert [len(p.spells) for p in care_periods_of(world, "R1")] == [1]
    assert [len(p.spells) for p in care_periods_of(world, "R2")] == [3]
    assert figure("three_plus_placements", world) == percent("50")


def care_periods_of(world, reference):
    episodes = CareEpisode.objects.filter(child__reference=reference).order_by("decom", "seq")
    return care_periods(
        [Episode(*row) for row in episodes.values_list(*Episode.__dataclass_fields__)]
    )


# --- Temporary placements (PLACE T0-T4) ----------------------------------------------------


def test_a_temporary_placement_and_the_return_from_it_are_no_new_placement(world):
    returned(
        world,
        2024,
        """
        T1 2023-04-10 S C2 U4 2023-07-01 X1 SC000001 AB1
        T1 2023-07-01 P C2 T1 2023-07-08 X1 -        -
        T1 2023-07-08 P C2 U4 2023-11-01 X1 SC000001 AB1
        T1 2023-11-01 P C2 T4 2023-11-05 X1 -        -
        T1 2023-11-05 P C2 U6 -          -  SC000002 CD2
        """,
    )
    # Hospital for a week and back to the same carer: still the first placement. A short stay
    # (T4), then a new carer: the second. Counting every P episode would make 5.
    assert [len(p.spells) for p in care_periods_of(world, "T1")] == [2]
    assert figure("three_plus_placements", world) == 0


# --- Several episodes on one day --------------------------------------------------------------


def test_episodes_starting_and_ending_on_the_same_day_make_no_placement(world):
    returned(
        world,
        2024,
        """
        D1 2023-05-01 S C2 K2 2023-05-01 X1 SC000003
        D1 2023-05-01 P C2 K2 2023-09-01 X1 SC000004
        D1 2023-09-01 P C2 U4 -          -
        """,
    )
    # The first episode lasted no night: two placements, not three.
    assert figure("three_plus_placements", world) == 0


# --- A placement spanning 1 April, and the cohort on 31 March ----------------------------


def test_a_placement_open_on_1_april_counts_and_only_children_looked_after_on_31_march_do(world):
    returned(
        world,
        2024,
        """
        A1 2022-01-01 S C2 U4 2023-06-01 X1
        A1 2023-06-01 P C2 U5 2023-10-01 X1
        A1 2023-10-01 P C2 U6 -          -
        L1 2023-04-01 S C2 K2 2023-05-01 X1
        L1 2023-05-01 P C2 K2 2023-06-01 X1
        L1 2023-06-01 P C2 U4 2024-02-01 E13
        E1 2023-04-05 S C2 K2 2023-06-01 X1
        E1 2023-06-01 P C2 K2 2023-07-01 X1
        E1 2023-07-01 P C2 U4 2024-03-31 E4A
        """,
    )
    # A1: the placement it began the year in counts, with two more: 3. L1 left care in
    # February; E1 left on 31 March itself: neither was looked after on 31 March.
    assert figure("cla_at_end", world) == 1
    assert figure("three_plus_placements", world) == percent("100")
    assert figure("ceased_in_year", world) == 2
    assert figure("started_in_year", world) == 2


# --- Long-term stability ---------------------------------------------------------------------


def test_long_term_stability_counts_the_same_carer_not_the_same_placement(world):
    returned(
        world,
        2024,
        """
        CAR 2021-06-01 S C2 U4 2023-01-01 X1
        CAR 2023-01-01 T C2 U4 -          -
        MOV 2021-06-01 S C2 U4 2023-01-01 X1
        MOV 2023-01-01 P C2 U4 -          -
        """,
    )
    # CAR's foster carer moved house (T: a new placement, the same carer): stable. MOV moved
    # to other carers 15 months before 31 March: not.
    assert figure("long_term_stability", world) == percent("50")


def test_long_term_stability_cohort_under_16_and_looked_after_for_2_5_years(world):
    returned(
        world,
        2024,
        """
        U16 2020-01-01 S C2 U4 - -
        T16 2020-01-01 S C2 U4 - -
        IN  2021-09-30 S C2 U4 - -
        OUT 2021-10-01 S C2 U4 - -
        """,
        dob={"U16": date(2008, 4, 1), "T16": date(2008, 3, 31)},
    )
    # On 31 March 2024: U16 turns 16 the next day (in the cohort); T16 turned 16 that day (not).
    # IN has been looked after since 30 September 2021, exactly 2.5 years (in); OUT a day
    # less (not). Both in the cohort (U16 and IN) have had the same carer throughout.
    assert figure("long_term_stability", world) == percent("100")
    kpi = values("long_term_stability", "borough", [YEAR], world.borough_a.pk)
    assert kpi == [percent("100")]
    (row,) = [
        r
        for r in KPIS["long_term_stability"].compute("borough", [YEAR], TODAY)
        if r.scope_id == world.borough_a.pk
    ]
    assert (row.numerator, row.denominator) == (2, 2)


def test_a_gap_in_care_restarts_the_2_5_years(world):
    returned(
        world,
        2024,
        """
        GAP 2019-01-01 S C2 U4 2021-06-01 E13
        GAP 2021-08-01 S C2 U4 -          -
        LONG 2019-01-01 S C2 U4 2021-12-01 E13
        LONG 2022-01-01 S C2 U4 -          -
        """,
    )
    # GAP came back on 1 August 2021: looked after continuously since then, over 2.5 years,
    # and with the same carer since: stable. LONG came back on 1 January 2022: continuously
    # for less than 2.5 years, so not in the cohort.
    assert counts("long_term_stability", world) == (1, 1)


def test_a_child_placed_for_adoption_counts_the_placement_before_it(world):
    returned(
        world,
        2024,
        """
        AD1 2021-06-01 S C2 U6 2023-06-01 X1
        AD1 2023-06-01 P E1 A4 -          -
        AD2 2021-06-01 S C2 U6 2022-06-01 X1
        AD2 2022-06-01 P C2 U6 2023-06-01 X1
        AD2 2023-06-01 P E1 A6 -          -
        """,
    )
    # AD1: the adoptive placement and the foster placement before it together since June
    # 2021: over 2 years, stable. AD2: the placement before the adoptive one began in June
    # 2022: together less than 2 years, not stable.
    assert figure("long_term_stability", world) == percent("50")


# --- Which years have figures -------------------------------------------------------------


def test_a_year_has_figures_only_if_its_return_was_imported(world):
    returned(world, 2024, "Y1 2021-01-01 S C2 U4 - -")
    assert figure("cla_at_end", world) == 1
    # The 2024 return holds episodes begun before 2023, but not the children who left before
    # it: the year before has no figure of its own.
    assert figure("cla_at_end", world, YEAR_BEFORE) is None


def test_an_old_return_leaves_its_open_episodes_open_only_to_its_year_end(world):
    returned(world, 2022, "OLD 2021-01-01 S C2 U4 - -")
    returned(world, 2024, "NEW 2023-06-01 S C2 U4 - -")
    # OLD was open at the end of the 2022 return and is in no later one: it is not counted as
    # looked after in 2024.
    assert figure("cla_at_end", world) == 1


def test_the_year_to_date_is_counted_to_today(world):
    returned(world, 2025, "YTD 2024-05-01 S C2 U4 - -\nGONE 2024-04-10 S C2 U4 2024-06-20 E13")
    # On 15 June 2024 both were looked after; GONE leaves after today.
    assert figure("cla_at_end", world, YEAR_TO_DATE) == 2


# --- Where children live on 31 March ---------------------------------------------------------


def test_placement_type_and_location_on_31_march(world):
    returned(
        world,
        2024,
        """
        F1 2023-01-01 S C2 U4 - - SC000001 AB1 IN
        F2 2023-01-01 S C2 U1 - - SC000002 AB2 OUT
        H1 2023-01-01 S C2 K2 2024-03-20 X1 SC000003 CD1 OUT
        H1 2024-03-20 P C2 T1 - - - -
        X1 2023-01-01 S C2 P2 - - - -
        """,
    )
    # Four children: two fostered, one in a children's home (in hospital on 31 March: the
    # placement they are away from counts), one in independent living.
    assert figure("placement_type_foster", world) == percent("50")
    assert figure("placement_type_childrens_homes", world) == percent("25")
    assert figure("placement_type_community", world) == percent("25")
    assert figure("placement_type_adoption", world) == 0
    # Location known for F1 (in) and F2 (out); H1's hospital episode has no location: 1 of 2.
    assert figure("placed_outside_boundary", world) == percent("50")


def test_the_consortium_adds_up_its_boroughs(world):
    returned(world, 2024, "A1 2023-01-01 S C2 U4 - -")
    returned(
        world, 2024, "B1 2023-01-01 S C2 U4 - -\nB2 2023-01-01 S C2 U4 - -", borough=world.borough_b
    )
    assert values("cla_at_end", "consortium", [YEAR], world.consortium.pk, today=TODAY) == [3]
