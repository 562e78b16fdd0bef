"""The DfE's distance: the straight line between two grid references, in miles (1,609.3 metres),
to one decimal place. Each figure below is worked by hand from the grid references in
tests/geography/directory.py."""

from decimal import Decimal

import pytest

from geography.distance import (
    BAND_LABELS,
    UNKNOWN_BAND,
    band_of,
    far_from_home,
    miles_between,
)

N19_4EB = (530372, 186867)  # home, Islington
N7_6PA = (530710, 185784)  # Islington
SE1_7PB = (530625, 179850)  # Lambeth
ME2_1NF = (570753, 163482)  # Medway
CF10_1AA = (318284, 176230)  # Cardiff


def test_a_placement_inside_the_borough():
    # dx = 530710 - 530372 = 338, dy = 185784 - 186867 = -1083
    # sqrt(338^2 + 1083^2) = sqrt(114244 + 1172889) = sqrt(1287133) = 1134.5 m
    # 1134.5 / 1609.3 = 0.705 -> 0.7 miles
    assert miles_between(N19_4EB, N7_6PA) == Decimal("0.7")


def test_a_placement_across_the_boundary_but_near():
    # dx = 253, dy = 7017: sqrt(64009 + 49238289) = sqrt(49302298) = 7021.6 m
    # 7021.6 / 1609.3 = 4.363 -> 4.4 miles
    assert miles_between(N19_4EB, SE1_7PB) == Decimal("4.4")


def test_a_placement_over_20_miles_away():
    # dx = 570753 - 530372 = 40381, dy = 163482 - 186867 = -23385
    # sqrt(1630625161 + 546858225) = sqrt(2177483386) = 46663.5 m
    # 46663.5 / 1609.3 = 28.996 -> 29.0 miles
    miles = miles_between(N19_4EB, ME2_1NF)
    assert miles == Decimal("29.0")
    assert far_from_home(miles) is True


def test_a_placement_in_wales():
    # dx = 212088, dy = 10637: sqrt(44981319744 + 113145769) = 212354.6 m
    # 212354.6 / 1609.3 = 131.955 -> 132.0 miles
    assert miles_between(N19_4EB, CF10_1AA) == Decimal("132.0")


def test_the_distance_is_the_same_both_ways_and_zero_at_the_same_place():
    assert miles_between(ME2_1NF, N19_4EB) == miles_between(N19_4EB, ME2_1NF)
    assert miles_between(N19_4EB, N19_4EB) == Decimal("0.0")


def test_it_rounds_to_one_decimal_place_half_to_even():
    # 0.25 miles is 402.325 m: 402 m east is 0.2498 -> 0.2; 403 m is 0.2504 -> 0.3
    assert miles_between((0, 0), (402, 0)) == Decimal("0.2")
    assert miles_between((0, 0), (403, 0)) == Decimal("0.3")


def test_over_20_miles_means_more_than_20_point_0():
    # The DfE counts a placement "more than 20 miles from home" above 20.0: 20.0 itself is not.
    assert far_from_home(Decimal("20.0")) is False
    assert far_from_home(Decimal("20.1")) is True
    assert far_from_home(None) is None


@pytest.mark.parametrize(
    ("miles", "band"),
    [
        (Decimal("0.0"), "Up to 5 miles"),
        (Decimal("5.0"), "Up to 5 miles"),
        (Decimal("5.1"), "Over 5, up to 10 miles"),
        (Decimal("10.0"), "Over 5, up to 10 miles"),
        (Decimal("20.0"), "Over 10, up to 20 miles"),
        (Decimal("20.1"), "Over 20, up to 50 miles"),
        (Decimal("50.0"), "Over 20, up to 50 miles"),
        (Decimal("100.0"), "Over 50, up to 100 miles"),
        (Decimal("132.0"), "Over 100 miles"),
    ],
)
def test_each_distance_falls_in_one_band_up_to_and_including_its_bound(miles, band):
    assert band_of(miles) == band
    assert band in BAND_LABELS


def test_an_unknown_distance_has_its_own_band_never_the_nearest():
    assert band_of(None) == UNKNOWN_BAND
    assert UNKNOWN_BAND not in BAND_LABELS
