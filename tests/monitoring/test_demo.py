"""seed_demo's placement history: three years of placements for each demo borough, with
reviews, fee changes, endings (some unplanned, with DfE reasons), children who moved three or
more times in a year, monitoring visits and corrective action plans; the story the dashboards
tell (thresholds, red figures, a plan opened from one, fresh quality scores); and a second run
that changes nothing."""

import io
from datetime import timedelta

import pytest
from django.db.models import Count, Max, Min
from django.utils import timezone

from dps import demo as core_demo
from dps.models import Organisation
from monitoring import demo
from monitoring.models import (
    CareEpisode,
    CorrectiveActionPlan,
    KpiRun,
    MonitoringVisit,
    PlacementReview,
    Ssda903Return,
)
from placements.models import Child, Fee, Placement
from providers import demo as providers_demo
from providers.models import QualityScore
from tests.monitoring.demo_story import assert_the_story

# The DfE's SSDA903 codes: reasons for a change of placement, and for leaving care.
END_REASONS = {
    *("CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ"),
    *("PLACE", "CUSTOD", "OTHER", "E11", "E12", "E13", "E14", "E15", "E16", "E17", "E2"),
    *("E3", "E41", "E45", "E46", "E47", "E48", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9"),
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Child,
            Placement,
            PlacementReview,
            MonitoringVisit,
            CareEpisode,
            Ssda903Return,
            KpiRun,
            QualityScore,
        )
    } | {"plans": CorrectiveActionPlan.objects.count()}


def fingerprint():
    return list(
        Placement.objects.order_by("borough__slug", "child_reference", "start_date").values_list(
            "child_reference", "start_date", "end_date", "weekly_fee", "source", "end_reason"
        )
    )


@pytest.mark.django_db
def test_three_years_of_history_seeded_once():
    out = io.StringIO()
    core_demo.seed(out)
    providers_demo.seed(out)
    today = timezone.localdate()

    demo.seed(out)

    text = out.getvalue()
    assert "placements over 3 years" in text
    bought = Placement.objects.exclude(source=Placement.Source.SSDA903)
    for slug, _name in core_demo.BOROUGHS:
        placements = bought.filter(borough__slug=slug)
        assert 40 <= placements.count() <= 85, slug
        span = placements.aggregate(first=Min("start_date"), last=Max("start_date"))
        assert span["first"] <= today - timedelta(days=365 * 2 + 300)
        assert span["last"] >= today - timedelta(days=120)
    placements = bought
    assert {"dps", "spot"} <= set(placements.values_list("source", flat=True))
    ended = placements.filter(status=Placement.Status.ENDED)
    assert ended.filter(end_planned=False).count() >= 10
    assert ended.filter(end_planned=True).count() >= 10
    assert set(ended.values_list("end_reason", flat=True)) <= set(END_REASONS)
    assert placements.filter(status=Placement.Status.STARTED, end_date__isnull=True).count() >= 20
    # Children with three or more placements within a year.
    movers = [
        child
        for child in Child.objects.filter(care_episodes__isnull=True)
        .annotate(n=Count("placements"))
        .filter(n__gte=3)
        if _three_in_a_year(sorted(p.start_date for p in child.placements.all()))
    ]
    assert len(movers) >= 3
    # Reviews every six months re-score the needs, falling on average.
    assert PlacementReview.objects.count() >= 100
    assert Fee.objects.exclude(kind=Fee.Kind.AGREED).count() >= 20
    # Every placement bought has its schedule, from the fee agreed.
    bought = Placement.objects.exclude(source=Placement.Source.SSDA903)
    assert bought.filter(fees__kind=Fee.Kind.AGREED).count() == bought.count()
    assert _mean_needs_change() < 0
    # Visits: completed, and some overdue.
    visits = MonitoringVisit.objects.all()
    assert visits.filter(status="completed").count() >= 50
    assert visits.filter(status="scheduled", due_date__lt=today).count() >= 2
    assert CorrectiveActionPlan.objects.filter(snapshot__isnull=True).count() == 2
    assert KpiRun.objects.count() == 1
    assert_the_story(text)
    # Each borough's SSDA903 returns of the last three complete years, checked by the DfE's
    # rules (some children with issues left out) and imported: the DfE's measures have data.
    returns = Ssda903Return.objects.all()
    assert returns.count() == 9
    assert set(returns.values_list("status", flat=True)) == {Ssda903Return.Status.IMPORTED}
    assert all(0 < r.children_valid < r.children_total for r in returns)
    assert CareEpisode.objects.filter(rne="T").exists()
    assert CareEpisode.objects.filter(place="T1").exists()
    assert CareEpisode.objects.filter(ls="V3").exists()
    assert all(b.la_code for b in Organisation.objects.filter(kind="borough"))

    before, rows = counts(), fingerprint()
    again = io.StringIO()
    demo.seed(again)

    assert counts() == before
    assert fingerprint() == rows
    assert "placement history already seeded" in again.getvalue()
    assert KpiRun.objects.count() == 1  # nothing new, nothing recomputed
    assert "KPI thresholds already set" in again.getvalue()
    assert "quality scores up to date" in again.getvalue()


def _three_in_a_year(starts):
    return any(
        later - earlier <= timedelta(days=365)
        for earlier, later in zip(starts, starts[2:], strict=False)
    )


def _mean_needs_change():
    """The mean change of the needs total from a placement's first review to its last."""
    changes = []
    reviewed = PlacementReview.objects.values("placement").annotate(n=Count("pk")).filter(n__gte=2)
    for row in reviewed:
        totals = list(
            PlacementReview.objects.filter(placement=row["placement"])
            .order_by("review_date")
            .values_list("needs_total", flat=True)
        )
        changes.append(totals[-1] - totals[0])
    return sum(changes) / len(changes)


def test_without_the_kpi_engine_the_demo_says_so(monkeypatch):
    from monitoring.services import kpis

    monkeypatch.delattr(kpis, "kpi_recompute")
    out = io.StringIO()

    demo.kpis_seed(None, out)

    assert "KPIs not computed" in out.getvalue()
