"""Pages: the money report (with its CSV and PDF), a placement's cost schedule, and the
borough's billing settings. Who may: finance.access; the figures: finance.selectors.money."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode

from dps.csv_export import csv_download
from dps.decorators import actor_required
from dps.formatting import money
from dps.pages import paginate, render_form, submit
from placements.models import Fee
from providers.models import Lot

from ..access import (
    get_placement_for_actor,
    may_change_billing,
    may_read_billing,
    may_read_money,
    money_borough_choices,
)
from ..forms.money import BillingSettingsForm, YearForm
from ..models import CostCode
from ..selectors.billing import billing_settings
from ..selectors.money import (
    COLUMNS,
    MoneyReport,
    money_rows,
    periods_owed,
    schedule_span,
    schedule_view,
)
from ..selectors.money import (
    money_report as money_report_of,
)
from ..services.billing import billing_settings_save


class FetchRefused(ValueError):
    pass


def _refuse(url, *args, **kwargs):
    """WeasyPrint's URL fetcher: the report loads nothing from anywhere."""
    raise FetchRefused(f"The report does not load {url}.")


def _report(request):
    actor = request.actor
    if not may_read_money(actor):
        raise PermissionDenied("The money report is for commissioners and the consortium admin.")
    today = timezone.localdate()
    boroughs = money_borough_choices(actor)
    years = YearForm(request.GET or None, today=today, boroughs=boroughs)
    return years, money_report_of(actor, years.chosen(), today, years.chosen_borough())


def _shown(report: MoneyReport) -> dict:
    """The report's figures as people read them (money(), to the penny)."""

    def cells(figures):
        return [money(value) for value in figures.rounded()]

    return {
        "report": report,
        "columns": [label for _, label in COLUMNS],
        "by_lot": [(row.label, cells(row.figures)) for row in report.by_lot],
        "by_provider": [(row.label, cells(row.figures)) for row in report.by_provider],
        "total": cells(report.total),
        "tables": [
            ("By lot", "Lot", [(row.label, cells(row.figures)) for row in report.by_lot]),
            (
                "By provider",
                "Provider",
                [(row.label, cells(row.figures)) for row in report.by_provider],
            ),
        ],
        "scope": scope_name(report),
    }


def scope_name(report: MoneyReport) -> str:
    return (
        f"Financial year {report.year_label} (1 April {report.year.start.year} to 31 March "
        f"{report.year.end.year}), as at {report.today:%-d %B %Y}"
    )


@actor_required()
def money_report(request):
    years, report = _report(request)
    borough = years.chosen_borough()
    boroughs = dict(years.fields["borough"].choices) if "borough" in years.fields else {}
    context = {
        **_shown(report),
        "years": years,
        "organisation": request.actor.organisation,
        "shown_for": boroughs.get(borough) or request.actor.organisation.name,
        "query": urlencode({"year_ending": report.year_ending, "borough": borough or ""}),
    }
    status = 400 if years.is_bound and years.errors else 200
    return render(request, "finance/money/report.html", context, status=status)


@actor_required()
def money_report_csv(request):
    _years, report = _report(request)
    response, writer = csv_download(f"money-{report.year_label}.csv")
    writer.writerows(money_rows(report))
    return response


@actor_required()
def money_report_pdf(request):
    from weasyprint import HTML

    _years, report = _report(request)
    html = render_to_string(
        "finance/money/report_pdf.html",
        {**_shown(report), "organisation": request.actor.organisation},
    )
    pdf = HTML(string=html, base_url=None, url_fetcher=_refuse).write_pdf(pdf_tags=True)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"money-{report.year_label}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@actor_required()
def placement_schedule(request, pk):
    actor = request.actor
    placement = get_placement_for_actor(actor, pk)
    today = timezone.localdate()
    view = schedule_view(placement, today)
    last = schedule_span(placement, view.schedule, today, view.settings)
    periods = periods_owed(view.schedule, view.settings, view.schedule.began, last)
    page = paginate(request, periods, per_page=26)
    rates = [
        {
            "kind": rate.kind,
            "kind_label": Fee.Kind(rate.kind).label,
            "effective_date": rate.effective_date,
            "starts": rate.starts,
            "ends": rate.ends,
            "weekly_fee": money(rate.weekly_fee),
            "daily": money(rate.weekly_fee / 7),
            "reason": rate.reason,
        }
        for rate in view.schedule.rates
    ]
    return render(
        request,
        "finance/money/schedule.html",
        {
            "placement": placement,
            "rates": rates,
            "page": page,
            "periods": [
                {
                    "label": p.period.label,
                    "days": p.days,
                    "amount": money(p.amount),
                    "split": [(label, days, money(amount)) for label, days, amount in p.split],
                }
                for p in page
            ],
            "settings": view.settings,
            "to_date": money(view.to_date),
            "committed": money(view.committed),
            "last": last,
            "today": today,
        },
    )


@actor_required()
def billing_settings_page(request):
    actor = request.actor
    if not may_read_billing(actor):
        raise PermissionDenied("Billing settings are for the borough's people.")
    borough = actor.organisation
    can_change = may_change_billing(actor)
    settings = billing_settings(borough)
    lots = list(Lot.objects.filter(consortium=borough.consortium).order_by("position", "name"))
    codes = dict(CostCode.objects.filter(borough=borough).values_list("lot_id", "code"))
    initial = {
        "cycle": settings.cycle,
        "anchor": settings.anchor,
        "default_cost_code": settings.default_cost_code,
        **{f"lot_{lot.pk}": codes.get(lot.pk, "") for lot in lots},
    }
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("Only the borough's commissioners and finance officers can.")
        form = BillingSettingsForm(request.POST, lots=lots, initial=initial)
        if form.is_valid() and (
            submit(
                form, billing_settings_save, data=form.service_data(), actor=actor, borough=borough
            )
            is not None
        ):
            messages.success(request, "The billing settings are saved.")
            return redirect("finance:billing_settings")
    else:
        form = BillingSettingsForm(initial=initial, lots=lots)
    return render_form(
        request,
        "finance/money/billing.html",
        form,
        {
            "borough": borough,
            "can_change": can_change,
            "settings": settings,
            "lot_rows": [(lot, codes.get(lot.pk, "")) for lot in lots],
        },
    )
