"""Outcomes: the mean change in a placement's total needs score between its start and its
latest review."""

from django.db.models import F

from .base import ALL_SCOPES, Kpi, register
from .reviews import count, on_latest_reviews, total
from .stability import placements

# At the start: the needs score of the request the placement was awarded on (`p.from_request`);
# without one (a spot purchase, an SSDA903 episode), the placement's first review. Against the
# request's score any review in the period counts; against the first review, only a later one.
COUNTED = "p.from_request IS NOT NULL OR r.review_date > r.first_date"
CHANGE = "r.needs_total - COALESCE(p.from_request, r.first_total)"


def needs_change(scope, periods, today):
    """Over each placement's latest review in the period (`on_latest_reviews`)."""
    return on_latest_reviews(
        placements(),
        scope,
        periods,
        total(CHANGE, COUNTED),
        count(COUNTED),
        from_request=F("request__evaluation__total_need_score"),
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
