"""Where a service is: derived from its full postcode with the ONS Postcode Directory, or from
its postcode district alone for a service recorded before full postcodes were asked for."""

from geography.postcodes import district_of, normalise_postcode
from geography.selectors import Unknown, council_names, locate, locate_district

from ..models import Service


def service_locate(service: Service) -> None:
    """Set the service's district, grid reference, council and council name (or the reason it
    cannot be located) from its postcode. Does not save."""
    if service.postcode:
        normal = normalise_postcode(service.postcode)
        if normal is None:
            return  # refused by the model's validation
        service.postcode = normal
        service.postcode_district = district_of(normal)
        place = locate(normal)
    else:
        place = locate_district(service.postcode_district)
    service.easting, service.northing = place.easting, place.northing
    service.council = place.council
    service.location_unknown = place.unknown
    name = council_names([place.council]).get(place.council) if place.council else None
    if name:
        service.local_authority = name
    elif place.unknown != Unknown.NOT_LOADED:
        # Not in the directory: the area of a postcode it had before is not this one's.
        service.local_authority = ""
