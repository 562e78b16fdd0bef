"""How far a service is from the child's home, defined once for eligibility, scoring, the
shortlist, the provider's opportunity page and the placement an award creates.

The home is the centre of the child's postcode district, or the centre of the borough's own
area when the home is not to be shared; its grid reference is kept on the request
(placements.services.location.request_locate). A service is where its postcode puts it.

Matching (eligibility, the proximity score, the shortlist) measures from that home, whichever it
is. The placement's record follows the DfE: when the home was not shared, the real distance is
not known ("confidential"), even though the borough's centre gave a working figure."""

from dataclasses import dataclass
from decimal import Decimal

from geography.distance import band_of, miles_between
from geography.selectors import (
    Distance,
    Place,
    Unknown,
    council_names,
    locate_council,
    locate_district,
)

from ..models import PlacementRequest

HomeLocation = PlacementRequest.HomeLocation
Area = PlacementRequest.PlacementArea


def home_grid(placement_request: PlacementRequest) -> tuple[int, int] | None:
    """The child's home as matching measures from it (None: not located)."""
    if placement_request.home_easting is None or placement_request.home_northing is None:
        return None
    return (placement_request.home_easting, placement_request.home_northing)


def home_place(placement_request: PlacementRequest) -> Place:
    """Where the child's home is taken to be, or why it is not known (one query)."""
    if placement_request.home_location == HomeLocation.BOROUGH:
        return locate_council(placement_request.borough.la_code)
    return locate_district(placement_request.home_district)


def home_unknown(placement_request: PlacementRequest) -> str:
    """Why the child's home is not located (a label), or blank when it is."""
    if home_grid(placement_request) is not None:
        return ""
    return home_place(placement_request).unknown_label


def miles_from_home(
    placement_request: PlacementRequest, easting: int | None, northing: int | None
) -> Decimal | None:
    """Miles from the child's home to a grid reference (None: either end not located)."""
    home = home_grid(placement_request)
    if home is None or easting is None or northing is None:
        return None
    return miles_between(home, (easting, northing))


def band_from_home(placement_request: PlacementRequest, service) -> str:
    """The band of a service's distance from the child's home: all a provider is told of it
    (never the home's district or the miles, which with its own postcode would place the
    home)."""
    return band_of(miles_from_home(placement_request, service.easting, service.northing))


def outside_boundary(borough_code: str, council: str) -> bool | None:
    """Whether a service in `council` is outside the borough's area (None: either unknown)."""
    if not borough_code or not council:
        return None
    return council != borough_code


def proximity_limit(placement_request: PlacementRequest) -> Decimal:
    """The distance at which the proximity score reaches 0: the request's maximum distance, or
    50 miles when it has none."""
    if placement_request.max_distance_miles:
        return Decimal(placement_request.max_distance_miles)
    return DEFAULT_PROXIMITY_LIMIT


DEFAULT_PROXIMITY_LIMIT = Decimal(50)


@dataclass(frozen=True)
class FromHome:
    """A service's place against the child's home, as the borough reads it."""

    miles: Decimal | None
    council: str
    outside_boundary: bool | None

    @property
    def band(self) -> str:
        return band_of(self.miles)

    @property
    def where(self) -> str:
        if self.outside_boundary is None:
            return "Not known"
        return "Outside the borough" if self.outside_boundary else "Inside the borough"


def from_home(placement_request: PlacementRequest, service) -> FromHome:
    """A service's distance from the child's home and its side of the borough's boundary.
    Reads the request's borough (select it with the request to save a query)."""
    return FromHome(
        miles_from_home(placement_request, service.easting, service.northing),
        service.council,
        outside_boundary(placement_request.borough.la_code, service.council),
    )


@dataclass(frozen=True)
class Recorded:
    """A placement's recorded distance, as its pages show it."""

    miles: Decimal | None
    band: str
    unknown: str  # the reason's label when the distance is not known
    council_name: str
    outside_boundary: bool | None


def recorded_distance(placement) -> Recorded:
    """What a placement records of its distance, with the labels pages show (one query, for
    the council's name)."""
    reason = placement.distance_unknown
    return Recorded(
        placement.distance_miles,
        band_of(placement.distance_miles),
        Unknown(reason).label if reason in Unknown.values else reason,
        council_names([placement.council]).get(placement.council, placement.council)
        if placement.council
        else "",
        placement.outside_boundary,
    )


@dataclass(frozen=True)
class PlacementDistance:
    """What a placement records of its distance, as the DfE measures it."""

    distance: Distance
    council: str
    outside_boundary: bool | None


def placement_distance(placement_request: PlacementRequest, service) -> PlacementDistance:
    """The distance a placement records: miles from the home district's centre to the service's
    postcode, or why it is not known (the home's reason first; "confidential" when the borough
    did not share the home), the service's council, and whether it is outside the borough."""
    council = service.council
    boundary = outside_boundary(placement_request.borough.la_code, council)
    if placement_request.home_location == HomeLocation.BOROUGH:
        return PlacementDistance(Distance(None, Unknown.CONFIDENTIAL), council, boundary)
    home = home_grid(placement_request)
    if home is None:
        reason = home_place(placement_request).unknown or Unknown.NOT_GIVEN
        return PlacementDistance(Distance(None, reason), council, boundary)
    if service.easting is None or service.northing is None:
        reason = service.location_unknown or Unknown.NOT_GIVEN
        return PlacementDistance(Distance(None, reason), council, boundary)
    miles = miles_between(home, (service.easting, service.northing))
    return PlacementDistance(Distance(miles), council, boundary)
