"""Runs, snapshots, thresholds and RAG, breach emails, the task, the outcomes part."""

from datetime import date
from decimal import Decimal

import pytest

from dps.models import OutboundEmail
from monitoring.kpis import KPIS
from monitoring.kpis.selectors import breaches_for, snapshots_visible_to
from monitoring.models import KpiRun, KpiSnapshot, KpiThreshold
from monitoring.quality import outcomes_part
from monitoring.services.kpis import kpi_run_execute, kpi_threshold_set, rag_of
from monitoring.tasks import kpis_recompute
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
    # Q2 (the current quarter): nothing ended: null, not zero.
    q2 = snapshot("unplanned_endings_12m", "borough", world.borough_a.pk, "quarter", "2024-04-01")
    assert q2.value is None
    assert q2.denominator == 0


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


def test_the_task_runs_a_queued_run_once(world, endings):
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
