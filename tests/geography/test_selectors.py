"""Locating postcodes, districts and councils in the directory, and the distance between two
places, with each reason a distance is not known. The grid references and the hand-worked
distances are those of tests/geography/directory.py."""

from decimal import Decimal

import pytest

from geography.distance import UNKNOWN_BAND
from geography.selectors import (
    Distance,
    Place,
    Unknown,
    council_names,
    distance_between,
    locate,
    locate_council,
    locate_district,
    locate_many,
)

ISLINGTON = "E09000019"


def test_it_locates_a_postcode_written_any_way(directory):
    place = locate("n19 4eb")
    assert place == Place("N19 4EB", 530372, 186867, ISLINGTON)
    assert place.grid == (530372, 186867)
    assert place.unknown_label == ""


def test_a_postcode_is_in_its_upper_tier_council(directory):
    # TN24 0AA is in Ashford (E07000105), a district of Kent (E10000016).
    assert locate("TN24 0AA").council == "E10000016"
    # A unitary is its own upper tier; Cardiff is in Wales.
    assert locate("ME2 1NF").council == "E06000035"
    assert locate("CF10 1AA").council == "WAL"


def test_locate_many_answers_every_postcode_in_two_queries(directory, django_assert_num_queries):
    given = ["N19 4EB", "se17pb", "ME2 1NF", "M2 3RT", "", "not a postcode", "N19 9ZX"]
    with django_assert_num_queries(2):
        places = locate_many(given)
    assert set(places) == set(given)
    assert places["se17pb"].grid == (530625, 179850)
    assert places["se17pb"].council == "E09000022"
    assert places["M2 3RT"].unknown == Unknown.NOT_FOUND
    assert places[""].unknown == Unknown.NOT_GIVEN
    assert places["not a postcode"].unknown == Unknown.INVALID
    assert places["N19 9ZX"].unknown == Unknown.TERMINATED


def test_locate_many_of_many_postcodes_still_takes_two_queries(
    directory, django_assert_num_queries
):
    given = ["N19 4EB", "N7 6PA", "N5 1XL", "SE1 7PB", "E12 6ET", "SW6 6PA"] * 50
    with django_assert_num_queries(2):
        places = locate_many(given)
    assert all(place.grid for place in places.values())


def test_a_district_is_at_the_centre_of_its_live_postcodes(directory):
    place = locate_district(" n19 ")
    assert place == Place("N19", 529845, 186835, ISLINGTON)


@pytest.mark.parametrize(
    ("given", "reason"),
    [("", Unknown.NOT_GIVEN), ("N19 4EB", Unknown.INVALID), ("ZZ99", Unknown.NOT_FOUND)],
)
def test_a_district_it_cannot_locate_says_why(directory, given, reason):
    place = locate_district(given)
    assert place.grid is None
    assert place.unknown == reason


def test_a_council_is_at_the_centre_of_its_postcodes(directory):
    place = locate_council(ISLINGTON)
    assert place.grid == (531240, 183937)
    assert place.council == ISLINGTON


def test_a_council_not_in_the_directory_is_not_found(directory):
    assert locate_council("E09000001").unknown == Unknown.NOT_FOUND
    assert locate_council("").unknown == Unknown.NOT_FOUND


def test_council_names_and_upper_tiers(directory, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = council_names([ISLINGTON, "E10000016", "E09000001"])
    assert names == {ISLINGTON: "Islington", "E10000016": "Kent"}


# --- Distances ----------------------------------------------------------------------------


def test_the_distance_inside_the_borough(directory):
    # sqrt(338^2 + 1083^2) = 1134.5 m / 1609.3 = 0.7 miles
    distance = distance_between(locate("N19 4EB"), locate("N7 6PA"))
    assert distance == Distance(Decimal("0.7"))
    assert distance.band == "Up to 5 miles"


def test_the_distance_across_the_boundary(directory):
    # sqrt(253^2 + 7017^2) = 7021.6 m / 1609.3 = 4.4 miles (Islington to Lambeth)
    assert distance_between(locate("N19 4EB"), locate("SE1 7PB")).miles == Decimal("4.4")


def test_the_distance_over_20_miles(directory):
    # sqrt(40381^2 + 23385^2) = 46663.5 m / 1609.3 = 29.0 miles
    distance = distance_between(locate("N19 4EB"), locate("ME2 1NF"))
    assert distance.miles == Decimal("29.0")
    assert distance.band == "Over 20, up to 50 miles"


def test_the_distance_from_a_home_district(directory):
    # N19's centre (529845, 186835) to ME2 1NF: sqrt(40908^2 + 23353^2) = 47104.4 m = 29.3 mi
    assert distance_between(locate_district("N19"), locate("ME2 1NF")).miles == Decimal("29.3")


def test_the_distance_from_the_borough_s_own_area(directory):
    # Islington's centre (531240, 183937) to SE1 7PB: sqrt(615^2 + 4087^2) = 4133.0 m = 2.6 mi
    assert distance_between(locate_council(ISLINGTON), locate("SE1 7PB")).miles == Decimal("2.6")


@pytest.mark.parametrize(
    ("home", "reason"),
    [
        ("", Unknown.NOT_GIVEN),
        ("N19 4E", Unknown.INVALID),
        ("M2 3RT", Unknown.NOT_FOUND),
        ("N19 9ZX", Unknown.TERMINATED),
        ("AB11 3AG", Unknown.NO_GRID),
    ],
)
def test_an_unknown_home_gives_an_unknown_distance_never_zero(directory, home, reason):
    distance = distance_between(locate(home), locate("N7 6PA"))
    assert distance.miles is None
    assert distance.unknown == reason
    assert distance.band == UNKNOWN_BAND
    assert distance.unknown_label == Unknown(reason).label


@pytest.mark.parametrize(
    ("placement", "reason"),
    [
        ("", Unknown.NOT_GIVEN),
        ("ME2 1N", Unknown.INVALID),
        ("M2 3RT", Unknown.NOT_FOUND),
        ("N19 9ZX", Unknown.TERMINATED),
        ("AB11 3AG", Unknown.NO_GRID),
    ],
)
def test_an_unknown_placement_gives_an_unknown_distance(directory, placement, reason):
    distance = distance_between(locate("N19 4EB"), locate(placement))
    assert distance.miles is None
    assert distance.unknown == reason


def test_the_home_s_reason_comes_first(directory):
    distance = distance_between(locate("N19 9ZX"), locate("M2 3RT"))
    assert distance.unknown == Unknown.TERMINATED


def test_a_confidential_home_says_so():
    distance = distance_between(Place(unknown=Unknown.CONFIDENTIAL), Place("N7 6PA", 1, 2))
    assert (distance.miles, distance.unknown) == (None, Unknown.CONFIDENTIAL)


def test_a_terminated_postcode_keeps_its_council(directory):
    # The place is not located (no distance), but which council it was in is still known.
    place = locate("N19 9ZX")
    assert (place.grid, place.council) == (None, ISLINGTON)


def test_nothing_is_located_before_the_directory_is_loaded(db):
    assert locate("N19 4EB").unknown == Unknown.NOT_LOADED
    assert locate_many(["N19 4EB"])["N19 4EB"].unknown == Unknown.NOT_LOADED
    assert locate_district("N19").unknown == Unknown.NOT_LOADED
    assert locate_council(ISLINGTON).unknown == Unknown.NOT_LOADED
    distance = distance_between(locate("N19 4EB"), locate("N7 6PA"))
    assert (distance.miles, distance.unknown) == (None, Unknown.NOT_LOADED)
    # Still: what is not a postcode is said to be so, loaded or not.
    assert locate("nonsense").unknown == Unknown.INVALID
