"""Billing periods: a borough pays weekly or four-weekly, in periods a whole number of cycles
from its anchor day (a four-weekly period may cross a month's or a financial year's end).
Without settings of its own, a borough bills four-weekly from Monday 1 April 2024."""

from dataclasses import dataclass
from datetime import date, timedelta

from dps.models import Organisation
from providers.models import Lot

from ..models import BillingSettings, CostCode
from ..models.billing import DEFAULT_ANCHOR

CYCLE_DAYS = {BillingSettings.Cycle.WEEKLY: 7, BillingSettings.Cycle.FOUR_WEEKLY: 28}


@dataclass(frozen=True)
class BillingPeriod:
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        """ "2 Mar to 29 Mar 2026": how every page, CSV and the API names a period."""
        if self.start.year == self.end.year:
            return f"{self.start:%-d %b} to {self.end:%-d %b %Y}"
        return f"{self.start:%-d %b %Y} to {self.end:%-d %b %Y}"


def billing_settings(borough: Organisation | int) -> BillingSettings:
    """The borough's settings, or the defaults (unsaved) if it has set none."""
    borough_id: int = borough.pk if isinstance(borough, Organisation) else borough
    found = BillingSettings.objects.filter(borough_id=borough_id).first()
    return found or BillingSettings(borough_id=borough_id)


def period_containing(settings: BillingSettings, day: date) -> BillingPeriod:
    length = CYCLE_DAYS[BillingSettings.Cycle(settings.cycle)]
    anchor = settings.anchor or DEFAULT_ANCHOR
    start = anchor + timedelta(days=(day - anchor).days // length * length)
    return BillingPeriod(start, start + timedelta(days=length - 1))


def period_starting(settings: BillingSettings, start: date) -> BillingPeriod | None:
    """The period that starts on `start`, or None if no period of the borough's does."""
    period = period_containing(settings, start)
    return period if period.start == start else None


def periods_between(settings: BillingSettings, first: date, last: date) -> list[BillingPeriod]:
    """The periods that hold any day from `first` to `last`, in order."""
    periods = []
    period = period_containing(settings, first)
    while period.start <= last:
        periods.append(period)
        period = period_containing(settings, period.end + timedelta(days=1))
    return periods


def recent_periods(settings: BillingSettings, today: date, count: int = 13) -> list[BillingPeriod]:
    """The current period and those before it, latest first (what a provider invoices)."""
    periods = [period_containing(settings, today)]
    while len(periods) < count:
        periods.append(period_containing(settings, periods[-1].start - timedelta(days=1)))
    return periods


def cost_code(borough_id: int, lot: Lot | int | None, codes: dict | None = None) -> str:
    """The code the borough books a lot's placements to: the lot's own, else its default.
    `codes` ({lot id: code}, with None for the default) saves a query per line in an export."""
    if codes is None:
        codes = cost_codes(borough_id)
    lot_id = getattr(lot, "pk", lot)
    return codes.get(lot_id) or codes.get(None) or ""


def cost_codes(borough_id: int) -> dict:
    """{lot id: code, None: the default code} for a borough."""
    codes: dict = dict(CostCode.objects.filter(borough_id=borough_id).values_list("lot_id", "code"))
    codes[None] = billing_settings(borough_id).default_cost_code
    return codes
