"""A hand-worked slice of the ONS Postcode Directory for tests: real postcodes with their real
grid references and councils (as the 2026.1 package has them), district and council centres
from the full load, and two made-up rows for what the package cannot show (a terminated
postcode). Alpha Borough (the tests' borough A) is given Islington's code.

Hand-worked distances (straight line between grid references, metres / 1609.3):
- N19 4EB (home, Islington) to N7 6PA (Islington): 0.7 miles, inside the borough.
- N19 4EB to SE1 7PB (Lambeth): 4.4 miles, across the boundary, not over 20.
- N19 4EB to ME2 1NF (Medway): 29.0 miles, across the boundary and over 20.
- district N19's centre to ME2 1NF: 29.3 miles; to SE1 7PB: 4.4 miles.
- N19 4EB to CF10 1AA (Cardiff): 132.0 miles, in Wales.
- AB11 3AG has no grid reference; M2 3RT is not in the directory; N19 9ZX is terminated."""

from datetime import date

import pytest

from geography.models import District, LocalAuthority, Postcode

ISLINGTON = "E09000019"
POSTCODES = [
    # code, easting, northing, district (lower tier), terminated
    ("N194EB", 530372, 186867, "E09000019", None),
    ("N76PA", 530710, 185784, "E09000019", None),
    ("N51XL", 531263, 185203, "E09000019", None),
    ("SE17PB", 530625, 179850, "E09000022", None),
    ("ME21NF", 570753, 163482, "E06000035", None),
    ("TN240AA", 603054, 140551, "E07000105", None),
    ("CF101AA", 318284, 176230, "W06000015", None),
    ("E126ET", 542908, 185174, "E09000025", None),
    ("SW66PA", 523528, 176942, "E09000013", None),
    ("AB113AG", None, None, "", None),
    ("N199ZX", 530100, 187000, "E09000019", date(2019, 6, 1)),
]
DISTRICTS = [
    # code, easting, northing, postcodes, upper tier
    ("N19", 529845, 186835, 1142, "E09000019"),
    ("N7", 530569, 185588, 1624, "E09000019"),
    ("N5", 531922, 185591, 809, "E09000019"),
    ("SE1", 532653, 179426, 3678, "E09000028"),
    ("ME2", 572967, 168729, 1227, "E06000035"),
    ("TN24", 601906, 142908, 1041, "E10000016"),
    ("E12", 542275, 185567, 729, "E09000025"),
    ("SW6", 525073, 176922, 2664, "E09000013"),
    ("CF10", 318332, 175624, 1198, "WAL"),
]
AUTHORITIES = [
    # code, name, upper tier, easting, northing
    ("E09000019", "Islington", "E09000019", 531240, 183937),
    ("E09000022", "Lambeth", "E09000022", 530677, 174851),
    ("E09000028", "Southwark", "E09000028", 533496, 176540),
    ("E09000025", "Newham", "E09000025", 540932, 183321),
    ("E09000013", "Hammersmith and Fulham", "E09000013", 523920, 178524),
    ("E06000035", "Medway", "E06000035", 576757, 167751),
    ("E10000016", "Kent", "E10000016", 590554, 154678),
    ("E07000105", "Ashford", "E10000016", 598598, 141139),
    ("WAL", "Wales", "WAL", 296964, 234884),
]


def load_directory():
    LocalAuthority.objects.bulk_create(
        LocalAuthority(code=c, name=n, upper_tier_id=u, easting=e, northing=no, postcodes=1)
        for c, n, u, e, no in AUTHORITIES
    )
    District.objects.bulk_create(
        District(code=c, easting=e, northing=n, postcodes=p, upper_tier=u)
        for c, e, n, p, u in DISTRICTS
    )
    Postcode.objects.bulk_create(
        Postcode(code=c, easting=e, northing=n, lad=lad, terminated=t)
        for c, e, n, lad, t in POSTCODES
    )


@pytest.fixture
def directory(db):
    """The hand-worked directory above, loaded into the test database."""
    load_directory()
