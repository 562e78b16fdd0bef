"""The daily task that brings a fee change dated ahead into force on its day."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from placements.tasks import fees_roll_daily
from tests.factories import scheduled_placement

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def test_a_change_dated_ahead_becomes_the_placements_fee_on_its_day_once(world):
    with time_machine.travel(datetime(2024, 6, 15, 9, tzinfo=LONDON), tick=False):
        placement = scheduled_placement(
            borough=world.borough_a,
            provider=world.provider_a,
            start=date(2024, 6, 1),
            weekly_fee="700",
            changes=[(date(2024, 6, 20), "1400")],
        )
        assert placement.weekly_fee == Decimal("700.00")
        assert fees_roll_daily() == 0  # not yet its day
    # Five minutes past midnight on its day, as the beat runs it; a second run changes nothing.
    with time_machine.travel(datetime(2024, 6, 20, 0, 5, tzinfo=LONDON), tick=False):
        assert fees_roll_daily() == 1
        assert fees_roll_daily() == 0
    placement.refresh_from_db()
    assert placement.weekly_fee == Decimal("1400.00")


def test_the_fee_roll_runs_daily_from_the_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["fees-roll"]
    assert entry["task"] == fees_roll_daily.name == "placements.tasks.fees_roll_daily"
    assert entry["schedule"].hour == {0}
