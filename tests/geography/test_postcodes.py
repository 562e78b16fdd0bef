"""How postcodes and postcode districts are written and read."""

import pytest

from geography.postcodes import compact, district_of, normalise_district, normalise_postcode


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("SE1 7PB", "SE1 7PB"),
        ("se17pb", "SE1 7PB"),
        ("  se1   7pb ", "SE1 7PB"),
        ("N19 4EB", "N19 4EB"),
        ("m1 1ae", "M1 1AE"),  # A9 9AA
        ("W1A 1AA", "W1A 1AA"),  # A9A 9AA
        ("EC1A1BB", "EC1A 1BB"),  # AA9A 9AA
        ("TN24 0AA", "TN24 0AA"),  # AA99 9AA
    ],
)
def test_it_writes_a_full_postcode_the_standard_way(given, expected):
    assert normalise_postcode(given) == expected


@pytest.mark.parametrize("given", ["", None, "SE1", "SE1 7P", "SE1 7PBX", "1SE 7PB", "SE1 PB7"])
def test_it_refuses_what_is_not_a_full_postcode(given):
    assert normalise_postcode(given) is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [("se1", "SE1"), (" n19 ", "N19"), ("GU14", "GU14"), ("w1a", "W1A"), ("EC1A", "EC1A")],
)
def test_it_reads_a_postcode_district(given, expected):
    assert normalise_district(given) == expected


@pytest.mark.parametrize("given", ["", None, "SE1 7PB", "12AB", "ABC1", "S"])
def test_it_refuses_what_is_not_a_postcode_district(given):
    assert normalise_district(given) is None


def test_the_district_of_a_full_postcode_is_its_outward_code():
    assert district_of("SE1 7PB") == "SE1"
    assert district_of("se17pb") == "SE1"
    assert district_of("TN24 0AA") == "TN24"


def test_compact_takes_out_every_space():
    assert compact(" se1  7pb ") == "SE17PB"
    assert compact(None) == ""
