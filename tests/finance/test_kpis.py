"""The money KPIs read each placement's schedule (its fee rows), not today's weekly fee:
hand-worked figures for a change mid-month, a placement started and ended within a period, and
a change dated ahead."""

from datetime import date
from decimal import Decimal

import pytest

from monitoring.kpis import KPIS
from monitoring.kpis.periods import Period
from placements.models import Fee, Placement
from placements.selectors.schedule import schedule_of
from tests.factories import scheduled_placement
from tests.monitoring.kpi_data import bid, provider, request, values

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 15)
FEB = Period("month", date(2024, 2, 1), date(2024, 2, 29))
MAR = Period("month", date(2024, 3, 1), date(2024, 3, 31))
JUN = Period("month", date(2024, 6, 1), date(2024, 6, 30))  # to today, the 15th
Q1 = Period("quarter", date(2024, 1, 1), date(2024, 3, 31))


def placed(world, start, fee, changes=(), end=None, **fields):
    return scheduled_placement(
        borough=world.borough_b,
        provider=world.provider_b,
        start=start,
        weekly_fee=fee,
        changes=changes,
        end=end,
        **fields,
    )


def borough_b(world, code, periods, today=TODAY):
    return values(code, "borough", periods, world.borough_b.pk, today=today)


def test_a_fee_change_mid_month_is_apportioned_by_days(world):
    # £700 a week from 1 January; 1:1 support from 15 February: £1,400.
    # February (29 days): 1-14 at £100 a day = 1,400; 15-29 (15 days) at £200 = 3,000: 4,400.
    placed(
        world,
        date(2024, 1, 1),
        "700",
        [(date(2024, 2, 15), "1400", Fee.Kind.ADDITIONAL_SUPPORT)],
    )
    assert borough_b(world, "spend", [FEB]) == [Decimal("4400.0000")]
    # The mean weekly cost over its 29 days: 4,400 x 7 / 29 = 1,062.0690 (neither fee alone).
    assert borough_b(world, "mean_weekly_cost", [FEB]) == [Decimal("1062.0690")]
    # March is all at £1,400: 31 x 200 = 6,200, a mean of 1,400.
    assert borough_b(world, "spend", [MAR]) == [Decimal("6200.0000")]
    assert borough_b(world, "mean_weekly_cost", [MAR]) == [Decimal("1400.0000")]


def test_a_placement_started_and_ended_within_the_period_costs_its_days_only(world):
    # 10 to 20 March (11 days), £700 then £1,050 from the 15th: 10-14 (5 days) x 100 = 500;
    # 15-20 (6 days) x 150 = 900: 1,400. Its mean over 11 days: 1,400 x 7 / 11 = 890.9091.
    placed(
        world,
        date(2024, 3, 10),
        "700",
        [(date(2024, 3, 15), "1050", Fee.Kind.NEEDS_CHANGE)],
        end=date(2024, 3, 20),
    )
    # A second, all of March at £350 (31 x 50 = 1,550): the quarter holds both.
    placed(world, date(2024, 2, 1), "350")
    assert borough_b(world, "spend", [MAR]) == [Decimal("2950.0000")]
    # Mean: (1,400 + 1,550) x 7 / (11 + 31) = 491.6667; one placement's day weighs one day.
    assert borough_b(world, "mean_weekly_cost", [MAR]) == [Decimal("491.6667")]
    # Q1: the second adds February's 29 days (1,450): 2,950 + 1,450 = 4,400 over 71 days.
    assert borough_b(world, "spend", [Q1]) == [Decimal("4400.0000")]
    assert borough_b(world, "mean_weekly_cost", [Q1]) == [Decimal("433.8028")]


def test_a_change_dated_ahead_counts_from_its_day_not_before(world):
    # £700 from 1 June; an uplift to £1,400 dated 20 June, recorded ahead of it.
    placement = placed(world, date(2024, 6, 1), "700", [(date(2024, 6, 20), "1400")])
    # On 15 June: 1-15 June at £100 a day = 1,500; the uplift is not yet in force.
    assert borough_b(world, "spend", [JUN]) == [Decimal("1500.0000")]
    assert borough_b(world, "mean_weekly_cost", [JUN]) == [Decimal("700.0000")]
    # On 25 June: 19 days at 100 + 6 (20-25) at 200 = 3,100; mean 3,100 x 7 / 25 = 868.
    later = date(2024, 6, 25)
    assert borough_b(world, "spend", [JUN], today=later) == [Decimal("3100.0000")]
    assert borough_b(world, "mean_weekly_cost", [JUN], today=later) == [Decimal("868.0000")]
    # The database's sum is the schedule's own.
    assert schedule_of(placement).cost(JUN.start, later) == Decimal(3100)


def test_spend_counts_each_placement_once_however_many_changes_it_has(world):
    placed(
        world,
        date(2024, 1, 1),
        "700",
        [(date(2024, 1, 10), "770"), (date(2024, 2, 1), "840"), (date(2024, 3, 1), "910")],
    )
    placed(world, date(2024, 1, 1), "700")
    # Five fee rows, two placements active: the denominator counts placements.
    rows = KPIS["spend"].compute("borough", [Q1], TODAY)
    assert [r.denominator for r in rows if r.scope_id == world.borough_b.pk] == [Decimal(2)]


def test_cost_per_need_point_and_cost_avoidance_use_the_fee_agreed_at_award(world):
    # Agreed at £900 on a request scored 30, uplifted to £1,800 since: the award's fee counts.
    r = request(world, score=30, duration_weeks=10, borough=world.borough_b)
    placed(
        world,
        date(2024, 2, 1),
        "900",
        [(date(2024, 3, 1), "1800", Fee.Kind.UPLIFT)],
        request=r,
        source=Placement.Source.DPS,
    )
    assert borough_b(world, "cost_per_need_point", [Q1]) == [Decimal("30.0000")]
    bid(r, provider(), "1000")
    # (median bid 1,000 - agreed 900) x 10 weeks = 1,000 (not -8,000 at today's fee).
    assert borough_b(world, "cost_avoidance", [Q1]) == [Decimal("1000.0000")]
