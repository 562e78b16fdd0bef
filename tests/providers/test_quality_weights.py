"""The consortium admin's quality weights: validated, audited, and every enrolled provider's
score recomputed with them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dps.models import AuditEvent
from dps.services import DomainError
from dps.tenancy import Actor
from providers.models import QualityScore, QualityWeights
from providers.services.quality import quality_score_recompute, quality_weights_update
from providers.tasks import quality_scores_recompute_consortium
from tests.factories import ConsortiumFactory, EnrolmentFactory, LotFactory, ServiceFactory

URL = reverse("providers:quality_weights")
WEIGHTS = {"inspection": 70, "outcomes": 10, "compliance": 10, "responsiveness": 10}


def actor_of(user):
    return Actor.for_membership(user.membership)


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        ({"inspection": 40, "outcomes": 30, "compliance": 20, "responsiveness": 20}, None),
        ({"inspection": 40, "outcomes": 30, "compliance": 20, "responsiveness": 0}, None),
        ({"inspection": 110, "outcomes": -10, "compliance": 0, "responsiveness": 0}, "inspection"),
        (
            {"inspection": 40.5, "outcomes": 29.5, "compliance": 20, "responsiveness": 10},
            "inspection",
        ),
        (
            {"inspection": True, "outcomes": 30, "compliance": 20, "responsiveness": 49},
            "inspection",
        ),
    ],
)
def test_weights_must_be_whole_percentages_totalling_100(world, weights, field):
    with pytest.raises(DomainError) as exc:
        quality_weights_update(actor=actor_of(world.admin), **weights)

    assert exc.value.field == field
    assert not QualityWeights.objects.exists()


def test_only_a_consortium_admin_sets_the_weights(world):
    with pytest.raises(DomainError):
        quality_weights_update(actor=actor_of(world.commissioner_a), **WEIGHTS)


def test_changing_the_weights_is_audited_and_recomputes_every_enrolled_provider(
    world, django_capture_on_commit_callbacks
):
    lot = LotFactory(consortium=world.consortium)
    EnrolmentFactory(provider=world.provider_a, lot=lot)
    EnrolmentFactory(provider=world.provider_b, lot=lot, status="suspended")
    ServiceFactory(provider=world.provider_a, ofsted_rating="outstanding")
    # Provider A is also enrolled with another consortium, whose score must not change.
    other = ConsortiumFactory(name="Other Consortium")
    EnrolmentFactory(provider=world.provider_a, lot=LotFactory(consortium=other))
    for provider in (world.provider_a, world.provider_b):
        quality_score_recompute(provider=provider, trigger="enrolled")
    assert QualityScore.objects.count() == 3

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        weights = quality_weights_update(actor=actor_of(world.admin), **WEIGHTS)

    assert weights.as_dict() == WEIGHTS
    assert weights.updated_by == world.admin
    event = AuditEvent.objects.get(action="quality_weights.update")
    assert event.detail == {
        "from": {"inspection": 40, "outcomes": 30, "compliance": 20, "responsiveness": 10},
        "to": WEIGHTS,
    }
    assert len(callbacks) == 1

    # The queued task, run as the worker would (twice: the second run writes nothing).
    assert quality_scores_recompute_consortium(world.consortium.pk) == 2
    assert quality_scores_recompute_consortium(world.consortium.pk) == 0

    a = QualityScore.objects.filter(provider=world.provider_a, consortium=world.consortium).first()
    # 70 x 100 + 10 x 50 + 10 x 0 + 10 x 50 = 8000 -> 80.00
    assert a.total == Decimal("80.00")
    assert a.weights == WEIGHTS
    assert a.trigger == "weights changed"
    assert QualityScore.objects.filter(consortium=other).count() == 1


def test_setting_the_same_weights_again_changes_nothing(world, django_capture_on_commit_callbacks):
    quality_weights_update(actor=actor_of(world.admin), **WEIGHTS)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        quality_weights_update(actor=actor_of(world.admin), **WEIGHTS)

    assert callbacks == []
    assert AuditEvent.objects.filter(action="quality_weights.update").count() == 1


def test_the_weights_page_shows_the_defaults_and_saves_new_weights(world, client):
    client.force_login(world.admin)

    page = client.get(URL).content.decode()
    assert "(the defaults)" in page
    assert 'value="40"' in page

    response = client.post(URL, {k: str(v) for k, v in WEIGHTS.items()})

    assert response.status_code == 302
    assert QualityWeights.objects.get(consortium=world.consortium).as_dict() == WEIGHTS


def test_weights_that_do_not_total_100_get_a_clear_error_and_keep_what_was_typed(world, client):
    client.force_login(world.admin)

    response = client.post(
        URL, {"inspection": "50", "outcomes": "30", "compliance": "20", "responsiveness": "10"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The weights must total 100. They total 110." in page
    assert 'value="50"' in page
    assert not QualityWeights.objects.exists()


def test_a_weight_that_is_not_a_whole_number_is_a_field_error(world, client):
    client.force_login(world.admin)

    response = client.post(
        URL, {"inspection": "forty", "outcomes": "30", "compliance": "", "responsiveness": "10"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a whole number from 0 to 100." in page
    assert "Enter the weight of compliance." in page


@pytest.mark.parametrize("persona", ["commissioner_a", "officer_a", "provider_admin_a"])
def test_only_consortium_admins_reach_the_weights_page(world, client, persona):
    client.force_login(getattr(world, persona))

    assert client.get(URL).status_code == 403
    assert client.post(URL, WEIGHTS).status_code == 403
