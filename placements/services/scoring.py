"""The arithmetic of the mini-competition, as PRODUCT.md gives it. Pure functions: no database.

- price score = 100 x lowest valid weekly fee / this bid's weekly fee
- quality score = the provider's quality score at the deadline
- needs fit = 100 x the request's need points the bid says it meets / all its need points
- proximity = 100 x (1 - miles from the child's home / the limit), and 0 at or beyond the limit;
  the limit is the request's maximum distance, or 50 miles when it has none; a bid whose service's
  distance from the home is not known scores 0
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
    miles: Decimal | None = None  # from the child's home to the service (None: not known)


@dataclass(frozen=True)
class Score:
    bid_id: int
    rank: int
    price: Decimal
    quality: Decimal
    needs_fit: Decimal
    total: Decimal
    needs_points_met: int
    proximity: Decimal = Decimal(0)


def needs_fit(needs: Mapping[str, int], claimed: frozenset[str] | set[str]) -> tuple[Decimal, int]:
    """(score, points met): the share of the need points the bid claims to meet. A request
    with no need above 0 is met in full by every bid."""
    total = sum(needs.values())
    met = sum(score for code, score in needs.items() if code in claimed)
    if total == 0:
        return HUNDRED, 0
    return rounded(HUNDRED * met / total), met


def proximity(miles: Decimal | None, limit: Decimal) -> Decimal:
    """100 at the child's home, falling in proportion to 0 at the limit and beyond it; 0 when
    the distance is not known."""
    if miles is None or limit <= 0:
        return Decimal(0)
    return max(Decimal(0), rounded(HUNDRED * (1 - Decimal(miles) / Decimal(limit))))


def score_bids(
    offers: Sequence[Offer],
    *,
    needs: Mapping[str, int],
    weights: Mapping[str, int | Decimal],
    proximity_limit: Decimal = Decimal(50),
) -> list[Score]:
    """Score and rank valid offers. `weights` is {"quality", "price", "needs_fit", "proximity"}
    in percent (an evaluation from before proximity has none: 0)."""
    if not offers:
        return []
    lowest = min(o.weekly_fee for o in offers)
    scored = []
    for offer in offers:
        price = rounded(HUNDRED * lowest / offer.weekly_fee)
        quality = rounded(offer.quality)
        fit, met = needs_fit(needs, offer.needs_claimed)
        near = proximity(offer.miles, proximity_limit)
        total = rounded(
            (
                Decimal(weights["quality"]) * quality
                + Decimal(weights["price"]) * price
                + Decimal(weights["needs_fit"]) * fit
                + Decimal(weights.get("proximity", 0)) * near
            )
            / HUNDRED
        )
        scored.append((offer, price, quality, fit, near, total, met))
    scored.sort(key=lambda s: (-s[5], -s[2], s[0].submitted_at, s[0].bid_id))
    return [
        Score(
            bid_id=offer.bid_id,
            rank=rank,
            price=price,
            quality=quality,
            needs_fit=fit,
            proximity=near,
            total=total,
            needs_points_met=met,
        )
        for rank, (offer, price, quality, fit, near, total, met) in enumerate(scored, start=1)
    ]
