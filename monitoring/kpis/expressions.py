"""Database expressions shared by the KPI families, working on SQLite and PostgreSQL alike."""

from django.db.models import (
    DateField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce

from dps.expressions import DaysBetween, day


def began():
    """When a placement began: its actual start, else its agreed start date."""
    return Coalesce(F("actual_start_date"), F("start_date"), output_field=DateField())


def active_during(start, end, *, prefix=""):
    """A placement (under `prefix`) that had begun by `end` and had not ended before `start`.
    One an SSDA903 return left open runs only to its `known_until` (that return's year end)."""
    still_open = Q(**{f"{prefix}end_date__isnull": True}) & (
        Q(**{f"{prefix}known_until__isnull": True}) | Q(**{f"{prefix}known_until__gte": start})
    )
    return Q(**{f"{prefix}began__lte": end}) & (still_open | Q(**{f"{prefix}end_date__gte": start}))


def count_of(queryset):
    """A correlated COUNT(*) of `queryset` as a scalar subquery (0 when it has no rows)."""
    counted = queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


__all__ = ["DaysBetween", "OuterRef", "active_during", "began", "count_of", "day"]
