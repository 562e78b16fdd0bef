"""The education KPIs (school_attendance, eet_16_plus) against small hand-computed data."""

from decimal import Decimal

import pytest

from placements.models import Placement
from tests.monitoring.kpi_data import Q1, Q2, Q3_2023, YEAR, d, place, review, values

pytestmark = pytest.mark.django_db


@pytest.fixture
def schooling(world):
    # School age (all at provider A, borough A):
    # P1: not attending (10 January), then attending (1 March): latest in Q1 attending.
    p1 = place(world, d("2023-09-01"))
    review(p1, "2023-10-01", status="not_attending")
    review(p1, "2024-01-10", status="not_attending")
    review(p1, "2024-03-01", status="attending")
    # P2: attending (1 February), then not attending (15 March): latest not attending.
    p2 = place(world, d("2024-01-01"))
    review(p2, "2024-02-01", status="attending")
    review(p2, "2024-03-15", status="not_attending")
    # P3: not of school age: in neither measure.
    p3 = place(world, d("2024-01-01"))
    review(p3, "2024-03-20", status="not_applicable")
    # P4: attending (10 February); turned 16 and is EET at its Q2 review (10 April).
    p4 = place(world, d("2024-01-01"))
    review(p4, "2024-02-10", status="attending")
    review(p4, "2024-04-10", status="eet")
    # 16 or more:
    # P5: NEET (5 January), then EET (5 February): latest EET.
    p5 = place(world, d("2023-06-01"))
    review(p5, "2024-01-05", status="neet")
    review(p5, "2024-02-05", status="eet")
    # P6 at provider B: NEET (1 March).
    p6 = place(world, d("2024-01-01"), provider=world.provider_b)
    review(p6, "2024-03-01", status="neet")
    # P7: two reviews on Q1's last day, NEET then EET: the later record (EET) is the latest.
    p7 = place(world, d("2024-01-01"))
    review(p7, "2024-03-31", status="neet")
    review(p7, "2024-03-31", status="eet")
    # An award not yet started: not counted.
    p8 = place(world, d("2024-01-01"), status=Placement.Status.AWARDED)
    review(p8, "2024-02-01", status="not_attending")
    review(p8, "2024-02-01", status="neet")


def test_school_attendance(world, schooling):
    # Q1: attending P1, P4; not attending P2 (P3 not of school age): 2 / 3 = 66.6667%.
    # Q2: the only review (P4) says EET: nobody of school age reviewed: null, not zero.
    # Q3 2023: P1's review of 1 October is in Q4, not Q3: no reviews: null.
    assert values("school_attendance", "borough", [Q3_2023, Q1, Q2], world.borough_a.pk) == [
        None,
        Decimal("66.6667"),
        None,
    ]
    # The year 2023-24: P1's latest is still 1 March: the same 2 / 3.
    assert values("school_attendance", "provider", [YEAR], world.provider_a.pk) == [
        Decimal("66.6667")
    ]
    # Provider B's only review (P6) is about EET: no attendance figure.
    assert (
        values("school_attendance", "provider", [Q1], world.provider_b.pk) == []
    )  # no value, no row


def test_eet_16_plus(world, schooling):
    # Q1 borough A: EET P5, P7; NEET P6: 2 / 3 = 66.6667%. Q2: P4 EET: 1 / 1 = 100%.
    assert values("eet_16_plus", "borough", [Q1, Q2], world.borough_a.pk) == [
        Decimal("66.6667"),
        Decimal("100.0000"),
    ]
    # By provider in Q1: A has P5, P7 (both EET): 100%; B has P6 (NEET): 0%, not null.
    assert values("eet_16_plus", "provider", [Q1], world.provider_a.pk) == [Decimal("100.0000")]
    assert values("eet_16_plus", "provider", [Q1], world.provider_b.pk) == [Decimal("0.0000")]
