"""Quarterly contract monitoring reports: one per provider and one for the consortium, as PDF
(WeasyPrint), and the people who subscribe to them.

A report covers one calendar quarter. It reads the quarter's KPI snapshots (written by the KPI
engine; a quarter without any says "no data"), counts the placements started and ended in the
quarter, the monitoring visits and corrective action plans, and the quality score. Every figure
is an aggregate: a report names no child and no borough, so every commissioner of the
consortium may read every report.

Generating a report again for the same quarter replaces its PDF (the report is recognised by its
kind, consortium, provider and quarter). The quarterly task generates the last complete
quarter's reports and emails each subscriber a link to each report once.

Rendering a PDF takes seconds, so a report is queued (a row with its status: queued, generating,
ready or failed) and a worker renders it after the request has committed; the list shows each
report's status, and a failed one can be tried again."""

import logging
import threading
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from dps.models import Organisation
from dps.services import DomainError
from dps.services.audit import audit_record
from dps.services.emails import email_queue_template
from dps.tenancy import Actor

from ..access import may_subscribe
from ..models import Report, ReportSubscription
from ..models.reports import REPORT_STATES
from ..selectors.reports import (
    last_complete_quarter,
    providers_reported,
    quarter_end,
    quarter_label,
    quarter_start,
    report_context,
    subscribers,
)

log = logging.getLogger(__name__)
Kind = Report.Kind
Status = Report.Status


class FetchRefused(ValueError):
    pass


def _refuse(url, *args, **kwargs):
    """WeasyPrint's URL fetcher: a report loads nothing from anywhere."""
    raise FetchRefused(f"The report does not load {url}.")


# --- Rendering ----------------------------------------------------------------------------


def report_html(context: Mapping[str, Any]) -> str:
    return render_to_string("monitoring/reports/report.html", context)


def report_render(context: Mapping[str, Any]) -> bytes:
    from weasyprint import HTML

    document = HTML(string=report_html(context), base_url=None, url_fetcher=_refuse)
    return document.write_pdf(pdf_tags=True)


# --- Generating, subscribing, sending -------------------------------------------------------


def report_generate(
    *,
    actor: Actor | None = None,
    kind: str,
    consortium: Organisation,
    provider: Organisation | None = None,
    period_start: date,
) -> Report:
    """Render the quarter's report and store it. Generating it again replaces its PDF."""
    if kind not in Kind.values:
        raise DomainError("Choose a provider report or the consortium report.", "kind")
    if (kind == Kind.PROVIDER) != (provider is not None):
        raise DomainError("A provider report needs a provider; the consortium's none.", "provider")
    if period_start != quarter_start(period_start):
        raise DomainError("A report starts on the first day of a quarter.", "period_start")
    if actor is not None and not (
        actor.is_consortium_admin and actor.organisation.pk == consortium.pk
    ):
        raise PermissionDenied("Only the consortium admin generates reports.")
    context = report_context(
        kind=kind, consortium=consortium, provider=provider, period_start=period_start
    )
    content = report_render(context)  # slow: outside the transaction
    return _report_store(
        actor=actor,
        kind=kind,
        consortium=consortium,
        provider=provider,
        period_start=period_start,
        content=content,
    )


@transaction.atomic
def _report_store(*, actor, kind, consortium, provider, period_start, content):
    key = {
        "kind": kind,
        "consortium": consortium,
        "provider": provider,
        "period_start": period_start,
    }
    report = Report.objects.select_for_update().filter(**key).order_by("id").first()
    if report is None:
        report = Report.objects.create(**key, period_end=quarter_end(period_start))
        action = "monitoring.report_generated"
    else:
        action = "monitoring.report_regenerated"
        if report.pdf:
            report.pdf.delete(save=False)
    was = report.status
    owner = provider.slug if provider else consortium.slug
    report.pdf.save(f"{kind}-{owner}-{period_start:%Y-%m}.pdf", ContentFile(content), save=False)
    report.generated_at = timezone.now()
    report.status, report.error = Status.READY, ""
    Report.objects.filter(pk=report.pk).update(
        pdf=report.pdf.name, generated_at=report.generated_at, status=Status.READY, error=""
    )
    if was != Status.READY:
        REPORT_STATES.record(report, was, Status.READY, actor=actor)
    audit_record(
        actor=actor,
        action=action,
        obj=report,
        organisation=consortium,
        detail={"kind": kind, "period_start": period_start.isoformat()},
    )
    return report


def report_email_subscribers(report: Report) -> int:
    """Email each subscriber a link to the report, once per report and person."""
    sent = 0
    for subscription in subscribers(report.consortium):
        user = subscription.user
        email_queue_template(
            to=user.email,
            template="emails/monitoring_report",
            context={"report": report, "quarter": quarter_label(report.period_start)},
            organisation=report.consortium,
            dedupe_key=f"monitoring-report:{report.pk}:{user.pk}",
        )
        sent += 1
    return sent


def reports_generate_quarter(
    *, today: date, consortium: Organisation | None = None
) -> list[Report]:
    """The last complete quarter's report of every provider with placements or enrolments in
    each consortium, and the consortium's, generated here (the caller is a worker); then the
    emails. Returns the reports generated."""
    start, _end = last_complete_quarter(today)
    consortia = Organisation.objects.filter(kind=Organisation.Kind.CONSORTIUM)
    if consortium is not None:
        consortia = consortia.filter(pk=consortium.pk)
    reports: list[Report] = []
    for each in consortia.order_by("pk"):
        with transaction.atomic():
            queued = _reports_queue(consortium=each, period_start=start)
        reports += [built for pk in queued if (built := report_build(report_id=pk))]
    return reports


@transaction.atomic
def report_subscription_set(*, actor: Actor | None, subscribed: bool) -> bool:
    """Subscribe the actor to the quarterly reports, or unsubscribe them."""
    if not may_subscribe(actor) or actor.user is None:
        raise PermissionDenied("Only commissioners and the consortium admin subscribe.")
    existing = ReportSubscription.objects.filter(user=actor.user).first()
    if subscribed and existing is None:
        subscription = ReportSubscription.objects.create(user=actor.user)
        audit_record(actor=actor, action="monitoring.report_subscribed", obj=subscription)
    elif not subscribed and existing is not None:
        audit_record(actor=actor, action="monitoring.report_unsubscribed", obj=existing)
        existing.delete()
    return subscribed


def _reports_queue(*, consortium, period_start):
    """Queue the quarter's reports of the consortium (each provider's and its own), creating
    the rows missing. Returns the ids of those queued, with any still waiting from an earlier
    request (its broker may have been down); one being generated is left to its worker. Call it
    inside a transaction."""
    # Requests for one consortium take turns (its row is locked): no report is made twice.
    Organisation.objects.select_for_update().filter(pk=consortium.pk).first()
    now = timezone.now()
    wanted = [(Kind.PROVIDER, provider) for provider in providers_reported(consortium)]
    wanted.append((Kind.CONSORTIUM, None))
    queued = []
    for kind, provider in wanted:
        report, created = Report.objects.get_or_create(
            kind=kind,
            consortium=consortium,
            provider=provider,
            period_start=period_start,
            defaults={
                "period_end": quarter_end(period_start),
                "status": Status.QUEUED,
                "requested_at": now,
            },
        )
        waiting = report.status == Status.QUEUED
        if created or waiting or _status_change(report, Status.QUEUED, requested_at=now):
            queued.append(report.pk)
    return queued


def _status_change(report, new, *, actor=None, **fields):
    """Move the report to `new` if its state machine allows it from the status it has in the
    database (a conditional update, so two workers cannot both move it). True if it moved."""
    fields = {**({"error": ""} if new != Status.FAILED else {}), **fields}
    return REPORT_STATES.move_if(report, new, fields=fields, actor=actor)


@transaction.atomic
def report_generate_now(*, actor: Actor | None) -> int:
    """The consortium admin asks for the last complete quarter's reports now: they are queued
    and a worker renders them once this transaction commits. Returns how many were queued."""
    if not (actor is not None and actor.is_consortium_admin and actor.api_client is None):
        raise PermissionDenied("Only the consortium admin generates reports.")
    start, _end = last_complete_quarter(timezone.localdate())
    queued = _reports_queue(consortium=actor.organisation, period_start=start)
    audit_record(
        actor=actor,
        action="monitoring.reports_generate_requested",
        obj=actor.organisation,
        detail={"period_start": start.isoformat(), "queued": len(queued)},
    )
    transaction.on_commit(lambda: enqueue_reports(queued))
    return len(queued)


@transaction.atomic
def report_retry(*, actor: Actor | None, report: Report) -> Report:
    """The consortium admin tries a failed report again."""
    if not (
        actor is not None
        and actor.is_consortium_admin
        and actor.api_client is None
        and report.consortium_id == actor.organisation.pk
    ):
        raise PermissionDenied("Only the consortium admin generates reports.")
    if not _status_change(report, Status.QUEUED, actor=actor, requested_at=timezone.now()):
        raise DomainError(REPORT_STATES.refusal(report.status, action="retry"))
    audit_record(actor=actor, action="monitoring.report_retried", obj=report)
    transaction.on_commit(lambda: enqueue_reports([report.pk]))
    return report


def report_build(*, report_id: int) -> Report | None:
    """A worker renders a queued report, then emails its subscribers. Run twice, it renders it
    once: a report no longer queued (or being generated by a task redelivered after its worker
    died) is left alone. A failure is kept on the report, for the admin to try again.
    Returns the report, or None."""
    report = Report.objects.select_related("consortium", "provider").filter(pk=report_id).first()
    if report is None or not _status_change(report, Status.GENERATING):
        return None
    try:
        report = report_generate(
            kind=report.kind,
            consortium=report.consortium,
            provider=report.provider,
            period_start=report.period_start,
        )
    except Exception as exc:  # any failure to render or store: shown as failed, not lost
        log.exception("Report %s could not be generated.", report_id)
        _status_change(report, Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        audit_record(
            label="system",
            action="monitoring.report_failed",
            obj=report,
            organisation=report.consortium,
        )
        return None
    with transaction.atomic():
        report_email_subscribers(report)
    return report


def enqueue_reports(report_ids: Sequence[int]) -> None:
    """Hand the reports to a worker. A broker that is down is not an error: the reports stay
    queued, the quarterly run generates them anyway, and the admin can ask again."""
    from ..tasks import report_generate_task as task

    if not report_ids:
        return
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # The embedded mode has no worker: render beside the request, not inside it.
        threading.Thread(target=_build_all, args=(list(report_ids),), daemon=True).start()
        return
    for report_id in report_ids:
        try:
            task.apply_async((report_id,), retry=False)
        except Exception:
            log.warning("Could not queue report %s.", report_id, exc_info=True)


def _build_all(report_ids):
    try:
        for report_id in report_ids:
            report_build(report_id=report_id)
    finally:
        connections.close_all()  # this thread's own connections
