"""The one calendar: months, quarters and return years ending 31 March, and their names."""

from datetime import date

import pytest

from dps.periods import (
    MONTH,
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


@pytest.mark.parametrize(
    ("day", "year_ending"),
    [
        (date(2026, 3, 31), 2026),
        (date(2026, 4, 1), 2027),
        (date(2026, 12, 31), 2027),
        (date(2027, 1, 1), 2027),
    ],
)
def test_a_day_falls_in_the_return_year_ending_the_next_31_march(day, year_ending):
    assert year_ending_of(day) == year_ending
    year = return_year(year_ending)
    assert year == Period(YEAR, date(year_ending - 1, 4, 1), date(year_ending, 3, 31))
    assert period_containing(YEAR, day) == year


def test_quarters_are_the_financial_quarters():
    assert period_containing(QUARTER, date(2026, 5, 17)) == Period(
        QUARTER, date(2026, 4, 1), date(2026, 6, 30)
    )
    assert period_containing(QUARTER, date(2026, 12, 31)).end == date(2026, 12, 31)
    assert latest_complete(QUARTER, date(2026, 1, 15)) == Period(
        QUARTER, date(2025, 10, 1), date(2025, 12, 31)
    )
    assert latest_complete(YEAR, date(2026, 4, 1)) == return_year(2026)


def test_a_month_later_is_clamped_to_the_months_last_day():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 31), -13) == date(2025, 2, 28)
    assert period_containing(MONTH, date(2028, 2, 10)).end == date(2028, 2, 29)


def test_a_period_is_named_the_same_way_everywhere():
    year = return_year(2026)
    assert period_label(YEAR, year.start, year.end) == "Year ending 31 March 2026"
    assert year.label(date(2025, 12, 4)) == "Year to date: 1 April 2025 to 4 December 2025"
    quarter = period_containing(QUARTER, date(2026, 11, 2))
    assert quarter.label(date(2026, 11, 2)) == "Quarter to date: 1 October to 2 November 2026"
    assert quarter.label(date(2027, 1, 1)) == "Quarter ending 31 December 2026"
    month = period_containing(MONTH, date(2026, 12, 4))
    assert month.label(date(2026, 12, 4)) == "December 2026 to date (to 4 December)"
