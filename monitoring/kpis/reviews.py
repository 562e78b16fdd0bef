"""KPIs on each placement's latest review in the period (by review date, then the later record).

Asked per placement and per period, "the latest review in the period" is one correlated
subquery per period: for 15 periods and 84,000 placements over a million of them. Here every
review is read once, with the date of the placement's next review (LEAD over the placement's
reviews in order): a review is its placement's latest in the period it is dated in when there
is no next review or the next one is after the period's end. Each review is tagged, for each
period kind, with the period it is the latest of (or null); one query then aggregates the
reviews by consortium, scope id and those tags, and each period adds up the rows tagged with
it. A review is in at most one period of a kind, so it counts at most once in each period.

The window function cannot be aggregated over in the same SELECT, which the ORM would need, so
the query is SQL (the same on PostgreSQL and SQLite) around the placements' ORM query.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import F

from monitoring.models import PlacementReview

from .base import CONSORTIUM, add_to, rows_of
from .stability import PLACEMENT_PATHS


@dataclass(frozen=True)
class Aggregate:
    """An SQL aggregate over the latest reviews `r` (every column of the review, and
    `next_date`, `first_date` and `first_total`: the date of the placement's next review, and
    the date and needs total of its first) of the placements `p` (`_id`, `_c`, `_s` and the
    values asked for)."""

    sql: str
    params: tuple = ()


def count(where, *params):
    return Aggregate(f"COUNT(r.id) FILTER (WHERE {where})", params)


def total(expression, where, *params):
    return Aggregate(f"SUM({expression}) FILTER (WHERE {where})", params)


REVIEWS = """
SELECT *,
    LEAD(review_date) OVER placement_order AS next_date,
    FIRST_VALUE(review_date) OVER placement_order AS first_date,
    FIRST_VALUE(needs_total) OVER placement_order AS first_total
FROM {table}
WINDOW placement_order AS (PARTITION BY placement_id ORDER BY review_date, id)
"""

QUERY = """
SELECT p._c, p._s, {tags}, {numerator}, {denominator}
FROM ({placements}) p LEFT JOIN ({reviews}) r ON r.placement_id = p._id
GROUP BY {group_by}
"""


def by_kind(periods):
    """The periods' indexes, one list per kind: periods of one kind do not overlap."""
    kinds = {}
    for i, period in enumerate(periods):
        kinds.setdefault(period.kind, []).append(i)
    return list(kinds.values())


def latest_tag(periods, indexes):
    """The index of the period (of one kind) the review is dated in and is the latest of; null
    when none."""
    day = connection.ops.adapt_datefield_value
    whens, params = [], []
    for i in indexes:
        whens.append(
            "WHEN r.review_date BETWEEN %s AND %s"
            " AND (r.next_date IS NULL OR r.next_date > %s) THEN %s"
        )
        params += [day(periods[i].start), day(periods[i].end), day(periods[i].end), i]
    return f"CASE {' '.join(whens)} END", params


def on_latest_reviews(placements, scope, periods, numerator, denominator, **values):
    """The rows `grouped` gives for `placements`, with `numerator` and `denominator` (each an
    `Aggregate`) over each placement's latest review in the period; `values` (ORM
    expressions on the placement) are the columns of `p` they use besides. A period with no
    latest review of the group's placements has no row."""
    consortium_path, id_path = PLACEMENT_PATHS[CONSORTIUM], PLACEMENT_PATHS[scope]
    placements_sql, placements_params = (
        placements.filter(**{f"{consortium_path}__isnull": False, f"{id_path}__isnull": False})
        .values(_id=F("pk"), _c=F(consortium_path), _s=F(id_path), **values)
        .order_by()
        .query.sql_with_params()
    )
    tags = [latest_tag(periods, indexes) for indexes in by_kind(periods)]
    sql = QUERY.format(
        tags=", ".join(tag for tag, _ in tags),
        numerator=numerator.sql,
        denominator=denominator.sql,
        placements=placements_sql,
        reviews=REVIEWS.format(table=connection.ops.quote_name(PlacementReview._meta.db_table)),
        group_by=", ".join(str(column) for column in range(1, len(tags) + 3)),
    )
    params = [param for _, tag_params in tags for param in tag_params]
    params += [*numerator.params, *denominator.params, *placements_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _rows(cursor.fetchall())


def _rows(fetched):
    """Each group's periods added up from the rows tagged with them (c, s, tags..., n, d)."""
    sums = {}
    for c, s, *tags, n, d in fetched:
        for i in tags:
            if i is not None:
                add_to(sums, (c, s, i), n, d)
    return rows_of(sums)
