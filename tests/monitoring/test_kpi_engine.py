"""Runs, snapshots, thresholds and RAG, breach emails, the task, the outcomes part."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from dps.models import OutboundEmail
from monitoring.kpis import KPIS
from monitoring.models import CorrectiveActionPlan, KpiRun, KpiSnapshot, KpiThreshold
from monitoring.quality import outcomes_part
from monitoring.selectors.kpis import breaches_for, snapshots_visible_to
from monitoring.services.kpis import kpi_run_execute, kpi_threshold_set, rag_of
from monitoring.tasks import kpis_recompute
from placements.models import Fee, Placement
from tests.factories import ConsortiumFactory
from tests.monitoring.kpi_helpers import d, place
from tests.placements.helpers import actor_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def few_periods(settings):
    settings.KPI_PERIODS = {"month": 3, "quarter": 2, "year": 2}


TODAY = date(2024, 6, 15)  # the latest complete quarter: January to March 2024


def run(today=TODAY, consortium=None):
    return kpi_run_execute(
        KpiRun.objects.create(trigger="test", consortium=consortium), today=today
    )


def snapshot(code, scope, scope_id, period, start):
    return KpiSnapshot.objects.get(
        kpi=code, scope=scope, scope_id=scope_id, period=period, period_start=d(start)
    )


@pytest.fixture
def endings(world):
    # Q1 2024 at borough A: 2 ended, both unplanned within 12 months: 100%.
    place(world, d("2024-01-01"), d("2024-02-01"), planned=False)
    place(world, d("2024-01-01"), d("2024-03-01"), planned=False)
    # Borough B: one planned ending: 0%.
    place(
        world,
        d("2024-01-01"),
        d("2024-02-01"),
        planned=True,
        borough=world.borough_b,
        provider=world.provider_b,
    )


def test_a_run_writes_snapshots_with_progress_and_is_idempotent(world, endings):
    first = run()
    assert first.status == KpiRun.Status.DONE
    assert first.done_steps == first.total_steps == len(KPIS)
    assert first.snapshots_written > 0
    rows = lambda: set(  # noqa: E731
        KpiSnapshot.objects.values_list(
            "kpi",
            "scope",
            "scope_id",
            "period",
            "period_start",
            "value",
            "numerator",
            "denominator",
        )
    )
    before = rows()
    run()
    assert rows() == before
    q1 = snapshot("unplanned_endings_12m", "borough", world.borough_a.pk, "quarter", "2024-01-01")
    assert q1.value == Decimal("100")
    assert q1.period_end == d("2024-03-31")
    # The consortium: 2 of 3 = 66.6667%.
    whole = snapshot(
        "unplanned_endings_12m", "consortium", world.consortium.pk, "quarter", "2024-01-01"
    )
    assert whole.value == Decimal("66.6667")
    # Q2 (the current quarter): nothing ended: no value, so no snapshot (not a zero).
    assert not KpiSnapshot.objects.filter(
        kpi="unplanned_endings_12m", scope_id=world.borough_a.pk, period_start=d("2024-04-01")
    ).exists()
    assert not KpiSnapshot.objects.filter(value__isnull=True).exists()


def stored():
    """Every snapshot by its key, with its id and figures: what the runs left behind."""
    return {
        (s.kpi, s.consortium_id, s.scope, s.scope_id, s.period, s.period_start): (
            s.pk,
            s.period_end,
            s.value,
            s.numerator,
            s.denominator,
            s.rag,
        )
        for s in KpiSnapshot.objects.all()
    }


def test_a_second_run_over_the_same_data_changes_nothing(world, endings):
    first = run()
    before = stored()
    second = run()
    # The same snapshots, under the same ids: none removed and added again.
    assert stored() == before
    assert second.snapshots_written == first.snapshots_written  # what it computed
    if connection.vendor == "postgresql":
        # Not even rewritten: each keeps the run that computed its value.
        assert not KpiSnapshot.objects.filter(run=second).exists()


def test_a_changed_value_is_updated_and_a_snapshot_without_data_removed(world, endings):
    # An ending in May that nothing below changes.
    place(world, d("2024-04-01"), d("2024-05-10"), planned=False)
    run()
    code = "unplanned_endings_12m"
    unchanged = snapshot(code, "borough", world.borough_a.pk, "month", "2024-05-01")
    gone = snapshot(code, "provider", world.provider_b.pk, "quarter", "2024-01-01")
    plan = CorrectiveActionPlan.objects.create(
        provider=world.provider_b, consortium=world.consortium, kpi=code, snapshot=gone, reason="-"
    )
    Fee.objects.filter(placement__provider=world.provider_b).delete()
    Placement.objects.filter(provider=world.provider_b).delete()
    # Borough A's Q1: 2 unplanned endings of 2, and now a planned one too.
    place(world, d("2024-01-01"), d("2024-03-15"), planned=True)
    second = run()
    q1 = snapshot(code, "borough", world.borough_a.pk, "quarter", "2024-01-01")
    assert (q1.value, q1.denominator) == (Decimal("66.6667"), 3)
    assert q1.run == second
    assert snapshot(code, "borough", world.borough_a.pk, "month", "2024-05-01").pk == unchanged.pk
    assert not KpiSnapshot.objects.filter(kpi=code, scope_id=world.provider_b.pk).exists()
    assert not KpiSnapshot.objects.filter(kpi=code, scope_id=world.borough_b.pk).exists()
    plan.refresh_from_db()
    assert plan.snapshot is None


def test_a_run_removes_only_the_snapshots_it_covers(world, endings):
    code, other = "unplanned_endings_12m", ConsortiumFactory()

    def made(consortium, start, end):
        return KpiSnapshot.objects.create(
            kpi=code,
            consortium=consortium,
            scope="consortium",
            scope_id=consortium.pk,
            period="quarter",
            period_start=d(start),
            period_end=d(end),
            value=Decimal(1),
            computed_at=timezone.now(),
        )

    # Before the computed quarters (from January 2024): out of reach, kept.
    older = made(world.consortium, "2020-01-01", "2020-03-31")
    # Another consortium's, with no data: kept by a run of this consortium only.
    theirs = made(other, "2024-01-01", "2024-03-31")
    run(consortium=world.consortium)
    assert KpiSnapshot.objects.filter(pk__in=[older.pk, theirs.pk]).count() == 2
    run()
    assert list(KpiSnapshot.objects.filter(pk__in=[older.pk, theirs.pk])) == [older]


def test_rag_by_direction():
    lower = KPIS["unplanned_endings_12m"]
    higher = KPIS["long_term_stability"]
    t = (Decimal(20), Decimal(40))
    assert [rag_of(lower, Decimal(v), t) for v in (10, 20, 39, 40)] == [
        "green",
        "amber",
        "amber",
        "red",
    ]
    t = (Decimal(60), Decimal(40))
    assert [rag_of(higher, Decimal(v), t) for v in (70, 60, 41, 40)] == [
        "green",
        "amber",
        "amber",
        "red",
    ]
    assert rag_of(lower, None, t) == ""
    assert rag_of(KPIS["spend"], Decimal(1), t) == ""


def test_a_new_breach_emails_the_boroughs_commissioners_once(world, endings):
    admin = actor_of(world.admin)
    kpi_threshold_set(actor=admin, kpi="unplanned_endings_12m", amber_at="20", red_at="50")
    run()
    q1 = snapshot("unplanned_endings_12m", "borough", world.borough_a.pk, "quarter", "2024-01-01")
    assert q1.rag == "red"
    b = snapshot("unplanned_endings_12m", "borough", world.borough_b.pk, "quarter", "2024-01-01")
    assert b.rag == "green"
    breach = OutboundEmail.objects.filter(subject__startswith="KPI breach")
    # Borough A's commissioner, for the borough and (its placements are at provider A) for
    # provider A's scope (2 of 3 = 66.67%, red too); nobody of borough B.
    assert sorted(breach.values_list("to", flat=True)) == ["commissioner@a.test"] * 2
    # The provider's breach links to a corrective action plan with the figure as its reason.
    provider_snapshot = snapshot(
        "unplanned_endings_12m", "provider", world.provider_a.pk, "quarter", "2024-01-01"
    )
    plan_link = (
        f"/monitoring/plans/new/?provider={world.provider_a.pk}&kpi=unplanned_endings_12m"
        f"&snapshot={provider_snapshot.pk}"
    )
    assert sum(plan_link in body for body in breach.values_list("body_text", flat=True)) == 1
    run()
    assert breach.count() == 2
    assert list(breaches_for(admin, today=TODAY).values_list("scope", flat=True)) == [
        "borough",
        "provider",
    ]
    assert [s.scope for s in breaches_for(actor_of(world.commissioner_a), today=TODAY)] == [
        "borough"
    ]
    assert not breaches_for(actor_of(world.commissioner_b), today=TODAY).exists()


def test_thresholds_refused_and_checked(world):
    from dps.services import DomainError

    with pytest.raises(DomainError):
        kpi_threshold_set(actor=actor_of(world.commissioner_a), kpi="spend", amber_at=1, red_at=2)
    with pytest.raises(DomainError) as refused:
        kpi_threshold_set(
            actor=actor_of(world.admin), kpi="long_term_stability", amber_at=40, red_at=60
        )
    assert refused.value.field == "red_at"
    assert not KpiThreshold.objects.exists()


def test_tenancy_of_snapshots(world, endings):
    run()
    a = snapshots_visible_to(actor_of(world.commissioner_a))
    assert set(a.values_list("scope", flat=True)) == {"borough", "consortium"}
    assert not a.filter(scope="borough", scope_id=world.borough_b.pk).exists()
    p = snapshots_visible_to(actor_of(world.provider_admin_a))
    assert set(p.values_list("scope", "scope_id").distinct()) == {("provider", world.provider_a.pk)}
    b = snapshots_visible_to(actor_of(world.provider_admin_b))
    assert set(b.values_list("scope", "scope_id").distinct()) == {("provider", world.provider_b.pk)}


def test_the_task_runs_a_queued_run_once(world):
    # The task computes up to today: an unplanned ending last month.
    today = timezone.localdate()
    place(
        world, today - timedelta(days=90), today.replace(day=1) - timedelta(days=5), planned=False
    )
    queued = KpiRun.objects.create(trigger="test")
    assert kpis_recompute(queued.pk) > 0
    assert kpis_recompute(queued.pk) == 0  # done already
    queued.refresh_from_db()
    assert queued.status == KpiRun.Status.DONE


def test_outcomes_part_of_the_quality_score(world, endings):
    assert outcomes_part(world.provider_a, world.consortium) is None  # no data: neutral
    run()
    # Provider A, year from April 2023: 2 of 3 unplanned within 12 months = 66.6667%:
    # 100 - 2 x 66.6667 = -33.33, within 0..100: 0. No needs_change (no reviews).
    part = outcomes_part(world.provider_a, world.consortium)
    assert part.value == 0
    assert "unplanned" in part.basis
