"""Outcomes: the mean change in a placement's total needs score between its start and its
latest review."""

from django.db.models import Count, DateField, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from monitoring.models import PlacementReview

from . import ALL_SCOPES, Kpi, grouped, register
from .stability import PLACEMENT_PATHS, placements


def reviews():
    return PlacementReview.objects.filter(placement=OuterRef("pk"))


def latest_review_in(period, field, output_field):
    """The field of the placement's latest review dated in the period (null: none)."""
    latest = reviews().filter(review_date__gte=period.start, review_date__lte=period.end)
    return Subquery(
        latest.order_by("-review_date", "-id").values(field)[:1], output_field=output_field
    )


def needs_change(scope, periods, today):
    first = reviews().order_by("review_date", "id")
    queryset = placements().alias(
        # At the start: the needs score of the request the placement was awarded on; without
        # one (a spot purchase, an SSDA903 episode), the placement's first review.
        from_request=F("request__evaluation__total_need_score"),
        first_total=Subquery(first.values("needs_total")[:1], output_field=IntegerField()),
        first_date=Subquery(first.values("review_date")[:1], output_field=DateField()),
    )
    for i, period in enumerate(periods):
        queryset = queryset.alias(
            **{
                f"latest{i}": latest_review_in(period, "needs_total", IntegerField()),
                f"latest_date{i}": latest_review_in(period, "review_date", DateField()),
            }
        )

    def counted(p):
        i = periods.index(p)
        # Against the request's score any review in the period counts; against the first
        # review, only a later one.
        return Q(**{f"latest{i}__isnull": False}) & (
            Q(from_request__isnull=False) | Q(**{f"latest_date{i}__gt": F("first_date")})
        )

    def change(p):
        baseline = Coalesce("from_request", "first_total", output_field=IntegerField())
        return Sum(F(f"latest{periods.index(p)}") - baseline, filter=counted(p))

    return grouped(
        queryset, PLACEMENT_PATHS, scope, periods, change, lambda p: Count("pk", filter=counted(p))
    )


register(
    Kpi(
        code="needs_change",
        label="Mean change in needs score",
        unit="points",
        higher_is_better=False,
        scopes=ALL_SCOPES,
        periods=("quarter", "year"),
        compute=needs_change,
        family="Outcomes",
        description="For the placements reviewed in the period: the latest review's total "
        "needs score minus the score at the start, averaged. Negative: needs have fallen.",
    )
)
