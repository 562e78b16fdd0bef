"""The responsiveness part of the quality score comes from answered invitations."""

from decimal import Decimal

from placements.services.bids import invitation_decline
from providers.models import QualityScore
from providers.services.quality import quality_score_recompute
from tests.placements import helpers


def latest(provider, consortium):
    return QualityScore.objects.filter(provider=provider, consortium=consortium).first()


def test_a_provider_that_answered_every_invitation_scores_100(world):
    lot, services = helpers.market(world)
    first = helpers.published(world, lot)
    helpers.bid(first, world.bidder_a, services["a"], "3000")
    second = helpers.published(world, lot, reference="AB-2")
    invitation_decline(
        actor=helpers.actor_of(world.bidder_a),
        invitation=helpers.invitation(second, world.provider_a),
    )
    helpers.close(first)
    helpers.close(second)

    quality_score_recompute(provider=world.provider_a, trigger="test")
    quality_score_recompute(provider=world.provider_b, trigger="test")

    a = latest(world.provider_a, world.consortium)
    b = latest(world.provider_b, world.consortium)
    assert a.responsiveness == Decimal("100.00")
    assert a.inputs["responsiveness"]["invited"] == 2
    assert b.responsiveness == Decimal("0.00")  # invited twice, answered neither


def test_invitations_still_open_do_not_count(world):
    lot, _ = helpers.market(world)
    helpers.published(world, lot)

    quality_score_recompute(provider=world.provider_b, trigger="test")

    assert latest(world.provider_b, world.consortium).responsiveness == Decimal("50.00")
