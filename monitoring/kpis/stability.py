"""Placement stability: unplanned endings within 12 months and mean duration, of every
placement the product knows (through the DPS, spot purchased or read from an SSDA903 return).
The DfE's own stability measures of children looked after are in dfe.py."""

from django.db.models import Count, Q, Sum

from placements.models import Placement

from .base import ALL_PERIODS, ALL_SCOPES, Kpi, bucketed, register
from .expressions import DaysBetween, began

HAPPENED = (Placement.Status.STARTED, Placement.Status.ENDED)
PLACEMENT_PATHS = {
    "consortium": "borough__consortium",
    "borough": "borough",
    "provider": "provider",
    "service": "service",
    "lot": "lot",
}


def placements():
    """Placements that began (not those awarded and not yet started)."""
    return Placement.objects.filter(status__in=HAPPENED).alias(
        began=began(), lasted=DaysBetween("end_date", began())
    )


def unplanned_endings(scope, periods, today):
    return bucketed(
        placements(),
        PLACEMENT_PATHS,
        scope,
        periods,
        "end_date",
        Count("pk", filter=Q(end_planned=False, lasted__lt=365)),
        Count("pk"),
    )


def mean_duration(scope, periods, today):
    return bucketed(
        placements(), PLACEMENT_PATHS, scope, periods, "end_date", Sum("lasted"), Count("pk")
    )


STABILITY = "Placement stability"
register(
    Kpi(
        code="unplanned_endings_12m",
        label="Placements ending unplanned within 12 months",
        unit="percent",
        higher_is_better=False,
        scopes=ALL_SCOPES,
        periods=ALL_PERIODS,
        compute=unplanned_endings,
        family=STABILITY,
        scale=100,
        description="Of the placements that ended in the period, the share that ended unplanned "
        "less than 365 days after they began.",
    )
)
register(
    Kpi(
        code="mean_duration_days",
        label="Mean duration of placements ended",
        unit="days",
        higher_is_better=True,
        scopes=ALL_SCOPES,
        periods=ALL_PERIODS,
        compute=mean_duration,
        family=STABILITY,
        description="The mean number of days from start to end of the placements that ended "
        "in the period.",
    )
)
