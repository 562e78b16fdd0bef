"""A placement's fee rows: the agreed fee opened at award, and the upkeep every change needs
(each row's last day, and the placement's fee today). Changes are recorded through
finance.services.fees, which calls `fees_settle`."""

from datetime import date, timedelta

from django.db.models import F, Q
from django.utils import timezone

from ..models import Fee, Placement


def fee_agreed(*, placement: Placement, recorded_by=None, reason: str = "") -> Fee:
    """The placement's first fee row: its weekly fee as agreed, from its start. Called in the
    transaction that creates the placement."""
    return Fee.objects.create(
        placement=placement,
        kind=Fee.Kind.AGREED,
        effective_date=placement.start_date,
        weekly_fee=placement.weekly_fee,
        reason=reason,
        recorded_by=recorded_by,
    )


def in_order(rows: list[Fee]) -> list[Fee]:
    """Rows in the order they follow each other: the agreed row first whatever its date, then
    by effective date, then by when recorded (id)."""
    return sorted(rows, key=lambda r: (r.kind != Fee.Kind.AGREED, r.effective_date, r.pk or 0))


def with_ends(ordered: list[Fee]) -> list[Fee]:
    """Each row's last day set: the day before the next row's effective date (None: the last
    row). Rows given in order (`in_order`)."""
    for row, following in zip(ordered, [*ordered[1:], None], strict=True):
        row.ends = None if following is None else following.effective_date - timedelta(days=1)
    return ordered


def fee_today(ordered: list[Fee], today: date) -> Fee:
    """The row in force today: the latest in effect by today, else the agreed one. Rows given
    in order (`in_order`)."""
    current = ordered[0]
    for row in ordered[1:]:
        if row.effective_date <= today:
            current = row
    return current


def fees_settle(placement: Placement, today: date | None = None) -> None:
    """After a change: every row's last day, and the placement's `weekly_fee` the fee in force
    today (a change dated ahead takes over on its day: `fees_roll`). The caller holds the
    placement's row lock."""
    rows = in_order(list(Fee.objects.filter(placement=placement)))
    if not rows:
        return
    stored = {row.pk: row.ends for row in rows}
    for row in with_ends(rows):
        if row.ends != stored[row.pk]:
            Fee.objects.filter(pk=row.pk).update(ends=row.ends)
    current = fee_today(rows, today or timezone.localdate()).weekly_fee
    if placement.weekly_fee != current:
        placement.weekly_fee = current
        Placement.objects.filter(pk=placement.pk).update(weekly_fee=current)


def fees_roll(today: date | None = None) -> int:
    """Each placement's fee today, where a change dated ahead has come into force (the daily
    task): one query finds them. Returns how many placements changed."""
    today = today or timezone.localdate()
    due = (
        Fee.objects.filter(effective_date__lte=today)
        .exclude(kind=Fee.Kind.AGREED)
        .filter(Q(ends__isnull=True) | Q(ends__gte=today))
        .exclude(weekly_fee=F("placement__weekly_fee"))
        .values_list("placement_id", "weekly_fee")
    )
    changed = 0
    for placement_id, fee in due:
        changed += Placement.objects.filter(pk=placement_id).update(weekly_fee=fee)
    return changed


def bulk_fee_rows(placement: Placement, agreed_fee, changes: list[dict]) -> list[Fee]:
    """Unsaved fee rows for a placement made in bulk (the demo): the agreed fee and each
    change ({kind, effective_date, weekly_fee, reason}), each row's last day set as
    `fees_settle` sets it."""
    ordered = sorted(changes, key=lambda c: c["effective_date"])
    agreed = Fee(
        placement=placement,
        kind=Fee.Kind.AGREED,
        effective_date=placement.start_date,
        weekly_fee=agreed_fee,
    )
    return with_ends([agreed, *(Fee(placement=placement, **change) for change in ordered)])
