"""Quarterly contract monitoring reports: the list (with each report's status), the PDF
download, subscribing to the emails, and "Generate now" and "Try again" for the consortium
admin (a worker renders the reports; the list says how far it has got)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dps.decorators import actor_required
from dps.models import Organisation
from dps.pages import paginate
from dps.services import DomainError

from .. import access
from ..kpis.periods import YEAR, period_label, return_year
from ..models import Report, ReportSubscription
from ..selectors import reports as selectors
from ..services import reports as services

WORKING = (Report.Status.QUEUED, Report.Status.GENERATING)
KINDS = {Organisation.Kind.CONSORTIUM, Organisation.Kind.BOROUGH, Organisation.Kind.PROVIDER}


class YearFilter(forms.Form):
    """The return year whose quarters' reports are listed: one the actor has reports in."""

    year_ending = forms.TypedChoiceField(
        label="Return year",
        coerce=int,
        required=False,
        choices=(),
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": "Choose a return year from the list."},
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(year, quarter_year_label(year)) for year in years]
        self.fields["year_ending"].choices = [("", "All years"), *choices]


def quarter_year_label(year_ending):
    year = return_year(year_ending)
    return period_label(YEAR, year.start, year.end, year.upto(_today()))


class SubscriptionForm(forms.Form):
    subscribe = forms.TypedChoiceField(
        choices=[("1", "Subscribe"), ("0", "Unsubscribe")], coerce=lambda v: v == "1"
    )


def _readers(request):
    """Commissioners, the consortium admin and providers read reports; others are refused."""
    actor = request.actor
    if not (
        actor.is_consortium_admin
        or access.may_subscribe(actor)
        or (actor.is_provider and actor.api_client is None)
    ):
        raise PermissionDenied("Reports are for commissioners, the consortium and providers.")
    return actor


@actor_required(kinds=KINDS)
def report_list(request):
    actor = _readers(request)
    reports = _listed(actor).order_by("-period_start", "kind", "provider__name")
    year_filter = YearFilter(
        request.GET if "year_ending" in request.GET else None,
        years=selectors.report_years(_listed(actor)),
    )
    status = 200
    if year_filter.is_bound:
        if not year_filter.is_valid():
            status = 400
        elif year_filter.cleaned_data["year_ending"]:
            reports = selectors.reports_of_year(reports, year_filter.cleaned_data["year_ending"])
    page = paginate(request, reports)
    for report in page:
        report.label = selectors.quarter_label(report.period_start)
    context = {
        "year_filter": year_filter,
        "page": page,
        "can_subscribe": access.may_subscribe(actor),
        "subscribed": ReportSubscription.objects.filter(user=actor.user).exists(),
        "can_generate": actor.is_consortium_admin,
        "working": _listed(actor).filter(status__in=WORKING).count(),
        "last_quarter": selectors.quarter_label(selectors.last_complete_quarter(_today())[0]),
    }
    return render(request, "monitoring/reports/list.html", context, status=status)


def _listed(actor):
    """The reports the actor reads; only the admin sees those never rendered yet."""
    reports = access.reports_visible_to(actor)
    if actor.is_consortium_admin:
        return reports
    return reports.filter(Q(status=Report.Status.READY) | ~Q(pdf=""))


def _today():
    return timezone.localdate()


@actor_required(kinds=KINDS)
def report_download(request, pk):
    actor = _readers(request)
    report = access.get_report_for_actor(actor, pk)
    if not report.pdf and report.status != Report.Status.READY:
        raise Http404("This report has not been generated yet.")
    content = None
    if report.pdf:
        try:
            with report.pdf.open("rb") as pdf:
                content = pdf.read()
        except FileNotFoundError:
            pass
    if content is None:  # the file is lost: render it again
        report = services.report_generate(
            kind=report.kind,
            consortium=report.consortium,
            provider=report.provider,
            period_start=report.period_start,
        )
        with report.pdf.open("rb") as pdf:
            content = pdf.read()
    owner = report.provider.slug if report.provider else report.consortium.slug
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="report-{owner}-{report.period_start:%Y-%m}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@actor_required(kinds=KINDS)
def report_subscription(request):
    actor = request.actor
    if not access.may_subscribe(actor):
        raise PermissionDenied("Only commissioners and the consortium admin subscribe.")
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose to subscribe or unsubscribe.", status=400)
    subscribed = services.report_subscription_set(
        actor=actor, subscribed=form.cleaned_data["subscribe"]
    )
    messages.success(
        request,
        "You will get an email when each quarter's reports are ready."
        if subscribed
        else "You will no longer get the quarterly reports by email.",
    )
    return redirect("monitoring:report_list")


@require_POST
@actor_required(kinds={Organisation.Kind.CONSORTIUM})
def report_generate_now(request):
    queued = services.report_generate_now(actor=request.actor)
    messages.success(
        request,
        f"{queued} report{'s are' if queued != 1 else ' is'} queued. They are generated in the "
        "background: this page shows each one's status, and each can be downloaded when ready.",
    )
    return redirect("monitoring:report_list")


@require_POST
@actor_required(kinds={Organisation.Kind.CONSORTIUM})
def report_retry(request, pk):
    actor = request.actor
    report = access.get_report_for_actor(actor, pk, write=True)
    try:
        services.report_retry(actor=actor, report=report)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The report is queued again.")
    return redirect("monitoring:report_list")
