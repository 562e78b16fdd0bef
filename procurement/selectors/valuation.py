"""A placement's (or a competition's) estimated value, and whether it reaches the light-touch
threshold. docs/procurement.md, "Notices", gives the rule and its sources.

The estimated value includes VAT (Procurement Act 2023 s.4 and Sch. 1: thresholds are
VAT-inclusive): weekly fee x planned weeks, plus the arrangement's VAT percentage. A contract
whose value is not less than the threshold is a public contract (above the threshold)."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

# With no planned end, a placement is valued as running a year: the product's choice.
WEEKS_WITHOUT_END = 52
PENNY = Decimal("0.01")


@dataclass(frozen=True)
class Valuation:
    weekly_fee: Decimal
    weeks: Decimal
    net: Decimal  # before VAT
    gross: Decimal  # with VAT: the figure the threshold is applied to
    threshold: Decimal | None  # None: no arrangement sets one

    @property
    def above_threshold(self) -> bool:
        return self.threshold is not None and self.gross >= self.threshold


def planned_weeks(start: date, planned_end: date | None) -> Decimal:
    """Weeks from the start to the planned end (days / 7, not rounded); 52 with no end."""
    if planned_end is None or planned_end < start:
        return Decimal(WEEKS_WITHOUT_END)
    return Decimal((planned_end - start).days) / 7


def valuation(
    *, weekly_fee: Decimal | int | str, weeks: Decimal | int, vat_percent, threshold
) -> Valuation:
    fee = Decimal(str(weekly_fee))
    weeks = Decimal(weeks)
    net = (fee * weeks).quantize(PENNY, ROUND_HALF_UP)
    gross = (net * (1 + Decimal(str(vat_percent)) / 100)).quantize(PENNY, ROUND_HALF_UP)
    return Valuation(fee, weeks, net, gross, None if threshold is None else Decimal(str(threshold)))


def placement_valuation(placement, arrangement) -> Valuation:
    """A placement's estimated value: its weekly fee over its planned duration. Without an
    arrangement (the open data still publishes its awards) no VAT is added and no threshold
    applies."""
    return valuation(
        weekly_fee=placement.weekly_fee,
        weeks=planned_weeks(placement.start_date, placement.planned_end_date),
        vat_percent=arrangement.vat_percent if arrangement else 0,
        threshold=arrangement.light_touch_threshold if arrangement else None,
    )


def request_valuation(request, arrangement) -> Valuation | None:
    """A competition's estimated value: its maximum weekly budget over its expected weeks (52
    if none given). None without a budget: the value is not known (the rules then treat the
    competition as above the threshold, the cautious reading)."""
    if request.max_weekly_budget is None:
        return None
    return valuation(
        weekly_fee=request.max_weekly_budget,
        weeks=request.duration_weeks or WEEKS_WITHOUT_END,
        vat_percent=arrangement.vat_percent,
        threshold=arrangement.light_touch_threshold,
    )
