"""The KPI engine through the real path: "Recompute now" commits a run, Redis carries it to the
Celery worker, the worker computes every KPI against PostgreSQL and records its progress."""

from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring.kpis import KPIS
from monitoring.models import KpiRun, KpiSnapshot
from monitoring.services.kpis import kpi_recompute_request
from tests.integration.conftest import wait_until
from tests.monitoring.kpi_helpers import place
from tests.placements.helpers import actor_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_recompute_now_runs_on_the_worker_and_writes_snapshots(celery_worker, world):
    today = timezone.localdate()
    # Borough A: two placements that ended unplanned, one still going; borough B: one planned.
    place(world, today - timedelta(days=400), today - timedelta(days=200), planned=False)
    place(world, today - timedelta(days=300), today - timedelta(days=150), planned=False)
    place(world, today - timedelta(days=120))
    place(
        world,
        today - timedelta(days=400),
        today - timedelta(days=100),
        planned=True,
        borough=world.borough_b,
        provider=world.provider_b,
    )

    run = kpi_recompute_request(actor=actor_of(world.admin))

    def finished():
        run.refresh_from_db()
        return run.status in (KpiRun.Status.DONE, KpiRun.Status.FAILED)

    wait_until(finished, timeout=60, message=f"KPI run {run.pk} to finish on the worker")
    assert run.status == KpiRun.Status.DONE, (run.error, celery_worker.log_text()[-3000:])
    assert run.done_steps == run.total_steps == len(KPIS)
    assert run.started_at is not None
    assert run.finished_at >= run.started_at
    written = KpiSnapshot.objects.filter(run=run)
    assert run.snapshots_written == written.count() > 0
    assert set(written.values_list("consortium", flat=True)) == {world.consortium.pk}
    borough_a = written.filter(
        kpi="unplanned_endings_12m", scope="borough", scope_id=world.borough_a.pk
    )
    assert borough_a.exclude(value=None).exists()
    assert written.filter(scope="provider", scope_id=world.provider_b.pk).exists()
