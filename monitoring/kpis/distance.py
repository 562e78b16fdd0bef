"""Distance from home of the placements made through the DPS, by the DfE's measures: placed
outside the council's boundary, more than 20 miles from home, both together (the DfE's
headline), distance unknown, and the mean distance. The same measures of the boroughs' SSDA903
returns are in dfe.py; docs/kpis.md gives each its definition and sources.

Population: the placements made through the DPS that began in the period (as the DfE counts
new placements during the year). Each placement's distance, council and whether that is
outside the borough's boundary were fixed at award (placements.Placement.distance_miles,
distance_unknown, outside_boundary); a null distance is "distance unknown", never zero. Every
share is of all those placements, the unknown ones included, as the DfE's table of new
placements is (its five groups add up to 100%)."""

from django.db.models import Count, Q, Sum

from placements.models import Placement

from .base import ALL_PERIODS, ALL_SCOPES, Kpi, bucketed, register
from .stability import PLACEMENT_PATHS, placements

# Over 20.0 miles, as geography.distance.far_from_home.
FAR = Q(distance_miles__gt=20)
OUTSIDE = Q(outside_boundary=True)
UNKNOWN = Q(distance_miles__isnull=True)


def made_through_dps():
    """The placements made through the DPS that began (not those awarded, not yet started)."""
    return placements().filter(source=Placement.Source.DPS)


def share_of(condition):
    def compute(scope, periods, today):
        return bucketed(
            made_through_dps(),
            PLACEMENT_PATHS,
            scope,
            periods,
            "began",
            Count("pk", filter=condition),
            Count("pk"),
        )

    return compute


def mean_miles(scope, periods, today):
    return bucketed(
        made_through_dps(),
        PLACEMENT_PATHS,
        scope,
        periods,
        "began",
        Sum("distance_miles"),
        Count("distance_miles"),
    )


FAMILY = "Distance from home: placements through the DPS"
POPULATION = "Of the placements made through the DPS that began in the period"
DEFINITIONS = [
    (
        "dps_outside_boundary",
        "Placed outside the council's boundary (DPS)",
        share_of(OUTSIDE),
        f"{POPULATION}, the share placed outside the placing council's own area (a placement "
        "whose area is not known counts as not outside).",
    ),
    (
        "dps_over_20_miles",
        "Placed more than 20 miles from home (DPS)",
        share_of(FAR),
        f"{POPULATION}, the share placed more than 20 miles from home (straight line).",
    ),
    (
        "dps_outside_over_20",
        "Placed outside the boundary and more than 20 miles from home (DPS)",
        share_of(OUTSIDE & FAR),
        f"{POPULATION}, the share placed both outside the council's boundary and more than "
        "20 miles from home: the DfE's headline measure.",
    ),
    (
        "dps_distance_unknown",
        "Distance from home unknown (DPS)",
        share_of(UNKNOWN),
        f"{POPULATION}, the share whose distance from home is not known (a postcode not given, "
        "not found, terminated or without a grid reference, or a home not shared).",
    ),
]
for code, label, compute, description in DEFINITIONS:
    register(
        Kpi(
            code=code,
            label=label,
            unit="percent",
            higher_is_better=False,
            scopes=ALL_SCOPES,
            periods=ALL_PERIODS,
            compute=compute,
            family=FAMILY,
            scale=100,
            description=description,
        )
    )
register(
    Kpi(
        code="dps_mean_miles",
        label="Mean distance from home (DPS)",
        unit="miles",
        higher_is_better=None,
        scopes=ALL_SCOPES,
        periods=ALL_PERIODS,
        compute=mean_miles,
        family=FAMILY,
        description=f"{POPULATION} whose distance is known, the mean distance from home in "
        "miles (straight line).",
    )
)

# Every distance KPI through the DPS, in the order the pages show them.
DPS_DISTANCE = [code for code, *_rest in DEFINITIONS] + ["dps_mean_miles"]
