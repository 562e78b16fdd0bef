"""What the open data reads: the published notices and the awards made through the DPS without
one, in the order of their releases (date, then which, then id), a page or a process at a time.
A page costs three queries whatever its size: the index, the notices, the placements."""

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Exists, F, OuterRef, Q, Value

from placements.models import Placement

from ..models import Notice

NOTICE = "notice"
AWARD = "award"
PLACEMENT_RELATED = (
    "borough__consortium__arrangement",
    "provider__provider_profile",
    "service",
    "lot",
    "request",
)


def published_notices():
    return Notice.objects.filter(status=Notice.Status.PUBLISHED)


def awards_without_notice():
    """Placements awarded through the DPS (and spot purchases from a provider on it) whose award
    has no published UK6 or UK7 notice: those notices are the award's releases."""
    noticed = Notice.objects.filter(
        placement=OuterRef("pk"),
        status=Notice.Status.PUBLISHED,
        kind__in=[Notice.Kind.UK6, Notice.Kind.UK7],
    )
    return Placement.objects.filter(
        Q(source=Placement.Source.DPS) | Q(source=Placement.Source.SPOT),
        provider__isnull=False,
    ).exclude(Exists(noticed))


def _day_start(day: date):
    return datetime.combine(day, time.min, tzinfo=UTC)


def release_index(
    *, since: date | None = None, until: date | None = None, notices=None, awards=None
):
    """(date, "notice" | "award", id) of every release, in order, between the two days (UTC,
    both included)."""
    notices = published_notices() if notices is None else notices
    awards = awards_without_notice() if awards is None else awards
    if since is not None:
        notices = notices.filter(published_at__gte=_day_start(since))
        awards = awards.filter(awarded_at__gte=_day_start(since))
    if until is not None and until < date.max:
        end = _day_start(until + timedelta(days=1))
        notices = notices.filter(published_at__lt=end)
        awards = awards.filter(awarded_at__lt=end)
    # Each side unordered (the models' default ordering is not allowed in a union).
    notice_rows = (
        notices.order_by()
        .annotate(when=F("published_at"), origin=Value(NOTICE))
        .values_list("when", "origin", "pk")
    )
    award_rows = (
        awards.order_by()
        .annotate(when=F("awarded_at"), origin=Value(AWARD))
        .values_list("when", "origin", "pk")
    )
    return notice_rows.union(award_rows, all=True).order_by("when", "origin", "pk")


def load(rows):
    """The notices and placements of index rows, each with what its release reads, in order."""
    notice_ids = [pk for _, origin, pk in rows if origin == NOTICE]
    award_ids = [pk for _, origin, pk in rows if origin == AWARD]
    notices = Notice.objects.select_related(
        "consortium__arrangement",
        "opening",
        "conditions",
        "request__borough__consortium__arrangement",
        "request__lot",
        *(f"placement__{name}" for name in PLACEMENT_RELATED),
    ).in_bulk(notice_ids)
    placements = Placement.objects.select_related(*PLACEMENT_RELATED).in_bulk(award_ids)
    return [
        (NOTICE, notices[pk]) if origin == NOTICE else (AWARD, placements[pk])
        for _, origin, pk in rows
    ]


def process_index(kind, pk):
    """The index rows of one contracting process (see procurement/ocds/releases.py)."""
    notices = published_notices()
    awards = awards_without_notice()
    if kind == "dps":
        notices = notices.filter(consortium_id=pk, placement__isnull=True, request__isnull=True)
        awards = awards.none()
    elif kind == "request":
        notices = notices.filter(Q(request_id=pk) | Q(placement__request_id=pk))
        awards = awards.filter(request_id=pk)
    else:
        notices = notices.filter(placement_id=pk, placement__request__isnull=True)
        awards = awards.filter(pk=pk, request__isnull=True)
    return release_index(notices=notices, awards=awards)
