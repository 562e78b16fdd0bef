"""Background work of the monitoring app. Each task takes ids, calls a service, and has one
effect however often it runs (a run no longer queued is left alone, reports are replaced,
emails deduplicated, visits scheduled once)."""

from datetime import date

from celery import shared_task

from .models import KpiRun

# --- KPIs -----------------------------------------------------------------------------------


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


# --- SSDA903 returns ------------------------------------------------------------------------


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


# --- Quarterly reports ----------------------------------------------------------------------


@shared_task(name="monitoring.tasks.reports_generate_quarter", ignore_result=True)
def reports_generate_quarter_task(today=None, consortium_id=None):
    """The last complete quarter's reports, then the subscribers' emails. Beat runs it on the
    5th of January, April, July and October."""
    from django.utils import timezone

    from dps.models import Organisation

    from .services.reports import reports_generate_quarter

    day = date.fromisoformat(today) if today else timezone.localdate()
    consortium = None
    if consortium_id is not None:
        consortium = Organisation.objects.filter(pk=consortium_id).first()
        if consortium is None:
            return 0
    return len(reports_generate_quarter(today=day, consortium=consortium))


@shared_task(name="monitoring.tasks.report_generate", ignore_result=True)
def report_generate_task(report_id):
    """One queued report ("Generate now", or tried again): rendered, stored, emailed."""
    from .services.reports import report_build

    return report_build(report_id=report_id) is not None


# --- Monitoring visits ----------------------------------------------------------------------


@shared_task(name="monitoring.tasks.visits_schedule_daily", ignore_result=True)
def visits_schedule_daily():
    """The daily scheduling of each monitored service's next visit."""
    from .services.visits import visits_schedule_all

    return visits_schedule_all()
