"""Hand-worked SSDA903 returns for the DfE measures' tests: episodes written as the import
stores them, one line each, and the return marked imported for its year."""

from datetime import date

from django.utils import timezone

from monitoring.models import CareEpisode, Ssda903Return
from placements.models import Child

# The columns of a line; "-" is a blank. Only CHILD to REC are needed.
COLUMNS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "PLACE",
    "DEC",
    "REC",
    "URN",
    "PL_POST",
    "PL_LOCATION",
    "PL_DISTANCE",
)


def returned(world, year_ending, table, *, borough=None, dob=None):
    """Store the episodes of `table` (lines of COLUMNS, blank-separated) as the borough's
    return for the year ending 31 March `year_ending`. `dob`: {CHILD: date of birth}; a child
    not named there was born on 1 January 2012."""
    borough = borough or world.borough_a
    dob = dob or {}
    Ssda903Return.objects.create(
        borough=borough,
        year_ending=year_ending,
        header_name="header.csv",
        episodes_name="episodes.csv",
        status=Ssda903Return.Status.IMPORTED,
        imported_at=timezone.now(),
    )
    seq = {}
    for line in table.strip().splitlines():
        cells = dict(zip(COLUMNS, line.split(), strict=False))
        cells = {k: "" if v == "-" else v for k, v in cells.items()}
        reference = cells["CHILD"]
        child, _ = Child.objects.get_or_create(
            borough=borough,
            reference=reference,
            defaults={"date_of_birth": dob.get(reference, date(2012, 1, 1))},
        )
        decom = date.fromisoformat(cells["DECOM"])
        dec = date.fromisoformat(cells["DEC"]) if cells.get("DEC") else None
        key = (reference, decom)
        seq[key] = seq.get(key, -1) + 1
        CareEpisode.objects.update_or_create(
            child=child,
            decom=decom,
            seq=seq[key],
            defaults={
                "borough": borough,
                "rne": cells["RNE"],
                "ls": cells["LS"],
                "place": cells["PLACE"],
                "dec": dec,
                "rec": cells.get("REC", ""),
                "urn": cells.get("URN", ""),
                "pl_post": cells.get("PL_POST", ""),
                "pl_location": cells.get("PL_LOCATION", ""),
                "pl_distance": cells.get("PL_DISTANCE") or None,
                "year_ending": year_ending,
                "ends": CareEpisode.ends_for(dec, year_ending),
            },
        )
