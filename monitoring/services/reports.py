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
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.db.models import (
    Avg,
    Count,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from dps.formatting import figure_display
from dps.models import Membership, Organisation, Role
from dps.periods import (
    QUARTER,
    latest_complete,
    period_containing,
    period_label,
    return_year,
    year_ending_of,
)
from dps.services import DomainError
from dps.services.audit import audit_record
from dps.services.emails import email_queue_template
from placements.models import Placement
from providers.models import QualityScore

from ..kpis.periods import snapshot_label
from ..models import (
    CorrectiveActionPlan,
    KpiSnapshot,
    MonitoringVisit,
    Report,
    ReportSubscription,
)

log = logging.getLogger(__name__)
Kind = Report.Kind
Status = Report.Status
# Which status a report may go to from each; generating again is a redelivered task's.
STATUS_CHANGES = {
    Status.QUEUED: {Status.GENERATING},
    Status.GENERATING: {Status.GENERATING, Status.READY, Status.FAILED},
    Status.READY: {Status.QUEUED},
    Status.FAILED: {Status.QUEUED},
}


class FetchRefused(ValueError):
    pass


def _refuse(url, *args, **kwargs):
    """WeasyPrint's URL fetcher: a report loads nothing from anywhere."""
    raise FetchRefused(f"The report does not load {url}.")


# --- Quarters ----------------------------------------------------------------------------


def quarter_start(day):
    return period_containing(QUARTER, day).start


def quarter_end(start):
    return period_containing(QUARTER, start).end


def last_complete_quarter(today):
    """(start, end) of the last quarter that ended before `today`."""
    quarter = latest_complete(QUARTER, today)
    return quarter.start, quarter.end


def quarter_label(start):
    """The quarter as every page names a complete period: "Quarter ending 30 June 2026"."""
    end = quarter_end(start)
    return period_label(QUARTER, start, end, end)


# --- Who sees which reports ----------------------------------------------------------------


def reports_of_year(reports, year_ending):
    """The reports of quarters within the return year ending 31 March `year_ending`."""
    year = return_year(year_ending)
    return reports.filter(period_start__gte=year.start, period_end__lte=year.end)


def report_years(reports):
    """The return years (the years they end in) that the reports' quarters fall in, newest
    first."""
    starts = reports.order_by().values_list("period_start", flat=True).distinct()
    return sorted({year_ending_of(start) for start in starts}, reverse=True)


def reports_visible_to(actor):
    """The consortium admin sees all of its consortium's; a commissioner its consortium's (the
    consortium report and every provider report); a provider only its own provider reports."""
    reports = Report.objects.select_related("consortium", "provider")
    if actor is None:
        return reports.none()
    if actor.is_consortium_admin:
        return reports.filter(consortium=actor.organisation)
    if actor.is_borough and actor.role == Role.COMMISSIONER:
        return reports.filter(consortium_id=actor.organisation.consortium_id)
    if actor.is_provider and actor.api_client is None:
        return reports.filter(kind=Kind.PROVIDER, provider=actor.organisation)
    return reports.none()


def can_subscribe(actor):
    return actor is not None and actor.is_commissioner_or_admin


# --- What a report shows -------------------------------------------------------------------


def _definitions():
    try:  # the KPI engine's definitions: labels and units
        from monitoring.kpis import KPIS
    except ImportError:
        return {}
    return KPIS


def kpi_label(code):
    kpi = _definitions().get(code)
    return getattr(kpi, "label", "") or code.replace("_", " ").capitalize()


def _kpi_rows(consortium, scope, scope_id, start):
    """The quarter's snapshots of the scope, in the order the KPIs are defined."""
    definitions = _definitions()
    order = {code: position for position, code in enumerate(definitions)}
    snapshots = KpiSnapshot.objects.filter(
        consortium=consortium,
        scope=scope,
        period=KpiSnapshot.Period.QUARTER,
        period_start=start,
    )
    if scope_id is not None:
        snapshots = snapshots.filter(scope_id=scope_id)
    rows = []
    ordered = sorted(snapshots, key=lambda s: (order.get(s.kpi, len(order)), s.kpi))
    for snapshot in ordered:
        kpi = definitions.get(snapshot.kpi)
        unit = getattr(kpi, "unit", "")
        rows.append(
            {
                "kpi": snapshot.kpi,
                "label": kpi_label(snapshot.kpi),
                "value": figure_display(snapshot.value, unit),
                "raw": snapshot.value,
                "period": snapshot_label(snapshot),
                "rag": snapshot.rag.capitalize() if snapshot.rag else "",
            }
        )
    return rows


def _placement_figures(placements, start, end):
    """Started, ended (and unplanned), active at the quarter's end, their mean weekly fee."""
    began = Q(actual_start_date__gte=start, actual_start_date__lte=end) & ~Q(
        status=Placement.Status.AWARDED
    )
    ended = Q(end_date__gte=start, end_date__lte=end)
    active = (
        Q(actual_start_date__lte=end)
        & ~Q(status=Placement.Status.AWARDED)
        & (Q(end_date__isnull=True) | Q(end_date__gt=end))
    )
    return placements.aggregate(
        started=Count("pk", filter=began),
        ended=Count("pk", filter=ended),
        unplanned=Count("pk", filter=ended & Q(end_planned=False)),
        active=Count("pk", filter=active),
        mean_fee=Avg("weekly_fee", filter=active),
    )


def _by_lot(placements, start, end):
    began = Q(actual_start_date__gte=start, actual_start_date__lte=end) & ~Q(
        status=Placement.Status.AWARDED
    )
    ended = Q(end_date__gte=start, end_date__lte=end)
    return list(
        placements.values(lot_name=Coalesce("lot__name", Value("No lot")))
        .annotate(
            started=Count("pk", filter=began),
            ended=Count("pk", filter=ended),
            unplanned=Count("pk", filter=ended & Q(end_planned=False)),
        )
        .filter(Q(started__gt=0) | Q(ended__gt=0))
        .order_by("lot_name")
    )


def _visit_figures(visits, start, end):
    done = Q(status=MonitoringVisit.Status.COMPLETED, visited_on__gte=start, visited_on__lte=end)
    return visits.aggregate(
        completed=Count("pk", filter=done),
        on_time=Count("pk", filter=done & Q(visited_on__lte=F("due_date"))),
        red=Count("pk", filter=done & Q(rag="red")),
        amber=Count("pk", filter=done & Q(rag="amber")),
        green=Count("pk", filter=done & Q(rag="green")),
        overdue=Count("pk", filter=Q(status=MonitoringVisit.Status.SCHEDULED, due_date__lte=end)),
    )


def _plan_figures(plans, start, end):
    end_moment = _end_of(end)
    start_moment = _end_of(start - timedelta(days=1))
    return plans.aggregate(
        opened=Count("pk", filter=Q(opened_at__gt=start_moment, opened_at__lte=end_moment)),
        closed=Count("pk", filter=Q(closed_at__gt=start_moment, closed_at__lte=end_moment)),
        open_at_end=Count(
            "pk",
            filter=Q(opened_at__lte=end_moment)
            & (Q(closed_at__isnull=True) | Q(closed_at__gt=end_moment)),
        ),
    )


def _end_of(day):
    """The last moment of a day, in the service's time zone."""
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(day, time.max))


def _latest_score(consortium, end=None):
    scores = QualityScore.objects.filter(provider=OuterRef("pk"), consortium=consortium)
    if end is not None:
        scores = scores.filter(computed_at__lte=_end_of(end))
    return scores.order_by("-computed_at", "-id").values("total")[:1]


def _first_score(consortium):
    scores = QualityScore.objects.filter(provider=OuterRef("pk"), consortium=consortium)
    return scores.order_by("computed_at", "id").values("total")[:1]


def _score_of(provider, consortium, end):
    """The score at the quarter's end; if there was none yet, the first one since."""
    scores = QualityScore.objects.filter(provider=provider, consortium=consortium)
    at_end = scores.filter(computed_at__lte=_end_of(end)).order_by("-computed_at", "-id").first()
    return at_end or scores.order_by("computed_at", "id").first()


def report_context(*, kind, consortium, provider, period_start):
    start, end = period_start, quarter_end(period_start)
    placements = Placement.objects.filter(borough__consortium=consortium)
    visits = MonitoringVisit.objects.filter(consortium=consortium)
    plans = CorrectiveActionPlan.objects.filter(consortium=consortium)
    context = {
        "kind": kind,
        "consortium": consortium,
        "provider": provider,
        "period_start": start,
        "period_end": end,
        "quarter": quarter_label(start),
        "generated_at": timezone.localtime(),
    }
    if kind == Kind.PROVIDER:
        placements = placements.filter(provider=provider)
        visits = visits.filter(provider=provider)
        plans = plans.filter(provider=provider)
        context["kpis"] = _kpi_rows(consortium, KpiSnapshot.Scope.PROVIDER, provider.pk, start)
        context["score"] = _score_of(provider, consortium, end)
        context["visit_rows"] = list(
            visits.filter(
                Q(
                    status=MonitoringVisit.Status.COMPLETED,
                    visited_on__gte=start,
                    visited_on__lte=end,
                )
                | Q(status=MonitoringVisit.Status.SCHEDULED, due_date__lte=end)
            )
            .select_related("service")
            .order_by("due_date", "id")[:50]
        )
        context["plan_rows"] = list(
            plans.filter(opened_at__lte=_end_of(end))
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=_end_of(start - timedelta(1))))
            .annotate(
                actions_open=Count("actions", filter=Q(actions__status="open")),
                actions_done=Count("actions", filter=Q(actions__status="done")),
            )
            .order_by("opened_at", "id")[:50]
        )
        for plan in context["plan_rows"]:
            plan.kpi_label = kpi_label(plan.kpi) if plan.kpi else ""
    else:
        context["kpis"] = _kpi_rows(consortium, KpiSnapshot.Scope.CONSORTIUM, None, start)
        context["provider_rows"] = _provider_rows(consortium, start, end)
    context["placements"] = _placement_figures(placements, start, end)
    context["by_lot"] = _by_lot(placements, start, end)
    context["visits"] = _visit_figures(visits, start, end)
    context["plans"] = _plan_figures(plans, start, end)
    return context


def _provider_rows(consortium, start, end):
    """Each provider with placements in the consortium: the quarter's figures and its score."""
    ours = Q(provider_placements__borough__consortium=consortium)
    started = ours & ~Q(provider_placements__status=Placement.Status.AWARDED)
    ended = ours & Q(
        provider_placements__end_date__gte=start, provider_placements__end_date__lte=end
    )
    return list(
        providers_reported(consortium)
        .annotate(
            p_started=Count(
                "provider_placements",
                filter=started
                & Q(
                    provider_placements__actual_start_date__gte=start,
                    provider_placements__actual_start_date__lte=end,
                ),
            ),
            p_ended=Count("provider_placements", filter=ended),
            p_unplanned=Count(
                "provider_placements", filter=ended & Q(provider_placements__end_planned=False)
            ),
            p_active=Count(
                "provider_placements",
                filter=started
                & Q(provider_placements__actual_start_date__lte=end)
                & (
                    Q(provider_placements__end_date__isnull=True)
                    | Q(provider_placements__end_date__gt=end)
                ),
            ),
            # The score at the quarter's end, or (none then) the first one since.
            score=Coalesce(
                Subquery(_latest_score(consortium, end)), Subquery(_first_score(consortium))
            ),
        )
        .order_by("name")
    )


def providers_reported(consortium):
    """Providers with a placement or an enrolment in the consortium."""
    ids = Placement.objects.filter(borough__consortium=consortium, provider__isnull=False).values(
        "provider_id"
    )
    enrolled = Organisation.objects.filter(
        kind=Organisation.Kind.PROVIDER, enrolments__lot__consortium=consortium
    ).values("pk")
    return Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).filter(
        Q(pk__in=ids) | Q(pk__in=enrolled)
    )


def report_html(context):
    return render_to_string("monitoring/reports/report.html", context)


def report_render(context):
    from weasyprint import HTML

    document = HTML(string=report_html(context), base_url=None, url_fetcher=_refuse)
    return document.write_pdf(pdf_tags=True)


# --- Generating, subscribing, sending -------------------------------------------------------


def report_generate(*, actor=None, kind, consortium, provider=None, period_start) -> Report:
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
    owner = provider.slug if provider else consortium.slug
    report.pdf.save(f"{kind}-{owner}-{period_start:%Y-%m}.pdf", ContentFile(content), save=False)
    report.generated_at = timezone.now()
    report.status, report.error = Status.READY, ""
    Report.objects.filter(pk=report.pk).update(
        pdf=report.pdf.name, generated_at=report.generated_at, status=Status.READY, error=""
    )
    audit_record(
        actor=actor,
        action=action,
        obj=report,
        organisation=consortium,
        detail={"kind": kind, "period_start": period_start.isoformat()},
    )
    return report


def subscribers(consortium):
    """Subscribed people with an active commissioner's or consortium admin's membership in the
    consortium."""
    members = Membership.objects.filter(is_active=True, user__is_active=True).filter(
        Q(role=Role.CONSORTIUM_ADMIN, organisation=consortium)
        | Q(role=Role.COMMISSIONER, organisation__consortium=consortium)
    )
    return (
        ReportSubscription.objects.filter(user__in=members.values("user"))
        .select_related("user")
        .order_by("user_id")
    )


def report_email_subscribers(report):
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


def reports_generate_quarter(*, today, consortium=None):
    """The last complete quarter's report of every provider with placements or enrolments in
    each consortium, and the consortium's, generated here (the caller is a worker); then the
    emails. Returns the reports generated."""
    start, _end = last_complete_quarter(today)
    consortia = Organisation.objects.filter(kind=Organisation.Kind.CONSORTIUM)
    if consortium is not None:
        consortia = consortia.filter(pk=consortium.pk)
    reports = []
    for each in consortia.order_by("pk"):
        with transaction.atomic():
            queued = _reports_queue(consortium=each, period_start=start)
        reports += [built for pk in queued if (built := report_build(report_id=pk))]
    return reports


@transaction.atomic
def report_subscription_set(*, actor, subscribed):
    """Subscribe the actor to the quarterly reports, or unsubscribe them."""
    if not can_subscribe(actor):
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


def _status_change(report, new, **fields):
    """Move the report to `new` if the table allows it from the status it has in the database
    (a conditional update, so two workers cannot both move it). True if it moved."""
    allowed = [old for old, targets in STATUS_CHANGES.items() if new in targets]
    fields = {"status": new, **({"error": ""} if new != Status.FAILED else {}), **fields}
    moved = Report.objects.filter(pk=report.pk, status__in=allowed).update(**fields) == 1
    if moved:
        for name, value in fields.items():
            setattr(report, name, value)
    return moved


@transaction.atomic
def report_generate_now(*, actor):
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
def report_retry(*, actor, report):
    """The consortium admin tries a failed report again."""
    if not (
        actor is not None
        and actor.is_consortium_admin
        and actor.api_client is None
        and report.consortium_id == actor.organisation.pk
    ):
        raise PermissionDenied("Only the consortium admin generates reports.")
    if not _status_change(report, Status.QUEUED, requested_at=timezone.now()):
        raise DomainError("Only a report that failed can be tried again.")
    audit_record(actor=actor, action="monitoring.report_retried", obj=report)
    transaction.on_commit(lambda: enqueue_reports([report.pk]))
    return report


def report_build(*, report_id):
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


def enqueue_reports(report_ids):
    """Hand the reports to a worker. A broker that is down is not an error: the reports stay
    queued, the quarterly run generates them anyway, and the admin can ask again."""
    from ..tasks_reports import report_generate_task as task

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
