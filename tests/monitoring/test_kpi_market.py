"""The market KPIs against small hand-computed data sets."""

from decimal import Decimal

import pytest

from monitoring.kpis import KPIS
from placements.models import Bid, Placement
from tests.factories import LotFactory
from tests.monitoring.kpi_data import (
    Q1,
    Q2,
    Q3_2023,
    TODAY,
    at,
    bid,
    d,
    invite,
    place,
    provider,
    request,
    values,
)

pytestmark = pytest.mark.django_db
DPS, SPOT, SSDA903 = Placement.Source.DPS, Placement.Source.SPOT, Placement.Source.SSDA903
WITHDRAWN, INVALID = Bid.Status.WITHDRAWN, Bid.Status.INVALID


@pytest.fixture
def lot(world):
    return LotFactory(consortium=world.consortium)


@pytest.fixture
def competition(world, lot):
    pa, pb = world.provider_a, world.provider_b
    pc, pd, pe = provider(), provider(), provider()
    # R1 (borough A) closed 10 February. Bids: A and B submitted, C withdrawn, D invalid (not
    #    withdrawn, so it counts as received): 3. Invited: A, B (bid), C (withdrew: no answer),
    #    D (invalid bid: an answer), E (declined): 4 of 5 answered.
    r1 = request(world, lot=lot, closed=at("2024-02-10"))
    bid(r1, pa, "900")
    bid(r1, pb, "1000")
    bid(r1, pc, "800", WITHDRAWN)
    bid(r1, pd, "1200", INVALID)
    for p in (pa, pb, pc, pd):
        invite(r1, p)
    invite(r1, pe, declined=at("2024-02-05"))
    # R2 (borough A) closed at 23:30 on 31 March (London): Q1. No bids; A invited, no answer.
    r2 = request(world, lot=lot, closed=at("2024-03-31", 23).replace(minute=30))
    invite(r2, pa)
    # R3 (borough B) closed 1 March: one bid, from A, invited.
    r3 = request(world, borough=world.borough_b, lot=lot, closed=at("2024-03-01"))
    bid(r3, pa, "1000")
    invite(r3, pa)
    # R4 (borough A) closed at 00:30 on 1 April (London; still 31 March in UTC): Q2. B bid.
    r4 = request(world, lot=lot, closed=at("2024-04-01", 0).replace(minute=30))
    bid(r4, pb, "950")
    invite(r4, pb)
    # R5 (borough A) still open: not counted, whatever it has.
    r5 = request(world, lot=lot, status="open")
    bid(r5, pa, "900")
    invite(r5, pa)
    return pc


def test_bids_per_request(world, lot, competition):
    # Borough A: Q3 2023 no requests closed: null. Q1: R1 3 + R2 0 = 3 bids / 2 = 1.5.
    # Q2: R4 1 / 1.
    assert values("bids_per_request", "borough", [Q3_2023, Q1, Q2], world.borough_a.pk) == [
        None,
        Decimal("1.5000"),
        Decimal("1.0000"),
    ]
    # The consortium and the lot, Q1: (3 + 0 + 1) / 3 = 1.3333.
    assert values("bids_per_request", "consortium", [Q1], world.consortium.pk) == [
        Decimal("1.3333")
    ]
    assert values("bids_per_request", "lot", [Q1], lot.pk) == [Decimal("1.3333")]


def test_response_rate(world, competition):
    # Borough A Q1: R1 4 of 5 + R2 0 of 1 = 4 / 6 = 66.6667%. Q2: R4 1 of 1.
    assert values("response_rate", "borough", [Q1, Q2], world.borough_a.pk) == [
        Decimal("66.6667"),
        Decimal("100.0000"),
    ]
    # The consortium Q1: (4 + 0 + 1) / (5 + 1 + 1) = 5 / 7 = 71.4286%.
    assert values("response_rate", "consortium", [Q1], world.consortium.pk) == [Decimal("71.4286")]
    # Provider A Q1: R1 yes, R2 no, R3 yes: 2 / 3. Q2: invited only to the open R5: null.
    assert values("response_rate", "provider", [Q1, Q2], world.provider_a.pk) == [
        Decimal("66.6667"),
        None,
    ]
    # Provider C withdrew its only bid: 0 of 1 is zero, not null.
    assert values("response_rate", "provider", [Q1], competition.pk) == [Decimal("0.0000")]


def test_days_to_placement(world):
    # D1: published 1 February, agreed start 15 February, actually began 20 February: 19 days.
    r = request(world, published=at("2024-02-01", 10))
    place(world, d("2024-02-15"), source=DPS, request=r, actual_start_date=d("2024-02-20"))
    # D2 (provider B): never published, created 1 March, began 11 March: 10 days.
    r = request(world, created=at("2024-03-01"))
    place(world, d("2024-03-11"), source=DPS, request=r, provider=world.provider_b)
    # D3: published 1 March, agreed start 25 March but began 3 April (Q2): 31 + 2 = 33 days.
    r = request(world, published=at("2024-03-01"))
    place(world, d("2024-03-25"), source=DPS, request=r, actual_start_date=d("2024-04-03"))
    # Not counted: a spot purchase (no request), and an award not yet started.
    place(world, d("2024-02-01"))
    r = request(world, published=at("2024-01-01"))
    place(world, d("2024-03-01"), source=DPS, request=r, status=Placement.Status.AWARDED)
    # Borough A: Q3 2023 null; Q1 (19 + 10) / 2 = 14.5; Q2 33.
    assert values("days_to_placement", "borough", [Q3_2023, Q1, Q2], world.borough_a.pk) == [
        None,
        Decimal("14.5000"),
        Decimal("33.0000"),
    ]
    # By provider, Q1: A 19 (D1), B 10 (D2).
    assert values("days_to_placement", "provider", [Q1], world.provider_a.pk) == [
        Decimal("19.0000")
    ]
    assert values("days_to_placement", "provider", [Q1], world.provider_b.pk) == [
        Decimal("10.0000")
    ]


def test_dps_share(world, lot):
    # Borough A, Q1: through the DPS 3 (one agreed for 20 December but begun 5 January, one on
    # 31 March); spot 1; SSDA903 episodes 2 (not purchases). 3 / 4 = 75%.
    place(world, d("2023-12-20"), source=DPS, lot=lot, actual_start_date=d("2024-01-05"))
    place(world, d("2024-02-01"), source=DPS, lot=lot)
    place(world, d("2024-03-31"), source=DPS, lot=lot)
    place(world, d("2024-02-10"), source=SPOT, lot=lot)
    place(world, d("2024-02-10"), source=SSDA903)
    place(world, d("2024-03-01"), source=SSDA903)
    # Q2: only an SSDA903 episode and an award not yet started: no purchases: null.
    place(world, d("2024-04-05"), source=SSDA903)
    place(world, d("2024-04-05"), source=DPS, status=Placement.Status.AWARDED)
    # Borough B, Q1: one spot purchase: 0%, not null.
    place(world, d("2024-01-15"), source=SPOT, borough=world.borough_b)
    assert values("dps_share", "borough", [Q1, Q2], world.borough_a.pk) == [
        Decimal("75.0000"),
        None,
    ]
    assert values("dps_share", "borough", [Q1], world.borough_b.pk) == [Decimal("0.0000")]
    # The consortium, Q1: 3 / (4 + 1) = 60%; the lot: 3 / 4 = 75%.
    assert values("dps_share", "consortium", [Q1], world.consortium.pk) == [Decimal("60.0000")]
    assert values("dps_share", "lot", [Q1], lot.pk) == [Decimal("75.0000")]


@pytest.fixture
def costs(world):
    # Q1 2024 has 31 + 29 + 31 = 91 days; Q2 up to today (15 June) 30 + 31 + 15 = 76.
    # S1: £700, began 1 December 2023, still open: Q1 91 days, Q2 76.
    place(world, d("2023-12-01"), fee="700")
    # S2: £350, 25 March to 10 April, spanning the quarters: Q1 7 days, Q2 10.
    place(world, d("2024-03-25"), d("2024-04-10"), fee="350")
    # S3 (provider B): £1,400, began and ended on 10 January: 1 day.
    place(world, d("2024-01-10"), d("2024-01-10"), fee="1400", provider=world.provider_b)
    # S4: 1 November to 31 December 2023: not active in Q1 (nor in Q3 2023).
    place(world, d("2023-11-01"), d("2023-12-31"), fee="700")
    # An award not yet started: not counted.
    place(world, d("2024-01-01"), fee="5000", status=Placement.Status.AWARDED)


def test_spend(world, costs):
    # Q3 2023: nothing active: null, not zero.
    # Q1: 700 x 91 / 7 = 9,100 + 350 x 7 / 7 = 350 + 1,400 x 1 / 7 = 200: 9,650.
    # Q2: 700 x 76 / 7 = 7,600 + 350 x 10 / 7 = 500: 8,100.
    assert values("spend", "borough", [Q3_2023, Q1, Q2], world.borough_a.pk) == [
        None,
        Decimal("9650.0000"),
        Decimal("8100.0000"),
    ]
    # Provider B: S3 only: 200 in Q1, nothing active in Q2.
    assert values("spend", "provider", [Q1, Q2], world.provider_b.pk) == [
        Decimal("200.0000"),
        None,
    ]


def test_spend_in_pence_not_whole_pounds(world):
    # £100.50 a week for 27 to 29 February (3 days): 301.50 / 7 = 43.0714.
    place(world, d("2024-02-27"), d("2024-02-29"), fee="100.50", borough=world.borough_b)
    assert values("spend", "borough", [Q1], world.borough_b.pk) == [Decimal("43.0714")]


def test_mean_weekly_cost_is_weighted_by_the_days_each_placement_was_active(world, costs):
    # The spend over the placement-days / 7. Q1: S1 91 days, S2 7, S3 1: 99 days; 9,650 x 7 /
    # 99 = 682.3232 (not the plain mean of the fees, 816.67: S3's one day weighs one day).
    # Q2: S1 76 days, S2 10: 8,100 x 7 / 86 = 659.3023.
    assert values("mean_weekly_cost", "borough", [Q1, Q2], world.borough_a.pk) == [
        Decimal("682.3232"),
        Decimal("659.3023"),
    ]
    assert values("mean_weekly_cost", "provider", [Q1, Q2], world.provider_b.pk) == [
        Decimal("1400.0000"),
        None,
    ]


def test_placements_read_from_a_return_have_no_fee_and_are_no_spend(world, costs):
    # An SSDA903 placement records a fee of 0 (the return holds none): counting its 91 days
    # would make Q1's mean 9,650 x 7 / 190 = 355.53. It is left out of both.
    place(world, d("2024-01-01"), fee="0", source=Placement.Source.SSDA903)
    assert values("mean_weekly_cost", "borough", [Q1], world.borough_a.pk) == [Decimal("682.3232")]
    assert values("spend", "borough", [Q1], world.borough_a.pk) == [Decimal("9650.0000")]


def test_cost_per_need_point(world):
    def placed(start, fee, score, **extra):
        r = request(world, score=score) if score is not None else request(world)
        return place(world, d(start), fee=fee, source=DPS, request=r, **extra)

    placed("2024-02-01", "900", 20)  # provider A
    placed("2024-03-01", "600", 10, provider=world.provider_b)
    placed("2024-02-01", "800", 0)  # scored 0: not a scored request
    placed("2024-02-01", "800", None)  # never evaluated
    place(world, d("2024-02-01"), fee="5000")  # spot: no request
    placed("2024-04-02", "900", 30)  # Q2
    # Borough A: Q3 2023 null; Q1 (900 + 600) / (20 + 10) = 50; Q2 900 / 30 = 30.
    assert values("cost_per_need_point", "borough", [Q3_2023, Q1, Q2], world.borough_a.pk) == [
        None,
        Decimal("50.0000"),
        Decimal("30.0000"),
    ]
    # By provider, Q1: A 900 / 20 = 45; B 600 / 10 = 60.
    assert values("cost_per_need_point", "provider", [Q1], world.provider_a.pk) == [
        Decimal("45.0000")
    ]
    assert values("cost_per_need_point", "provider", [Q1], world.provider_b.pk) == [
        Decimal("60.0000")
    ]


def awarded(world, start, fee, fees, *, weeks=None, planned_end=None, **extra):
    """A DPS placement from a request with bids of `fees` (fee, status) from new providers."""
    r = request(world, duration_weeks=weeks)
    for bid_fee, status in fees:
        bid(r, provider(), bid_fee, status)
    return place(
        world,
        d(start),
        fee=fee,
        source=DPS,
        request=r,
        planned_end_date=d(planned_end) if planned_end else None,
        **extra,
    )


S = Bid.Status.SUBMITTED


def test_cost_avoidance(world):
    # C1: valid bids 800, 900, 1,000 (a withdrawn 500 and an invalid 600 do not count): median
    #     900; awarded £800 for 10 weeks: (900 - 800) x 10 = 1,000.
    awarded(
        world,
        "2024-02-01",
        "800",
        [("800", S), ("900", S), ("1000", S), ("500", WITHDRAWN), ("600", INVALID)],
        weeks=10,
    )
    # C2: bids 1,000, 1,200, 1,400, 1,600: median (1,200 + 1,400) / 2 = 1,300; awarded £1,000;
    #     no expected duration: 1 February to 14 March = 42 days = 6 weeks: 300 x 6 = 1,800.
    awarded(
        world,
        "2024-02-01",
        "1000",
        [("1600", S), ("1000", S), ("1400", S), ("1200", S)],
        planned_end="2024-03-14",
    )
    # C3 (provider B): one bid of 1,000, awarded £1,100 for 4 weeks: -100 x 4 = -400.
    awarded(world, "2024-03-10", "1100", [("1000", S)], weeks=4, provider=world.provider_b)
    # Not counted: no valid bid (all withdrawn); a spot purchase.
    awarded(world, "2024-02-01", "500", [("400", WITHDRAWN)], weeks=10)
    place(world, d("2024-02-01"), fee="100")
    # C4 (Q2): bids 700, 700, 900 (a tie, ranked by id): median 700; £600 for 5 weeks: 500.
    awarded(world, "2024-04-02", "600", [("700", S), ("900", S), ("700", S)], weeks=5)
    # Borough A: Q3 2023 nothing began: null; Q1 1,000 + 1,800 - 400 = 2,400; Q2 500.
    assert values("cost_avoidance", "borough", [Q3_2023, Q1, Q2], world.borough_a.pk) == [
        None,
        Decimal("2400.0000"),
        Decimal("500.0000"),
    ]
    # By provider, Q1: A 2,800; B -400.
    assert values("cost_avoidance", "provider", [Q1], world.provider_a.pk) == [Decimal("2800.0000")]
    assert values("cost_avoidance", "provider", [Q1], world.provider_b.pk) == [Decimal("-400.0000")]


def test_cost_avoidance_planned_weeks_need_not_be_whole(world):
    # No expected duration: 1 February to 17 March = 45 days = 45 / 7 weeks (the documented
    # "(planned end - began) / 7"); median 1,000 - awarded 900 = 100: 100 x 45 / 7 = 642.8571.
    awarded(
        world, "2024-02-01", "900", [("1000", S)], planned_end="2024-03-17", borough=world.borough_b
    )
    assert values("cost_avoidance", "borough", [Q1], world.borough_b.pk) == [Decimal("642.8571")]


def test_scopes_computed_together_match_each_computed_alone(world, lot, competition):
    # A closed request without a lot counts for its borough and consortium, in no lot.
    r = request(world, closed=at("2024-02-20"))
    bid(r, world.provider_a, "700")
    invite(r, world.provider_a)
    awarded(world, "2024-02-01", "800", [("800", S), ("900", S)], weeks=10, lot=lot)
    awarded(world, "2024-03-01", "950", [("1000", S)], weeks=2, provider=world.provider_b)
    listed = [Q3_2023, Q1, Q2]
    for code in ("bids_per_request", "response_rate", "cost_avoidance"):
        kpi = KPIS[code]
        assert len(kpi.together) > 1
        together = kpi.compute(kpi.together, listed, TODAY)
        assert set(together) == set(kpi.together)
        for scope in kpi.together:
            alone = kpi.compute(scope, listed, TODAY)
            assert alone, (code, scope)  # the data reach every scope
            assert sorted(together[scope], key=repr) == sorted(alone, key=repr), (code, scope)
        # The engine's order: every scope once.
        assert [scope for scope, _rows in kpi.computed(listed, TODAY)] == sorted(
            kpi.scopes, key=lambda s: (s not in kpi.together, kpi.scopes.index(s))
        )
