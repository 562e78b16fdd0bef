"""Distance between two places, as the DfE measures it for the children looked after
statistics: the straight line between the two postcodes' Ordnance Survey grid references (in
metres, from the ONS Postcode Directory), in miles (1 mile = 1.6093 km), to one decimal place.
This is the formula the DfE's own SSDA903 validator (csc-validator-be-903) applies to HOME_POST
and PL_POST; the DfE's headline measure counts a placement "more than 20 miles from home" when
that distance is over 20.0."""

import math
from decimal import ROUND_HALF_EVEN, Decimal

METRES_PER_MILE = 1609.3
FAR_FROM_HOME_MILES = Decimal(20)

# The bands pages and charts show, by their upper bound in miles (None: no bound). A band
# holds distances over the previous bound, up to and including its own.
BANDS = [
    (Decimal(5), "Up to 5 miles"),
    (Decimal(10), "Over 5, up to 10 miles"),
    (Decimal(20), "Over 10, up to 20 miles"),
    (Decimal(50), "Over 20, up to 50 miles"),
    (Decimal(100), "Over 50, up to 100 miles"),
    (None, "Over 100 miles"),
]
BAND_LABELS = [label for _, label in BANDS]
UNKNOWN_BAND = "Distance unknown"


def miles_between(a: tuple[int, int], b: tuple[int, int]) -> Decimal:
    """Miles between two grid references (easting, northing), to one decimal place."""
    metres = math.hypot(a[0] - b[0], a[1] - b[1])
    return Decimal(metres / METRES_PER_MILE).quantize(Decimal("0.1"), ROUND_HALF_EVEN)


def band_of(miles: Decimal | None) -> str:
    """The band a distance falls in; "Distance unknown" for None."""
    if miles is None:
        return UNKNOWN_BAND
    for bound, label in BANDS:
        if bound is None or miles <= bound:
            return label
    raise AssertionError("unreachable: the last band has no bound")


def far_from_home(miles: Decimal | None) -> bool | None:
    """Over 20 miles from home (None: not known)."""
    return None if miles is None else miles > FAR_FROM_HOME_MILES
