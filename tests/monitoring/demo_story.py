"""What seed_demo's monitoring story must show (checked by tests/monitoring/test_demo.py over
one seeded demo, which is slow to make): every KPI with a better direction has an amber and a
red threshold, the KPIs are computed with their RAG, a commissioner opened a corrective action
plan from a red figure (through the plans service), and the providers' quality scores were
computed over the history."""

from dps.models import AuditEvent, OutboundEmail
from monitoring.kpis import KPIS
from monitoring.models import CorrectiveActionPlan, KpiRun, KpiSnapshot, KpiThreshold
from providers.models import QualityScore


def assert_the_story(output):
    directed = {code for code, kpi in KPIS.items() if kpi.higher_is_better is not None}
    thresholds = {t.kpi: t for t in KpiThreshold.objects.all()}
    assert set(thresholds) == directed
    for code, threshold in thresholds.items():
        better_first = (threshold.amber_at, threshold.red_at)
        assert better_first == tuple(sorted(better_first, reverse=KPIS[code].higher_is_better))
    snapshots = KpiSnapshot.objects.exclude(value__isnull=True)
    assert snapshots.filter(rag="red").exists()
    assert snapshots.filter(rag="green").exists()

    plan = CorrectiveActionPlan.objects.get(snapshot__isnull=False)
    assert plan.snapshot.rag == "red"
    assert plan.snapshot.scope == KpiSnapshot.Scope.PROVIDER
    assert plan.snapshot.scope_id == plan.provider_id
    assert plan.kpi == plan.snapshot.kpi
    assert plan.borough is not None
    assert plan.opened_by.memberships.get().organisation == plan.borough
    assert plan.actions.count() == 2
    assert AuditEvent.objects.filter(action="corrective_plan.open", object_id=str(plan.pk)).exists()
    assert OutboundEmail.objects.filter(subject__icontains="corrective action plan").exists()
    assert "opened a plan for" in output

    # Each enrolled provider's latest score was computed after the KPIs, from them.
    run = KpiRun.objects.get()
    latest = {}
    for score in QualityScore.objects.order_by("computed_at", "id"):
        latest[score.provider_id] = score
    assert latest
    assert all(score.computed_at >= run.finished_at for score in latest.values())
    assert any(
        score.inputs["outcomes"]["basis"].startswith("From the latest year's KPIs")
        for score in latest.values()
    )
