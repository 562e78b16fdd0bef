"""Where a service is: derived from its full postcode with the ONS Postcode Directory, or from
its postcode district alone for a service recorded before full postcodes were asked for."""

from django.db import transaction

from geography.models import District
from geography.postcodes import district_of, normalise_postcode
from geography.selectors import (
    Place,
    Unknown,
    council_names,
    locate,
    locate_district,
    locate_many,
)

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
    name = council_names([place.council]).get(place.council) if place.council else None
    _apply(service, place, name)


def _apply(service: Service, place: Place, council_name: str | None) -> None:
    service.easting, service.northing = place.easting, place.northing
    service.council = place.council
    service.location_unknown = place.unknown
    if council_name:
        service.local_authority = council_name
    elif place.unknown != Unknown.NOT_LOADED:
        # Not in the directory: the area of a postcode it had before is not this one's.
        service.local_authority = ""


LOCATION_COLUMNS = [
    "postcode",
    "postcode_district",
    "easting",
    "northing",
    "council",
    "location_unknown",
    "local_authority",
]


@transaction.atomic
def services_relocate() -> int:
    """Locate every service again, with the directory now loaded (after a new release, or for
    services saved before it was loaded). Returns how many changed. A few queries, whatever
    the number of services: the postcodes in two, the districts and council names in one
    each."""
    services = list(Service.objects.select_for_update().only("pk", *LOCATION_COLUMNS))
    places = locate_many(s.postcode for s in services if s.postcode)
    districts = {
        d.code: d
        for d in District.objects.filter(
            code__in={s.postcode_district for s in services if not s.postcode}
        )
    }
    loaded = bool(places) or District.objects.exists()
    names = council_names(
        {p.council for p in places.values()} | {d.upper_tier for d in districts.values()}
    )
    changed = []
    for service in services:
        before = [getattr(service, name) for name in LOCATION_COLUMNS]
        if service.postcode:
            place = places[service.postcode]
            if place.unknown == Unknown.INVALID:
                continue  # not a postcode: left for its provider to correct
            service.postcode = place.postcode
            service.postcode_district = district_of(place.postcode)
        else:
            district = districts.get(service.postcode_district)
            if district is not None:
                place = Place(
                    district.code, district.easting, district.northing, district.upper_tier
                )
            elif not service.postcode_district:
                place = Place(unknown=Unknown.NOT_GIVEN)
            else:
                place = Place(
                    service.postcode_district,
                    unknown=Unknown.NOT_FOUND if loaded else Unknown.NOT_LOADED,
                )
        _apply(service, place, names.get(place.council))
        if [getattr(service, name) for name in LOCATION_COLUMNS] != before:
            changed.append(service)
    Service.objects.bulk_update(changed, LOCATION_COLUMNS, batch_size=500)
    return len(changed)
