"""Rounding and formatting once: every figure rounds half up, and money and numbers read the
same on every page, email, PDF and CSV."""

from decimal import Decimal

import pytest

from dps.formatting import figure_display, figure_rounded, money, number, rounded


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("2.345"), 2, Decimal("2.35")),
        (Decimal("-2.345"), 2, Decimal("-2.35")),
        (Decimal("33.3333"), 2, Decimal("33.33")),
        (Decimal("0.00005"), 4, Decimal("0.0001")),
        (2.675, 2, Decimal("2.68")),  # a float as it prints, not its binary neighbour
        (7, 0, Decimal("7")),
        (Decimal("12.5"), 0, Decimal("13")),
    ],
)
def test_rounding_is_half_up_to_the_places_asked(value, places, expected):
    assert rounded(value, places) == expected
    assert str(rounded(value, places)) == str(expected)


def test_hundredths_are_the_default_places():
    assert rounded(Decimal("66.665")) == Decimal("66.67")


def test_money_is_pounds_and_pence_with_thousands_separated():
    assert money(Decimal("3000")) == "£3,000.00"
    assert money(Decimal("1234567.885")) == "£1,234,567.89"
    assert money(Decimal("-12.5")) == "-£12.50"
    assert money(None) == ""


def test_a_number_is_separated_in_thousands_and_rounded_half_up():
    assert number(1204) == "1,204"
    assert number(Decimal("-12.45"), 1) == "-12.5"
    assert number(Decimal("0.004"), 2) == "0.00"


def test_a_figure_reads_the_same_as_its_rounded_value():
    assert figure_rounded(Decimal("12.45"), "percent") == Decimal("12.5")
    assert figure_display(Decimal("12.45"), "percent") == "12.5%"
    assert figure_display(Decimal("1234567.885"), "pounds") == "£1,234,567.89"
    assert figure_display(Decimal("-5"), "pounds") == "-£5.00"
    assert figure_display(1, "days") == "1 day"
    assert figure_display(Decimal("44.5"), "days") == "45 days"
    assert figure_display(Decimal("1204"), "count") == "1,204"
    assert figure_display(None, "ratio") == "No data"
