"""The arithmetic of the mini-competition, as PRODUCT.md gives it. Pure functions: no database.

- price score = 100 x lowest valid weekly fee / this bid's weekly fee
- quality score = the provider's quality score at the deadline
- needs fit = 100 x the request's need points the bid says it meets / all its need points
- total = the lot's weights (percent) x the scores

Each part is rounded half up to 2 places, and the total is computed from the rounded parts, so
the figures shown add up. Ties break by quality, then by the earlier submission."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from dps.formatting import rounded

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Offer:
    """What scoring needs to know about one valid bid."""

    bid_id: int
    weekly_fee: Decimal
    quality: Decimal
    needs_claimed: frozenset
    submitted_at: datetime


@dataclass(frozen=True)
class Score:
    bid_id: int
    rank: int
    price: Decimal
    quality: Decimal
    needs_fit: Decimal
    total: Decimal
    needs_points_met: int


def needs_fit(needs: Mapping[str, int], claimed: frozenset[str] | set[str]) -> tuple[Decimal, int]:
    """(score, points met): the share of the need points the bid claims to meet. A request
    with no need above 0 is met in full by every bid."""
    total = sum(needs.values())
    met = sum(score for code, score in needs.items() if code in claimed)
    if total == 0:
        return HUNDRED, 0
    return rounded(HUNDRED * met / total), met


def score_bids(
    offers: Sequence[Offer], *, needs: Mapping[str, int], weights: Mapping[str, int | Decimal]
) -> list[Score]:
    """Score and rank valid offers. `weights` is {"quality", "price", "needs_fit"} in percent."""
    if not offers:
        return []
    lowest = min(o.weekly_fee for o in offers)
    scored = []
    for offer in offers:
        price = rounded(HUNDRED * lowest / offer.weekly_fee)
        quality = rounded(offer.quality)
        fit, met = needs_fit(needs, offer.needs_claimed)
        total = rounded(
            (
                Decimal(weights["quality"]) * quality
                + Decimal(weights["price"]) * price
                + Decimal(weights["needs_fit"]) * fit
            )
            / HUNDRED
        )
        scored.append((offer, price, quality, fit, total, met))
    scored.sort(key=lambda s: (-s[4], -s[2], s[0].submitted_at, s[0].bid_id))
    return [
        Score(
            bid_id=offer.bid_id,
            rank=rank,
            price=price,
            quality=quality,
            needs_fit=fit,
            total=total,
            needs_points_met=met,
        )
        for rank, (offer, price, quality, fit, total, met) in enumerate(scored, start=1)
    ]
