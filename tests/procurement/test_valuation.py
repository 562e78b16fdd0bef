"""A placement's estimated value against the light-touch threshold (GBP 663,540 with VAT),
worked by hand."""

from datetime import date
from decimal import Decimal

from procurement.selectors.valuation import planned_weeks, valuation

THRESHOLD = 663_540


def test_52_weeks_at_12760_38_is_just_below_the_threshold():
    # 12,760.38 x 52 = 663,539.76
    value = valuation(weekly_fee="12760.38", weeks=52, vat_percent=0, threshold=THRESHOLD)
    assert value.gross == Decimal("663539.76")
    assert not value.above_threshold


def test_52_weeks_at_12760_39_is_just_above_the_threshold():
    # 12,760.39 x 52 = 663,540.28
    value = valuation(weekly_fee="12760.39", weeks=52, vat_percent=0, threshold=THRESHOLD)
    assert value.gross == Decimal("663540.28")
    assert value.above_threshold


def test_a_value_at_the_threshold_is_above_it():
    # 6,635.40 x 100 = 663,540.00: "not less than" the threshold is a public contract.
    value = valuation(weekly_fee="6635.40", weeks=100, vat_percent=0, threshold=THRESHOLD)
    assert value.gross == Decimal("663540.00")
    assert value.above_threshold


def test_vat_is_added_before_the_threshold_is_applied():
    # 10,000 x 60 = 600,000 net; + 20% VAT = 720,000 gross: above.
    value = valuation(weekly_fee="10000", weeks=60, vat_percent=20, threshold=THRESHOLD)
    assert (value.net, value.gross) == (Decimal("600000.00"), Decimal("720000.00"))
    assert value.above_threshold


def test_planned_weeks_count_days_over_seven_and_default_to_52():
    # 6 April 2026 to 5 October 2026 is 182 days: 26 weeks.
    assert planned_weeks(date(2026, 4, 6), date(2026, 10, 5)) == 26
    # 10 days: 10/7 weeks, not rounded.
    assert planned_weeks(date(2026, 4, 6), date(2026, 4, 16)) == Decimal(10) / 7
    assert planned_weeks(date(2026, 4, 6), None) == 52
