"""Where a postcode, a postcode district or a council is, from the directory loaded in the
database, and how far apart two places are. Each lookup is one indexed query."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from .authorities import nation_of
from .distance import band_of, miles_between
from .models import District, LocalAuthority, Postcode
from .postcodes import compact, normalise_district, normalise_postcode


class Unknown(models.TextChoices):
    """Why a place (and so a distance) is not known. Never a distance of zero."""

    NOT_GIVEN = "not_given", "No postcode recorded"
    INVALID = "invalid", "Not a valid postcode"
    NOT_FOUND = "not_found", "Postcode not in the ONS Postcode Directory"
    TERMINATED = "terminated", "Postcode no longer in use (terminated)"
    NO_GRID = "no_grid", "No grid reference for the postcode in the ONS Postcode Directory"
    CONFIDENTIAL = "confidential", "Home not shared (confidential)"
    NOT_LOADED = "not_loaded", "The ONS Postcode Directory is not loaded"


@dataclass(frozen=True)
class Place:
    """A located place, or the reason it could not be located."""

    postcode: str = ""  # as normalised: "SE1 7PB" or a district, "SE1"
    easting: int | None = None
    northing: int | None = None
    # The council responsible for the area (upper tier: county, unitary, metropolitan or
    # London borough), or WAL, SCO, NIR, CHI, IOM outside England; blank when not known.
    council: str = ""
    unknown: str = ""  # an Unknown value when the place is not located

    @property
    def grid(self) -> tuple[int, int] | None:
        if self.easting is None or self.northing is None:
            return None
        return (self.easting, self.northing)

    @property
    def unknown_label(self) -> str:
        return Unknown(self.unknown).label if self.unknown else ""


@dataclass(frozen=True)
class Distance:
    """How far a placement is from the child's home, and whether it is across the borough's
    boundary. `miles` is None when either end is not located, with the reason."""

    miles: Decimal | None
    unknown: str = ""

    @property
    def band(self) -> str:
        return band_of(self.miles)

    @property
    def unknown_label(self) -> str:
        return Unknown(self.unknown).label if self.unknown else ""


def locate(postcode: str | None) -> Place:
    """A full postcode's place (no query when it is not a postcode)."""
    text = postcode or ""
    return locate_many([text])[text]


def locate_many(postcodes: Iterable[str]) -> dict[str, Place]:
    """Each full postcode's place, keyed by the postcode as given, in two queries."""
    given = {p: normalise_postcode(p) for p in postcodes}
    codes = {compact(n) for n in given.values() if n}
    found = {row.code: row for row in Postcode.objects.filter(code__in=codes)}
    lads = {row.lad for row in found.values() if row.lad and not nation_of(row.lad)}
    uppers = dict(LocalAuthority.objects.filter(code__in=lads).values_list("code", "upper_tier_id"))
    loaded = bool(found) or not codes or Postcode.objects.exists()
    places = {}
    for text, normal in given.items():
        if not compact(text):
            places[text] = Place(unknown=Unknown.NOT_GIVEN)
            continue
        if normal is None:
            places[text] = Place(postcode=compact(text), unknown=Unknown.INVALID)
            continue
        row = found.get(compact(normal))
        if row is None:
            reason = Unknown.NOT_FOUND if loaded else Unknown.NOT_LOADED
            places[text] = Place(postcode=normal, unknown=reason)
            continue
        nation = nation_of(row.lad)
        council = nation.code if nation else uppers.get(row.lad, "")
        if row.terminated is not None:
            places[text] = Place(postcode=normal, council=council, unknown=Unknown.TERMINATED)
        elif row.easting is None or row.northing is None:
            places[text] = Place(postcode=normal, council=council, unknown=Unknown.NO_GRID)
        else:
            places[text] = Place(normal, row.easting, row.northing, council)
    return places


def locate_district(district: str | None) -> Place:
    """A postcode district's place: the centre of its live postcodes."""
    if not compact(district):
        return Place(unknown=Unknown.NOT_GIVEN)
    normal = normalise_district(district)
    if normal is None:
        return Place(postcode=compact(district), unknown=Unknown.INVALID)
    row = District.objects.filter(code=normal).first()
    if row is None:
        loaded = District.objects.exists()
        return Place(postcode=normal, unknown=Unknown.NOT_FOUND if loaded else Unknown.NOT_LOADED)
    return Place(normal, row.easting, row.northing, row.upper_tier)


def locate_council(code: str | None) -> Place:
    """A council's area: the centre of its live postcodes (where a child's home is taken to be
    when the borough does not share it)."""
    row = LocalAuthority.objects.filter(code=code or "").first()
    if row is None or row.grid is None:
        reason = Unknown.NOT_FOUND if LocalAuthority.objects.exists() else Unknown.NOT_LOADED
        return Place(council=code or "", unknown=reason)
    return Place("", row.easting, row.northing, row.upper_tier_id)


def distance_between(home: Place, placement: Place) -> Distance:
    """Miles between two places, or why it is not known (the home's reason first)."""
    if home.grid is None:
        return Distance(None, home.unknown or Unknown.NOT_GIVEN)
    if placement.grid is None:
        return Distance(None, placement.unknown or Unknown.NOT_GIVEN)
    return Distance(miles_between(home.grid, placement.grid))


def council_names(codes: Iterable[str]) -> dict[str, str]:
    """Council names by code, in one query."""
    return dict(LocalAuthority.objects.filter(code__in=set(codes)).values_list("code", "name"))
