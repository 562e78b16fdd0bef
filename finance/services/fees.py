"""A dated change of a placement's weekly fee: the one write every change goes through (a
placement officer's, over monitoring's pages and API; an agreed uplift's)."""

from datetime import date
from decimal import Decimal

from placements.models import Fee, Placement
from placements.selectors.schedule import schedule_of
from placements.services.fees import fees_settle
from procurement.services.notices import notice_change_owe


def fee_change_apply(
    *,
    placement: Placement,
    effective_date: date,
    weekly_fee: Decimal,
    kind: str,
    reason: str,
    recorded_by=None,
) -> tuple[Fee, Decimal]:
    """Add a fee row from `effective_date` (validated by the caller, who holds the placement's
    row lock); returns it and the fee it replaces from that day. Every row's span and the
    placement's fee today follow; a rise owes its contract change notice."""
    previous = schedule_of(placement).fee_on(effective_date) or placement.weekly_fee
    row = Fee.objects.create(
        placement=placement,
        kind=kind,
        effective_date=effective_date,
        weekly_fee=weekly_fee,
        reason=reason,
        recorded_by=recorded_by,
    )
    fees_settle(placement)
    # A rise on a placement above the light-touch threshold owes a contract change notice.
    notice_change_owe(
        placement=placement,
        previous_weekly_fee=previous,
        new_weekly_fee=weekly_fee,
        effective_date=effective_date,
    )
    return row, previous
