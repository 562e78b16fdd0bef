"""A placement's schedule, worked by hand: what each day costs, apportioned at each fee
change and at the start and the end; and the database's sum, which must agree with it."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from placements.models import Fee
from placements.selectors.schedule import fee_cost, fee_in, fee_rows, schedule_of
from placements.services.fees import fees_roll, fees_settle
from tests.factories import scheduled_placement

# Monday 2 March 2026: £700 a week (£100 a day); from Thursday 5 March £1,400 (£200 a day).
MONDAY = date(2026, 3, 2)
THURSDAY = date(2026, 3, 5)
SUNDAY = date(2026, 3, 8)


@pytest.fixture
def placement(world):
    return scheduled_placement(
        borough=world.borough_a,
        provider=world.provider_a,
        start=MONDAY,
        weekly_fee="700",
        changes=[(THURSDAY, "1400", Fee.Kind.ADDITIONAL_SUPPORT)],
    )


def sql_cost(placement, starts, ends, *, committed=False):
    rows = fee_rows().filter(placement=placement).filter(fee_in(starts, ends, committed=committed))
    total = rows.aggregate(total=Sum(fee_cost(starts, ends, committed=committed)))["total"]
    return Decimal(total or 0)


def test_a_fee_change_mid_week_is_apportioned_by_days(placement):
    schedule = schedule_of(placement)

    # Monday to Wednesday at £100, Thursday to Sunday at £200.
    assert schedule.owed(MONDAY, SUNDAY) == (7, Decimal("1100.00"))
    assert [(p.starts, p.ends, p.days) for p in schedule.pieces(MONDAY, SUNDAY)] == [
        (MONDAY, date(2026, 3, 4), 3),
        (THURSDAY, SUNDAY, 4),
    ]
    assert schedule.fee_on(date(2026, 3, 4)) == Decimal("700")
    assert schedule.fee_on(THURSDAY) == Decimal("1400")
    assert sql_cost(placement, MONDAY, SUNDAY) == Decimal("1100")


def test_a_placement_starting_and_ending_mid_period_costs_only_its_days(world):
    # Starts Wednesday 11 March, ends Tuesday 24 March (both days cost), £1,050 a week (£150).
    placement = scheduled_placement(
        borough=world.borough_a,
        provider=world.provider_a,
        start=date(2026, 3, 11),
        weekly_fee="1050",
        end=date(2026, 3, 24),
    )
    schedule = schedule_of(placement)

    assert schedule.owed(date(2026, 3, 9), date(2026, 3, 15)) == (5, Decimal("750.00"))
    assert schedule.owed(date(2026, 3, 16), date(2026, 3, 22)) == (7, Decimal("1050.00"))
    assert schedule.owed(date(2026, 3, 23), date(2026, 3, 29)) == (2, Decimal("300.00"))
    assert schedule.owed(date(2026, 3, 30), date(2026, 4, 5)) == (0, Decimal("0.00"))
    assert sql_cost(placement, date(2026, 3, 1), date(2026, 3, 31)) == Decimal("2100")


def test_a_third_of_a_penny_a_day_rounds_once_per_span(world):
    # £1,000 a week is £142.857142... a day: three days are £428.57, not 3 x £142.86.
    placement = scheduled_placement(
        borough=world.borough_a, provider=world.provider_a, start=MONDAY, weekly_fee="1000"
    )

    assert schedule_of(placement).owed(MONDAY, date(2026, 3, 4)) == (3, Decimal("428.57"))


def test_what_is_committed_runs_to_the_planned_end(world):
    placement = scheduled_placement(
        borough=world.borough_a,
        provider=world.provider_a,
        start=MONDAY,
        weekly_fee="700",
        planned_end=date(2026, 3, 31),
    )
    schedule = schedule_of(placement)
    end_of_year = date(2027, 3, 31)

    assert schedule.cost(MONDAY, end_of_year, committed=True) == Decimal("3000")
    assert sql_cost(placement, MONDAY, end_of_year, committed=True) == Decimal("3000")
    # Not committed, a running placement costs to the end of the span asked.
    assert schedule.days(MONDAY, end_of_year) == 395
    assert sql_cost(placement, MONDAY, end_of_year) == Decimal("39500")


def test_a_change_dated_ahead_takes_over_on_its_day(world, placement):
    later = scheduled_placement(
        borough=world.borough_a,
        provider=world.provider_a,
        start=MONDAY,
        weekly_fee="700",
        changes=[(date(2099, 1, 1), "770", Fee.Kind.UPLIFT)],
    )
    assert later.weekly_fee == Decimal("700")
    assert schedule_of(later).fee_on(date(2099, 1, 1)) == Decimal("770")

    assert fees_roll(today=date(2099, 1, 1)) == 1
    later.refresh_from_db()
    placement.refresh_from_db()
    assert later.weekly_fee == Decimal("770")
    assert placement.weekly_fee == Decimal("1400")


def test_a_change_between_two_others_shortens_the_earlier_row(placement):
    Fee.objects.create(
        placement=placement,
        kind=Fee.Kind.NEEDS_CHANGE,
        effective_date=date(2026, 3, 4),
        weekly_fee=Decimal("350"),
        reason="Needs fell.",
    )
    fees_settle(placement)

    ends = list(placement.fees.order_by("effective_date").values_list("kind", "ends"))
    assert ends == [
        ("agreed", date(2026, 3, 3)),
        ("needs_change", date(2026, 3, 4)),
        ("additional_support", None),
    ]
    # Monday and Tuesday at £100, Wednesday at £50, Thursday to Sunday at £200.
    assert schedule_of(placement).owed(MONDAY, SUNDAY) == (7, Decimal("1050.00"))
    assert sql_cost(placement, MONDAY, SUNDAY) == Decimal("1050")
