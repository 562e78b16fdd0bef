"""Tasks of the monitoring app: small functions calling its services."""

from celery import shared_task

from .models import KpiRun


@shared_task
def kpis_recompute(run_id):
    """Compute the KPIs for a run created by `kpi_recompute` (on demand or nightly)."""
    from .services.kpis import kpi_run_execute

    run = KpiRun.objects.filter(pk=run_id, status=KpiRun.Status.QUEUED).first()
    if run is None:
        return 0
    return kpi_run_execute(run).snapshots_written


@shared_task
def kpis_nightly():
    """Beat's nightly run: every consortium's KPIs, computed here."""
    from .services.kpis import kpi_run_execute

    run = KpiRun.objects.create(trigger="nightly")
    return kpi_run_execute(run).snapshots_written
