"""Real postcode districts across England, for the national data set: the generator gives
services and children's homes grid references without the ONS Postcode Directory loaded.

`districts.csv` holds, for every English council with children's services duties (upper tier),
its largest postcode districts (up to two): the district, the centre of its live postcodes
(OS National Grid, metres), the council and its name, and the council's own centre. It was
made once from the loaded directory by `export()`:

    python manage.py shell -c "from scale.districts import export; export()"

Contains OS data © Crown copyright and database right; Contains Royal Mail data © Royal Mail
copyright and database right; Source: Office for National Statistics licensed under the Open
Government Licence v.3.0."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PATH = Path(__file__).resolve().parent / "districts.csv"
PER_COUNCIL = 2
COLUMNS = [
    "district",
    "easting",
    "northing",
    "council",
    "council_name",
    "council_easting",
    "council_northing",
]


@dataclass(frozen=True)
class District:
    code: str
    easting: int
    northing: int
    council: str
    council_name: str
    council_easting: int
    council_northing: int


def export(path: Path = PATH) -> int:
    """Write the file from the directory loaded in the database; returns the rows written."""
    from django.db.models import F

    from geography.models import District as Row
    from geography.models import LocalAuthority

    councils = {
        c.code: c
        for c in LocalAuthority.objects.filter(
            code__startswith="E", upper_tier_id=F("code"), postcodes__gt=0
        )
    }
    rows = []
    for code, council in sorted(councils.items()):
        largest = Row.objects.filter(upper_tier=code).order_by("-postcodes", "code")
        for district in largest[:PER_COUNCIL]:
            rows.append(
                [
                    district.code,
                    district.easting,
                    district.northing,
                    code,
                    council.name,
                    council.easting,
                    council.northing,
                ]
            )
    with path.open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return len(rows)


@cache
def districts() -> tuple[District, ...]:
    """The districts of the file, in its order (by council)."""
    with PATH.open(newline="") as text:
        return tuple(
            District(
                row["district"],
                int(row["easting"]),
                int(row["northing"]),
                row["council"],
                row["council_name"],
                int(row["council_easting"]),
                int(row["council_northing"]),
            )
            for row in csv.DictReader(text)
        )


def by_council() -> dict[str, list[District]]:
    """The districts of each council, by its code, councils in the file's order."""
    found: dict[str, list[District]] = {}
    for district in districts():
        found.setdefault(district.council, []).append(district)
    return found
