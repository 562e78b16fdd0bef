"""The outcomes KPI (needs_change) against a small hand-computed data set."""

from decimal import Decimal

import pytest

from placements.models import Placement
from tests.monitoring.kpi_data import Q1, Q2, Q3_2023, YEAR, d, place, request, review, values

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(world):
    # P1 came through the DPS: its request's evaluation scored the needs 20 at the start.
    #    Reviews in Q1: 18 (1 February), then 15 (10 March): Q1's latest is 15: 15 - 20 = -5.
    p1 = place(
        world, d("2023-12-01"), source=Placement.Source.DPS, request=request(world, score=20)
    )
    review(p1, "2024-02-01", total=18)
    review(p1, "2024-03-10", total=15)
    # P2, a spot purchase: no request, so the start is its first review (10 on 15 January).
    #    Q1's latest is 12 (20 March): 12 - 10 = +2. In Q2 (1 May) 9: 9 - 10 = -1.
    p2 = place(world, d("2024-01-01"))
    review(p2, "2024-01-15", total=10)
    review(p2, "2024-03-20", total=12)
    review(p2, "2024-05-01", total=9)
    # P3 at provider B: its only review is its first, the start itself: no change to count.
    p3 = place(world, d("2024-01-01"), provider=world.provider_b)
    review(p3, "2024-02-15", total=8)
    # An award not yet started does not count, whatever its reviews say.
    p4 = place(world, d("2024-01-01"), status=Placement.Status.AWARDED)
    review(p4, "2024-01-05", total=1)
    review(p4, "2024-03-05", total=30)
    return p1, p2, p3


def test_needs_change_by_borough(world, reviewed):
    # Q3 2023: no reviews: null, not zero. Q1: (-5 + 2) / 2 = -1.5. Q2: P2 only, -1.
    assert values("needs_change", "borough", [Q3_2023, Q1, Q2], world.borough_a.pk) == [
        None,
        Decimal("-1.5000"),
        Decimal("-1.0000"),
    ]
    # The year 2023-24 (to 31 March): the same latest reviews as Q1: -1.5.
    assert values("needs_change", "borough", [YEAR], world.borough_a.pk) == [Decimal("-1.5000")]


def test_needs_change_by_provider_and_consortium(world, reviewed):
    # Provider A has P1 and P2: -1.5 in Q1. Provider B has only P3, with nothing counted:
    # one-sided data (a start but no later review) gives no value.
    assert values("needs_change", "provider", [Q1], world.provider_a.pk) == [Decimal("-1.5000")]
    assert values("needs_change", "provider", [Q1], world.provider_b.pk) == []
    assert values("needs_change", "consortium", [Q1], world.consortium.pk) == [Decimal("-1.5000")]


def test_needs_change_against_the_first_review_across_periods(world):
    # The first review (14 in December 2023) is in an earlier period; the latest of Q1 (11 on
    # 31 March, the quarter's last day) counts against it: 11 - 14 = -3. A review on 1 April
    # belongs to Q2: 16 - 14 = +2.
    p = place(world, d("2023-11-01"))
    review(p, "2023-12-20", total=14)
    review(p, "2024-03-31", total=11)
    review(p, "2024-04-01", total=16)
    assert values("needs_change", "borough", [Q1, Q2], world.borough_a.pk) == [
        Decimal("-3.0000"),
        Decimal("2.0000"),
    ]


def test_needs_change_the_same_day_twice_takes_the_later_record(world):
    # Two reviews on the same day: the later one recorded (higher id) is the latest: 6 - 10 = -4.
    p = place(world, d("2024-01-01"), source=Placement.Source.DPS, request=request(world, score=10))
    review(p, "2024-02-01", total=9)
    review(p, "2024-02-01", total=6)
    assert values("needs_change", "borough", [Q1], world.borough_a.pk) == [Decimal("-4.0000")]
