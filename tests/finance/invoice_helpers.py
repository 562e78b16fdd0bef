"""What the invoice tests share: a frozen today, the four-weekly period across the financial
year's end, and a few placements of provider A's with borough A."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from finance.selectors.billing import BillingPeriod
from placements.models import Fee
from tests.factories import scheduled_placement
from tests.placements.helpers import actor_of

LONDON = ZoneInfo("Europe/London")
# Sunday 10 May 2026: the borough bills four-weekly from Monday 1 April 2024 (the default).
TODAY = date(2026, 5, 10)
NOW = datetime.combine(TODAY, time(10), tzinfo=LONDON)
# 26 cycles after the anchor: Monday 30 March to Sunday 26 April 2026, across 31 March.
YEAR_END = BillingPeriod(date(2026, 3, 30), date(2026, 4, 26))
CURRENT = BillingPeriod(date(2026, 4, 27), date(2026, 5, 24))

__all__ = ["CURRENT", "LONDON", "NOW", "TODAY", "YEAR_END", "actor_of", "placement_of"]


def placement_of(world, reference, *, start=date(2026, 1, 5), fee="700", **kwargs):
    """A placement of provider A's with borough A (£700 a week: £100 a day, by default)."""
    kwargs.setdefault("borough", world.borough_a)
    kwargs.setdefault("provider", world.provider_a)
    return scheduled_placement(start=start, weekly_fee=fee, child_reference=reference, **kwargs)


UPLIFT = Fee.Kind.UPLIFT
