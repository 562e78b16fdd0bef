"""The quality score's arithmetic, against hand-computed cases, and its snapshots."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from providers.models import MANDATORY_TYPES, QualityScore, QualityWeights
from providers.selectors.quality import current_scores, score_breakdown, score_guidance
from providers.services.quality import (
    PART_SOURCES,
    Part,
    quality_part_source_register,
    quality_score_recompute,
    quality_scores_recompute_all,
)
from tests.factories import (
    ConsortiumFactory,
    DocumentFactory,
    EnrolmentFactory,
    LotFactory,
    ServiceFactory,
)

TODAY = date(2026, 5, 10)
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel("2026-05-10 12:00 +01:00", tick=False):
        yield


@pytest.fixture
def lot(world):
    return LotFactory(consortium=world.consortium)


@pytest.fixture
def enrolled(world, lot):
    """Provider A, enrolled on a lot of the test consortium."""
    EnrolmentFactory(provider=world.provider_a, lot=lot)
    return world.provider_a


def all_documents(provider, expires_on=date(2027, 1, 1)):
    for doc_type in MANDATORY_TYPES:
        DocumentFactory(provider=provider, document_type=doc_type, expires_on=expires_on)


def score_of(provider, trigger="test"):
    (score,) = quality_score_recompute(provider=provider, trigger=trigger)
    return score


def test_a_provider_enrolled_nowhere_has_no_score(world):
    ServiceFactory(provider=world.provider_a)
    assert quality_score_recompute(provider=world.provider_a, trigger="test") == []
    assert not QualityScore.objects.exists()


def test_mixed_ratings_are_weighted_by_places(enrolled):
    # 3 places Outstanding (300), 5 Good (375), 2 Requires improvement (80): 755 / 10 = 75.5
    ServiceFactory(provider=enrolled, ofsted_rating="outstanding", registered_places=3)
    ServiceFactory(provider=enrolled, ofsted_rating="good", registered_places=5)
    ServiceFactory(provider=enrolled, ofsted_rating="requires_improvement", registered_places=2)
    # Inactive services and services with no places do not count.
    ServiceFactory(
        provider=enrolled, ofsted_rating="inadequate", registered_places=6, is_active=False
    )
    ServiceFactory(provider=enrolled, ofsted_rating="inadequate", registered_places=0)
    all_documents(enrolled)

    score = score_of(enrolled)

    assert score.inspection == Decimal("75.50")
    assert score.compliance == Decimal("100.00")
    assert score.outcomes == score.responsiveness == Decimal("50.00")
    # 40 x 75.5 + 30 x 50 + 20 x 100 + 10 x 50 = 3020 + 1500 + 2000 + 500 = 7020 -> 70.20
    assert score.total == Decimal("70.20")
    assert score.weights == {
        "inspection": 40,
        "outcomes": 30,
        "compliance": 20,
        "responsiveness": 10,
    }


def test_inadequate_and_not_yet_inspected_services(enrolled):
    # 1 x 0 + 2 x 50 + 3 x 40 = 220 / 6 = 36.666.. -> 36.67 (half up)
    ServiceFactory(provider=enrolled, ofsted_rating="inadequate", registered_places=1)
    ServiceFactory(provider=enrolled, ofsted_rating="not_yet_inspected", registered_places=2)
    ServiceFactory(provider=enrolled, ofsted_rating="requires_improvement", registered_places=3)

    score = score_of(enrolled)

    assert score.inspection == Decimal("36.67")
    # No documents: compliance 0.
    # 40 x 36.67 + 30 x 50 + 20 x 0 + 10 x 50 = 1466.8 + 2000 = 3466.8 -> 34.668 -> 34.67
    assert score.compliance == Decimal("0.00")
    assert score.total == Decimal("34.67")


def test_a_provider_with_no_services_has_a_neutral_inspection_part_and_says_so(enrolled):
    score = score_of(enrolled)

    assert score.inspection == Decimal("50.00")
    assert score.inputs["inspection"]["basis"] == "Neutral: no active services yet."
    assert score.inputs["outcomes"]["basis"] == "Neutral until contract monitoring data exists."
    assert "Neutral" in score.inputs["responsiveness"]["basis"]


def test_an_expired_document_no_longer_counts_for_compliance(enrolled):
    all_documents(enrolled)
    # A public liability certificate that expired on 3 May; one expiring today has expired too.
    pl = enrolled.documents.get(document_type="public_liability")
    pl.expires_on = date(2026, 5, 3)
    pl.save()
    el = enrolled.documents.get(document_type="employers_liability")
    el.expires_on = TODAY
    el.save()

    score = score_of(enrolled)

    # 4 of 6 current: 66.666.. -> 66.67
    assert score.compliance == Decimal("66.67")
    statuses = {d["type"]: d["status"] for d in score.inputs["compliance"]["documents"]}
    assert statuses["public_liability"] == "expired"
    assert statuses["employers_liability"] == "expired"
    guidance = score_guidance(score)
    assert any(
        "Renew your public liability insurance: it expired on 3 May 2026" in g for g in guidance
    )


def test_a_superseded_document_does_not_count_but_its_renewal_does(enrolled):
    old = DocumentFactory(
        provider=enrolled, document_type="public_liability", expires_on=date(2026, 5, 1)
    )
    new = DocumentFactory(
        provider=enrolled, document_type="public_liability", expires_on=date(2027, 5, 1)
    )
    old.superseded_by = new
    old.save()

    score = score_of(enrolled)

    # 1 of 6: 16.666.. -> 16.67
    assert score.compliance == Decimal("16.67")


def test_a_document_expiring_soon_still_counts_and_is_flagged(enrolled):
    all_documents(enrolled)
    dps = enrolled.documents.get(document_type="dps_terms")
    dps.expires_on = date(2026, 5, 20)
    dps.save()

    score = score_of(enrolled)

    assert score.compliance == Decimal("100.00")
    assert any("before it expires on 20 May 2026" in g for g in score_guidance(score))


@pytest.mark.parametrize(
    ("weights", "total"),
    [
        # inspection 75.5, outcomes 50, compliance 100 x 4/6 = 66.67, responsiveness 50
        ((100, 0, 0, 0), "75.50"),
        ((0, 100, 0, 0), "50.00"),
        ((0, 0, 100, 0), "66.67"),
        ((0, 0, 0, 100), "50.00"),
        # 25 x 75.5 + 25 x 50 + 25 x 66.67 + 25 x 50 = 6054.25 -> 60.5425 -> 60.54
        ((25, 25, 25, 25), "60.54"),
        # 33 x 75.5 + 33 x 50 + 33 x 66.67 + 1 x 50 = 6391.61 -> 63.9161 -> 63.92
        ((33, 33, 33, 1), "63.92"),
    ],
)
def test_the_total_follows_the_consortiums_weights(world, enrolled, weights, total):
    QualityWeights.objects.create(
        consortium=world.consortium,
        **dict(
            zip(["inspection", "outcomes", "compliance", "responsiveness"], weights, strict=True)
        ),
    )
    ServiceFactory(provider=enrolled, ofsted_rating="outstanding", registered_places=3)
    ServiceFactory(provider=enrolled, ofsted_rating="good", registered_places=5)
    ServiceFactory(provider=enrolled, ofsted_rating="requires_improvement", registered_places=2)
    for doc_type in ["public_liability", "employers_liability", "dps_terms", "safeguarding_policy"]:
        DocumentFactory(provider=enrolled, document_type=doc_type, expires_on=date(2027, 1, 1))

    score = score_of(enrolled)

    assert score.total == Decimal(total)
    assert score.weights == dict(
        zip(["inspection", "outcomes", "compliance", "responsiveness"], weights, strict=True)
    )


def test_the_default_weights_are_created_for_a_consortium_without_any(world, enrolled):
    score_of(enrolled)

    weights = QualityWeights.objects.get(consortium=world.consortium)
    assert weights.as_dict() == {
        "inspection": 40,
        "outcomes": 30,
        "compliance": 20,
        "responsiveness": 10,
    }


def test_a_provider_is_scored_per_consortium_with_each_consortiums_weights(world, enrolled):
    other = ConsortiumFactory(name="Other Consortium")
    QualityWeights.objects.create(
        consortium=other, inspection=100, outcomes=0, compliance=0, responsiveness=0
    )
    EnrolmentFactory(provider=enrolled, lot=LotFactory(consortium=other), status="suspended")
    # A removed enrolment does not count.
    removed = ConsortiumFactory(name="Removed Consortium")
    EnrolmentFactory(provider=enrolled, lot=LotFactory(consortium=removed), status="removed")
    ServiceFactory(provider=enrolled, ofsted_rating="outstanding", registered_places=2)

    scores = quality_score_recompute(provider=enrolled, trigger="test")

    # Default weights: 40 x 100 + 30 x 50 + 20 x 0 (no documents) + 10 x 50 = 6000 -> 60.00
    by_consortium = {s.consortium: s.total for s in scores}
    assert by_consortium == {world.consortium: Decimal("60.00"), other: Decimal("100.00")}
    assert [e["status"] for e in scores[0].inputs["enrolments"]] in (["active"], ["suspended"])


def test_the_breakdown_shows_each_parts_weight_and_contribution(enrolled):
    ServiceFactory(provider=enrolled, ofsted_rating="good", registered_places=4)

    score = score_of(enrolled)
    rows = {r["name"]: r for r in score_breakdown(score)}

    assert rows["inspection"]["value"] == Decimal("75.00")
    assert rows["inspection"]["weight"] == 40
    assert rows["inspection"]["contribution"] == Decimal("30.00")
    assert rows["outcomes"]["contribution"] == Decimal("15.00")
    assert rows["compliance"]["contribution"] == Decimal("0.00")
    assert rows["responsiveness"]["contribution"] == Decimal("5.00")
    assert score.total == Decimal("50.00")
    assert "1 active service" in rows["inspection"]["basis"]


def test_guidance_names_the_services_that_lower_the_inspection_score(enrolled):
    ServiceFactory(
        provider=enrolled,
        name="Elm House",
        ofsted_rating="requires_improvement",
        registered_places=2,
    )
    ServiceFactory(provider=enrolled, name="Oak House", ofsted_rating="good", registered_places=2)

    guidance = score_guidance(score_of(enrolled))

    # Elm rated Good: (75 - 40) x 2 / 4 = 17.5 inspection points, x 40% = 7.00 total points
    assert any(
        "Services rated Requires improvement lower your inspection score (Elm House)" in g
        and "7.00 points" in g
        for g in guidance
    )
    assert any("Upload your signed DPS terms" in g for g in guidance)


def test_a_past_score_is_explained_by_its_own_inputs_after_they_change(enrolled):
    service = ServiceFactory(
        provider=enrolled, name="Elm House", ofsted_rating="good", registered_places=3
    )
    first = score_of(enrolled, trigger="first")

    service.ofsted_rating = "inadequate"
    service.save()
    second = score_of(enrolled, trigger="rating changed")

    first.refresh_from_db()
    assert first.inspection == Decimal("75.00")
    assert first.inputs["inspection"]["services"] == [
        {
            "id": service.pk,
            "name": "Elm House",
            "rating": "good",
            "rating_label": "Good",
            "inspection_date": None,
            "points": 75,
            "places": 3,
        }
    ]
    assert second.inspection == Decimal("0.00")
    assert second.inputs["inspection"]["services"][0]["rating"] == "inadequate"
    assert list(QualityScore.objects.values_list("trigger", flat=True)) == [
        "rating changed",
        "first",
    ]
    assert list(current_scores(enrolled)) == [second]


def test_every_computation_is_kept_but_a_quiet_night_adds_nothing(enrolled):
    ServiceFactory(provider=enrolled)
    score_of(enrolled, trigger="a")
    score_of(enrolled, trigger="b")  # an input-change trigger is always kept
    assert QualityScore.objects.count() == 2

    assert quality_scores_recompute_all(trigger="nightly") == 0
    assert QualityScore.objects.count() == 2

    ServiceFactory(provider=enrolled, ofsted_rating="outstanding")
    assert quality_scores_recompute_all(trigger="nightly") == 1
    assert QualityScore.objects.first().trigger == "nightly"


def test_the_nightly_run_notices_a_document_that_expired_overnight(enrolled):
    all_documents(enrolled, expires_on=date(2026, 5, 11))
    assert score_of(enrolled).compliance == Decimal("100.00")

    with time_machine.travel("2026-05-11 02:30 +01:00", tick=False):
        assert quality_scores_recompute_all() == 1

    assert QualityScore.objects.first().compliance == Decimal("0.00")


def test_the_nightly_run_scores_every_enrolled_provider_in_batches(world, lot, monkeypatch):
    from providers.services import quality

    monkeypatch.setattr(quality, "BATCH_SIZE", 1)
    EnrolmentFactory(provider=world.provider_a, lot=lot)
    EnrolmentFactory(provider=world.provider_b, lot=lot)

    assert quality_scores_recompute_all() == 2
    assert set(QualityScore.objects.values_list("provider", flat=True)) == {
        world.provider_a.pk,
        world.provider_b.pk,
    }


def test_a_higher_app_can_push_in_the_outcomes_figure(enrolled, monkeypatch):
    monkeypatch.setattr("providers.services.quality.PART_SOURCES", dict(PART_SOURCES))
    quality_part_source_register(
        "outcomes",
        lambda provider, consortium: Part(
            Decimal("80"), "Mean change in needs scores.", {"placements": 3}
        ),
    )

    score = score_of(enrolled)

    assert score.outcomes == Decimal("80.00")
    assert score.inputs["outcomes"] == {
        "basis": "Mean change in needs scores.",
        "source": "pushed",
        "placements": 3,
    }
    # 40 x 50 + 30 x 80 + 0 + 10 x 50 = 4900 -> 49.00
    assert score.total == Decimal("49.00")


def test_the_number_of_queries_does_not_grow_with_the_services(enrolled):
    def queries():
        with CaptureQueriesContext(connection) as context:
            score_of(enrolled)
        return len(context)

    ServiceFactory(provider=enrolled)
    score_of(enrolled)  # creates the consortium's default weights
    few = queries()
    for _ in range(20):
        ServiceFactory(provider=enrolled)
        DocumentFactory(provider=enrolled, expires_on=date(2027, 1, 1))

    assert queries() == few
