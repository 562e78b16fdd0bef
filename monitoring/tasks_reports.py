"""Background work of the quarterly reports: each task calls a service and has one effect
however often it runs (reports are replaced, emails deduplicated)."""

from datetime import date

from celery import shared_task


@shared_task(name="monitoring.tasks_reports.reports_generate_quarter", ignore_result=True)
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


@shared_task(name="monitoring.tasks_reports.report_generate", ignore_result=True)
def report_generate_task(report_id):
    """One queued report ("Generate now", or tried again): rendered, stored, emailed."""
    from .services.reports import report_build

    return report_build(report_id=report_id) is not None
