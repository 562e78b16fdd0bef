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


@shared_task
def ssda903_validate_task(return_id):
    """Validate an uploaded SSDA903 return (a return no longer queued is left alone)."""
    from .models import Ssda903Return
    from .services.ssda903 import ssda903_return_validate

    found = Ssda903Return.objects.filter(pk=return_id).first()
    if found is None:
        return None
    return ssda903_return_validate(found).status


@shared_task
def ssda903_import_task(return_id):
    """Import the valid children of a return the user chose to import."""
    from .models import Ssda903Return
    from .services.ssda903 import ssda903_return_store

    found = Ssda903Return.objects.filter(pk=return_id).first()
    if found is None:
        return None
    return ssda903_return_store(found).status
