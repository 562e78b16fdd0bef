"""The scoring arithmetic against cases worked by hand (the working is in the comments), and the
evaluation closing stores: the lot's weights, its inputs, and the quality score in force at the
deadline (never one computed after it)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from placements.models import Bid
from placements.services import closing
from placements.services.scoring import Offer, needs_fit, score_bids
from providers.models import QualityScore
from providers.needs import INDICATOR_CODES
from tests.factories import ConsortiumFactory
from tests.placements import helpers

D = Decimal
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEFAULT = {"quality": 60, "price": 30, "needs_fit": 10}
# The standard child: emotional_health 3, education_progress 2, the other ten needs 1: 15 points.
NEEDS = dict(helpers.NEEDS)
ALL = frozenset(INDICATOR_CODES)
TWO = frozenset({"emotional_health", "education_progress"})  # 3 + 2 = 5 points of 15


def offer(bid_id, fee, quality, claimed=ALL, minutes=0):
    return Offer(
        bid_id=bid_id,
        weekly_fee=D(fee),
        quality=D(quality),
        needs_claimed=frozenset(claimed),
        submitted_at=T0 + timedelta(minutes=minutes),
    )


def by_id(scores):
    return {s.bid_id: s for s in scores}


def parts(score):
    return (score.rank, score.price, score.quality, score.needs_fit, score.total)


# ---------------------------------------------------------------------------------------------
# Pure arithmetic


def test_the_worked_example_with_the_default_weights():
    scores = by_id(
        score_bids(
            [offer(1, "3000", "80", ALL), offer(2, "2500", "60", TWO)],
            needs=NEEDS,
            weights=DEFAULT,
        )
    )
    # Bid 1: price = 100 x 2500 / 3000 = 83.333.. -> 83.33; needs fit 15/15 = 100.00
    #        total = (60 x 80 + 30 x 83.33 + 10 x 100) / 100 = (4800 + 2499.9 + 1000) / 100
    #              = 82.999 -> 83.00
    assert parts(scores[1]) == (1, D("83.33"), D("80.00"), D("100.00"), D("83.00"))
    assert scores[1].needs_points_met == 15
    # Bid 2: price = 100 x 2500 / 2500 = 100.00; needs fit = 100 x 5 / 15 = 33.333.. -> 33.33
    #        total = (60 x 60 + 30 x 100 + 10 x 33.33) / 100 = (3600 + 3000 + 333.3) / 100
    #              = 69.333 -> 69.33
    assert parts(scores[2]) == (2, D("100.00"), D("60.00"), D("33.33"), D("69.33"))
    assert scores[2].needs_points_met == 5


def test_the_same_bids_under_price_heavy_weights_rank_the_other_way():
    weights = {"quality": 20, "price": 70, "needs_fit": 10}
    scores = by_id(
        score_bids(
            [offer(1, "3000", "80", ALL), offer(2, "2500", "60", TWO)],
            needs=NEEDS,
            weights=weights,
        )
    )
    # Bid 1: (20 x 80 + 70 x 83.33 + 10 x 100) / 100 = (1600 + 5833.1 + 1000) / 100 = 84.331
    #        -> 84.33
    # Bid 2: (20 x 60 + 70 x 100 + 10 x 33.33) / 100 = (1200 + 7000 + 333.3) / 100 = 85.333
    #        -> 85.33, so bid 2 now ranks first.
    assert parts(scores[2]) == (1, D("100.00"), D("60.00"), D("33.33"), D("85.33"))
    assert parts(scores[1]) == (2, D("83.33"), D("80.00"), D("100.00"), D("84.33"))


def test_three_bids_with_weights_40_40_20():
    weights = {"quality": 40, "price": 40, "needs_fit": 20}
    needs = {"emotional_health": 3, "education_progress": 2, "identity": 1, "self_care": 0}
    scores = by_id(
        score_bids(
            [
                offer(1, "2000", "90", {"emotional_health", "identity"}),
                offer(2, "1600", "70", {"education_progress", "self_care"}),
                offer(3, "4000", "95", {"emotional_health", "education_progress", "identity"}),
            ],
            needs=needs,
            weights=weights,
        )
    )
    # Need points: 3 + 2 + 1 + 0 = 6. Lowest fee 1600.
    # Bid 1: price 100 x 1600 / 2000 = 80.00; fit 100 x (3 + 1) / 6 = 66.666.. -> 66.67
    #        total (40 x 90 + 40 x 80 + 20 x 66.67) / 100 = (3600 + 3200 + 1333.4) / 100
    #              = 81.334 -> 81.33
    # Bid 2: price 100.00; fit 100 x 2 / 6 = 33.333.. -> 33.33 (self care scores 0: no points)
    #        total (40 x 70 + 40 x 100 + 20 x 33.33) / 100 = (2800 + 4000 + 666.6) / 100
    #              = 74.666 -> 74.67
    # Bid 3: price 100 x 1600 / 4000 = 40.00; fit 6 / 6 = 100.00
    #        total (40 x 95 + 40 x 40 + 20 x 100) / 100 = (3800 + 1600 + 2000) / 100 = 74.00
    assert parts(scores[1]) == (1, D("80.00"), D("90.00"), D("66.67"), D("81.33"))
    assert parts(scores[2]) == (2, D("100.00"), D("70.00"), D("33.33"), D("74.67"))
    assert parts(scores[3]) == (3, D("40.00"), D("95.00"), D("100.00"), D("74.00"))
    assert [scores[i].needs_points_met for i in (1, 2, 3)] == [4, 2, 6]


def test_the_price_score_rounds_half_up():
    scores = by_id(
        score_bids(
            [offer(1, "1250.10", "80"), offer(2, "2000", "80")], needs=NEEDS, weights=DEFAULT
        )
    )
    # Bid 2: 100 x 1250.10 / 2000 = 62.505 exactly -> 62.51 (half-even would give 62.50)
    assert scores[2].price == D("62.51")
    assert scores[1].price == D("100.00")


def test_the_needs_fit_rounds_half_up():
    # 9 needs at 3, 2 at 2, 1 at 1: 27 + 4 + 1 = 32 points.
    codes = INDICATOR_CODES
    needs = dict.fromkeys(codes[:9], 3) | dict.fromkeys(codes[9:11], 2) | {codes[11]: 1}
    assert sum(needs.values()) == 32
    # Claiming the 1-point need only: 100 x 1 / 32 = 3.125 exactly -> 3.13 (half-even: 3.12)
    assert needs_fit(needs, {codes[11]}) == (D("3.13"), 1)
    # A 3 and a 2: 100 x 5 / 32 = 15.625 -> 15.63 (half-even: 15.62)
    assert needs_fit(needs, {codes[0], codes[9]}) == (D("15.63"), 5)
    # Everything: 32 / 32
    assert needs_fit(needs, set(codes)) == (D("100.00"), 32)
    # A claim of a need not in the request counts for nothing.
    assert needs_fit({"identity": 2}, {"self_care"}) == (D("0.00"), 0)


def test_the_quality_score_rounds_half_up():
    scores = score_bids([offer(1, "1000", "72.345")], needs=NEEDS, weights=DEFAULT)
    # 72.345 -> 72.35 (half-even: 72.34)
    assert scores[0].quality == D("72.35")


def test_the_total_rounds_half_up():
    scores = by_id(
        score_bids([offer(1, "1251", "80"), offer(2, "2000", "80")], needs=NEEDS, weights=DEFAULT)
    )
    # Bid 2: price 100 x 1251 / 2000 = 62.55
    #        total (60 x 80 + 30 x 62.55 + 10 x 100) / 100 = 48 + 18.765 + 10 = 76.765
    #        -> 76.77 (half-even: 76.76)
    assert scores[2].price == D("62.55")
    assert scores[2].total == D("76.77")


def test_the_total_is_computed_from_the_rounded_parts():
    weights = {"quality": 50, "price": 50, "needs_fit": 0}
    scores = by_id(
        score_bids(
            [offer(1, "1250.10", "80"), offer(2, "2000", "80")], needs=NEEDS, weights=weights
        )
    )
    # Bid 2: price 62.505 -> 62.51. From the rounded part: (50 x 80 + 50 x 62.51) / 100
    #        = 71.255 -> 71.26. (From the unrounded price it would be 71.2525 -> 71.25.)
    assert scores[2].price == D("62.51")
    assert scores[2].total == D("71.26")


def test_a_request_with_no_need_above_0_is_met_in_full_by_every_bid():
    needs = dict.fromkeys(INDICATOR_CODES, 0)
    scores = score_bids([offer(1, "1000", "80", claimed=())], needs=needs, weights=DEFAULT)
    assert scores[0].needs_fit == D("100.00")
    assert scores[0].needs_points_met == 0
    # 60 x 80 + 30 x 100 + 10 x 100 = 8800 / 100 = 88.00
    assert scores[0].total == D("88.00")


def test_a_tie_on_total_goes_to_the_higher_quality_even_if_submitted_later():
    scores = by_id(
        score_bids(
            [
                # Earlier, and a lower id, but lower quality.
                offer(1, "1000", "70", minutes=0),
                offer(2, "1250", "80", minutes=30),
            ],
            needs=NEEDS,
            weights=DEFAULT,
        )
    )
    # Bid 1: price 100; total 60 x 70 + 30 x 100 + 10 x 100 = 4200 + 3000 + 1000 -> 82.00
    # Bid 2: price 100 x 1000 / 1250 = 80; total 4800 + 2400 + 1000 -> 82.00
    assert scores[1].total == scores[2].total == D("82.00")
    assert (scores[2].rank, scores[1].rank) == (1, 2)


def test_a_tie_on_total_and_quality_goes_to_the_earlier_submission():
    scores = by_id(
        score_bids(
            [
                offer(1, "1500", "75", minutes=20),  # lowest id, but submitted last
                offer(2, "1500", "75", minutes=10),
                offer(3, "1500", "75", minutes=0),
            ],
            needs=NEEDS,
            weights=DEFAULT,
        )
    )
    assert len({s.total for s in scores.values()}) == 1
    assert [scores[i].rank for i in (3, 2, 1)] == [1, 2, 3]


def test_quality_breaks_a_tie_before_submission_time_among_three():
    scores = by_id(
        score_bids(
            [
                offer(1, "1000", "70", minutes=0),  # total 82.00, quality 70
                offer(2, "1250", "80", minutes=20),  # total 82.00, quality 80
                offer(3, "1250", "80", minutes=10),  # total 82.00, quality 80, earlier than 2
            ],
            needs=NEEDS,
            weights=DEFAULT,
        )
    )
    assert [scores[i].rank for i in (3, 2, 1)] == [1, 2, 3]


def test_no_offer_no_score():
    assert score_bids([], needs=NEEDS, weights=DEFAULT) == []


# ---------------------------------------------------------------------------------------------
# The evaluation at closing


def score_for(provider, consortium, total, at):
    score = QualityScore.objects.create(
        provider=provider,
        consortium=consortium,
        total=D(total),
        inspection=D(total),
        outcomes=D(total),
        compliance=D(total),
        responsiveness=D(total),
        weights={},
        inputs={},
        trigger="test",
    )
    QualityScore.objects.filter(pk=score.pk).update(computed_at=at)
    score.refresh_from_db()
    return score


def two_bids(world, lot, services):
    """A's bid at 3000 meeting every need; B's at 2500 meeting only the 3 and the 2."""
    placement_request = helpers.published(world, lot)
    a = helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    b = helpers.bid(
        placement_request,
        world.bidder_b,
        services["b"],
        "2500",
        needs_met={"emotional_health": "A therapist on site.", "education_progress": "Tutor."},
    )
    return placement_request, a, b


def test_closing_scores_each_bid_and_stores_the_evaluation_with_its_inputs(world):
    lot, services = helpers.market(world)  # quality: A 80, B 60
    placement_request, a, b = two_bids(world, lot, services)
    snapshots = {s.provider_id: s for s in QualityScore.objects.all()}

    helpers.close(placement_request)

    a.refresh_from_db()
    b.refresh_from_db()
    # As in test_the_worked_example_with_the_default_weights.
    assert (a.rank, a.price_score, a.quality_score, a.needs_fit_score, a.total_score) == (
        1,
        D("83.33"),
        D("80.00"),
        D("100.00"),
        D("83.00"),
    )
    assert (b.rank, b.price_score, b.quality_score, b.needs_fit_score, b.total_score) == (
        2,
        D("100.00"),
        D("60.00"),
        D("33.33"),
        D("69.33"),
    )
    assert a.quality_snapshot == snapshots[world.provider_a.pk]
    assert b.quality_snapshot == snapshots[world.provider_b.pk]
    evaluation = placement_request.evaluation
    assert evaluation.weights == DEFAULT | {"proximity": 0}
    assert evaluation.lowest_fee == D("2500.00")
    assert evaluation.total_need_score == 15
    assert (evaluation.valid_bids, evaluation.invalid_bids) == (2, 0)
    assert evaluation.inputs[str(a.pk)] == {
        "weekly_fee": "3000.00",
        "quality_score_id": snapshots[world.provider_a.pk].pk,
        "quality_computed_at": snapshots[world.provider_a.pk].computed_at.isoformat(),
        "needs_claimed": sorted(INDICATOR_CODES),
        "need_points_met": 15,
        # The services are not located: no distance, so 0 on proximity (weighted 0 here).
        "distance_miles": None,
        "proximity_limit_miles": "50",
    }
    assert evaluation.inputs[str(b.pk)] == {
        "weekly_fee": "2500.00",
        "quality_score_id": snapshots[world.provider_b.pk].pk,
        "quality_computed_at": snapshots[world.provider_b.pk].computed_at.isoformat(),
        "needs_claimed": ["education_progress", "emotional_health"],
        "need_points_met": 5,
        "distance_miles": None,
        "proximity_limit_miles": "50",
    }


def test_the_weekly_fee_scored_includes_the_extra_staffing(world):
    lot, services = helpers.market(world)
    placement_request = helpers.published(world, lot)
    # A: core 2000 + 10 hours extra staffing at 500 = 2500 a week; B: 2500 flat.
    a = helpers.bid(
        placement_request,
        world.bidder_a,
        services["a"],
        "2000",
        extra_staffing_hours="10",
        extra_staffing_cost="500",
    )
    b = helpers.bid(placement_request, world.bidder_b, services["b"], "2500")

    helpers.close(placement_request)

    a.refresh_from_db()
    b.refresh_from_db()
    assert a.weekly_fee == b.weekly_fee == D("2500.00")
    assert a.price_score == b.price_score == D("100.00")
    assert placement_request.evaluation.lowest_fee == D("2500.00")


def test_closing_uses_the_lots_own_weights(world):
    lot, services = helpers.market(world)
    lot.weight_quality, lot.weight_price, lot.weight_needs = 20, 70, 10
    lot.save()
    placement_request, a, b = two_bids(world, lot, services)

    helpers.close(placement_request)

    a.refresh_from_db()
    b.refresh_from_db()
    # As in test_the_same_bids_under_price_heavy_weights_rank_the_other_way.
    assert (b.rank, b.total_score, a.rank, a.total_score) == (1, D("85.33"), 2, D("84.33"))
    assert placement_request.evaluation.weights == {
        "quality": 20,
        "price": 70,
        "needs_fit": 10,
        "proximity": 0,
    }


def test_the_quality_score_is_the_one_in_force_at_the_deadline(world):
    lot, services = helpers.market(world)  # A 80, B 60, computed now
    placement_request, a, b = two_bids(world, lot, services)
    deadline = placement_request.bid_deadline
    first_a = QualityScore.objects.get(provider=world.provider_a)
    # B's score is recomputed an hour before the deadline: that one is in force.
    b_at_deadline = score_for(
        world.provider_b, world.consortium, "90", deadline - timedelta(hours=1)
    )
    # A's is recomputed 30 seconds after the deadline, before the request closes: not used.
    score_for(world.provider_a, world.consortium, "10", deadline + timedelta(seconds=30))
    # A score of A's from another consortium's DPS is not this lot's: not used either.
    other = ConsortiumFactory(slug="other", name="Other Consortium")
    score_for(world.provider_a, other, "20", deadline - timedelta(minutes=5))

    helpers.close(placement_request)

    a.refresh_from_db()
    b.refresh_from_db()
    assert a.quality_snapshot == first_a
    assert b.quality_snapshot == b_at_deadline
    # A: as before, 83.00. B: (60 x 90 + 30 x 100 + 10 x 33.33) / 100
    #    = (5400 + 3000 + 333.3) / 100 = 87.333 -> 87.33, now first.
    assert (a.quality_score, a.total_score, a.rank) == (D("80.00"), D("83.00"), 2)
    assert (b.quality_score, b.total_score, b.rank) == (D("90.00"), D("87.33"), 1)
    assert placement_request.evaluation.inputs[str(b.pk)]["quality_score_id"] == b_at_deadline.pk


def test_a_provider_with_no_score_at_the_deadline_is_scored_50(world):
    lot, services = helpers.market(world)
    placement_request, _, b = two_bids(world, lot, services)
    QualityScore.objects.filter(provider=world.provider_b).delete()
    # Its first score comes only after the deadline.
    score_for(
        world.provider_b,
        world.consortium,
        "99",
        placement_request.bid_deadline + timedelta(seconds=1),
    )

    helpers.close(placement_request)

    b.refresh_from_db()
    # B: (60 x 50 + 30 x 100 + 10 x 33.33) / 100 = (3000 + 3000 + 333.3) / 100 = 63.333 -> 63.33
    assert (b.quality_score, b.total_score, b.quality_snapshot) == (D("50.00"), D("63.33"), None)
    inputs = placement_request.evaluation.inputs[str(b.pk)]
    assert inputs["quality_score_id"] is None
    assert inputs["quality_computed_at"] is None


def test_equal_bids_of_equal_quality_rank_by_the_earlier_submission(world):
    lot, services = helpers.market(world, quality={"a": D("70"), "b": D("70")})
    placement_request = helpers.published(world, lot)
    start = placement_request.published_at
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        b = helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        a = helpers.bid(placement_request, world.bidder_a, services["a"], "2500")

    helpers.close(placement_request)

    a.refresh_from_db()
    b.refresh_from_db()
    assert a.total_score == b.total_score
    assert (b.rank, a.rank) == (1, 2)


def test_changing_a_bid_makes_it_a_later_submission_for_the_tie_break(world):
    lot, services = helpers.market(world, quality={"a": D("70"), "b": D("70")})
    placement_request = helpers.published(world, lot)
    start = placement_request.published_at
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        a = helpers.bid(placement_request, world.bidder_a, services["a"], "2600")
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        b = helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        a = helpers.bid(placement_request, world.bidder_a, services["a"], "2500")

    helpers.close(placement_request)

    a.refresh_from_db()
    b.refresh_from_db()
    assert a.total_score == b.total_score
    assert (b.rank, a.rank) == (1, 2)


@pytest.mark.parametrize("fees", [("3000", "2500"), ("2400", "2500")])
def test_ranks_are_one_to_n_without_gaps(world, fees):
    placement_request, _ = helpers.closed_with_bids(world, fees)

    ranks = sorted(Bid.objects.filter(request=placement_request).values_list("rank", flat=True))
    assert ranks == [1, 2]
    assert closing.request_close(placement_request.pk) is False
