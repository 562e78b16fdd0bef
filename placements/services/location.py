"""Where the child's home is taken to be: derived from the request's home postcode district, or
the borough's own area when the home is not to be shared."""

from geography.selectors import Place

from ..models import PlacementRequest
from ..selectors.distance import home_place

# A change to one of these locates the home again.
HOME_FIELDS = frozenset({"home_location", "home_district"})


def request_locate(placement_request: PlacementRequest) -> Place:
    """Set the request's home grid reference (null when it cannot be located) and return the
    place, with the reason when it is not located. A home not to be shared keeps no district.
    Does not save."""
    if placement_request.home_location == PlacementRequest.HomeLocation.BOROUGH:
        placement_request.home_district = ""
    place = home_place(placement_request)
    placement_request.home_easting = place.easting
    placement_request.home_northing = place.northing
    return place
