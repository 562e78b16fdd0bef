"""Pages: a provider's invoices (entered on the page or uploaded as CSV) and the borough's
finance officers' decisions, exports and payments. Who may: finance.access."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dps.csv_export import csv_download
from dps.decorators import actor_required
from dps.pages import paginate, render_form, submit
from dps.services import DomainError

from ..access import (
    get_export_for_actor,
    get_invoice_for_actor,
    get_invoice_line_for_actor,
    invoices_visible_to,
    may_decide_invoices,
    may_read_invoices,
    may_submit_invoices,
)
from ..forms.invoices import (
    InvoiceFilterForm,
    InvoiceLinesForm,
    InvoiceUploadForm,
    LineAmendForm,
    LineDecisionForm,
    PeriodForm,
    RemittanceForm,
)
from ..models import Invoice, InvoiceLine
from ..models.invoices import INVOICE_STATES, LINE_STATES
from ..selectors.billing import billing_settings, period_starting
from ..selectors.invoices import (
    EXPORT_HEADER,
    approved_total,
    export_rows,
    exports_of,
    invoice_lines,
    invoices_with_totals,
    lines_owed,
    lines_to_export,
    period_of,
)
from ..services.invoices import (
    finance_export_create,
    invoice_approve_matched,
    invoice_line_amend,
    invoice_line_decide,
    invoice_submit,
    invoice_submit_csv,
    remittance_record,
)


def _readable(actor):
    if not may_read_invoices(actor):
        raise PermissionDenied("Invoices are for providers and the borough's finance team.")


def _submitter(actor):
    if not may_submit_invoices(actor):
        raise PermissionDenied("Only the provider's admins and bidders can submit invoices.")


def _decider(actor):
    if not may_decide_invoices(actor):
        raise PermissionDenied("Only the borough's finance officers can do this.")


@actor_required()
def invoice_list(request):
    actor = request.actor
    _readable(actor)
    invoices = invoices_with_totals(invoices_visible_to(actor))
    filters = InvoiceFilterForm(request.GET or None)
    if filters.is_valid() and (status := filters.cleaned_data["status"]):
        invoices = invoices.filter(status=status)
    page = paginate(request, invoices)
    for invoice in page:
        invoice.period = period_of(invoice)
    return render(
        request,
        "finance/invoices/list.html",
        {
            "page": page,
            "filters": filters,
            "is_provider": actor.is_provider,
            "can_submit": may_submit_invoices(actor),
            "can_decide": may_decide_invoices(actor),
        },
    )


@actor_required()
def invoice_detail(request, pk):
    actor = request.actor
    _readable(actor)
    invoice = get_invoice_for_actor(actor, pk)
    lines = list(invoice_lines(invoice))
    can_decide = may_decide_invoices(actor) and invoice.status == Invoice.Status.SUBMITTED
    can_amend = may_submit_invoices(actor) and actor.is_provider
    for line in lines:
        line.can_decide = can_decide and line.status in (
            InvoiceLine.Status.PENDING,
            InvoiceLine.Status.QUERIED,
        )
        line.can_amend = can_amend and LINE_STATES.allows(line, "amend")
    return render(
        request,
        "finance/invoices/detail.html",
        {
            "invoice": invoice,
            "period": period_of(invoice),
            "lines": lines,
            "total": sum((line.amount for line in lines), 0),
            "approved": approved_total(invoice),
            "can_decide": can_decide,
            "can_approve_matched": can_decide
            and any(
                line.status == InvoiceLine.Status.PENDING
                and line.match == InvoiceLine.Match.MATCHED
                for line in lines
            ),
            "can_pay": may_decide_invoices(actor) and INVOICE_STATES.allows(invoice, "pay"),
            "remittance": getattr(invoice, "remittance", None)
            if invoice.status == Invoice.Status.PAID
            else None,
        },
    )


def _chosen_period(request, actor):
    """The borough and period chosen in the query string, or None (with the choosing form)."""
    form = PeriodForm(request.GET or None, provider=actor.organisation)
    if not form.is_valid():
        return form, None, None
    borough = form.cleaned_data["borough"]
    period = period_starting(billing_settings(borough), form.cleaned_data["period_start"])
    if period is None or period.start > timezone.localdate():
        form.add_error("period", "Choose one of the borough's billing periods.")
        return form, None, None
    return form, borough, period


@actor_required()
def invoice_new(request):
    """Step one: choose the borough and period (GET). Step two: the lines, pre-filled."""
    actor = request.actor
    _submitter(actor)
    chooser, borough, period = _chosen_period(request, actor)
    if borough is None or period is None:
        status = 400 if chooser.is_bound else 200
        return render(request, "finance/invoices/choose.html", {"form": chooser}, status=status)
    owed = lines_owed(actor.organisation, borough, period)
    data = request.POST if request.method == "POST" else None
    form = InvoiceLinesForm(data, owed=owed)
    if request.method == "POST" and form.is_valid():
        invoice = submit(
            form,
            invoice_submit,
            data={
                "borough": borough,
                "period_start": period.start,
                "number": form.cleaned_data["number"],
                "lines": form.cleaned_data["lines"],
                "source": Invoice.Source.PAGE,
            },
            actor=actor,
        )
        if invoice is not None:
            messages.success(request, f"Invoice {invoice.number} is sent to {borough.name}.")
            return redirect("finance:invoice_detail", pk=invoice.pk)
    return render_form(
        request,
        "finance/invoices/new.html",
        form,
        {"borough": borough, "period": period, "chosen": request.GET.get("period", "")},
    )


@actor_required()
def invoice_upload(request):
    actor = request.actor
    _submitter(actor)
    form = InvoiceUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        provider=actor.organisation,
    )
    if request.method == "POST" and form.is_valid():
        invoice = submit(
            form,
            invoice_submit_csv,
            data={
                **form.service_data(),
                "number": form.cleaned_data["number"],
                "file": form.cleaned_data["file"],
            },
            actor=actor,
        )
        if invoice is not None:
            messages.success(request, f"Invoice {invoice.number} is uploaded.")
            return redirect("finance:invoice_detail", pk=invoice.pk)
    return render_form(request, "finance/invoices/upload.html", form)


@actor_required()
def invoice_line_decide_view(request, pk, line_pk):
    actor = request.actor
    _decider(actor)
    line = get_invoice_line_for_actor(actor, pk, line_pk, write=True)
    form = LineDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        decided = submit(form, invoice_line_decide, actor=actor, line=line)
        if decided is not None:
            messages.success(request, f"The line is {decided.get_status_display().lower()}.")
            return redirect("finance:invoice_detail", pk=pk)
    return render_form(
        request,
        "finance/invoices/decide.html",
        form,
        {"invoice": line.invoice, "line": line, "period": period_of(line.invoice)},
    )


@require_POST
@actor_required()
def invoice_approve_matched_view(request, pk):
    actor = request.actor
    _decider(actor)
    invoice = get_invoice_for_actor(actor, pk, write=True)
    try:
        count = invoice_approve_matched(actor=actor, invoice=invoice)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{count} matched line{'s' if count != 1 else ''} approved.")
    return redirect("finance:invoice_detail", pk=pk)


@actor_required()
def invoice_line_amend_view(request, pk, line_pk):
    actor = request.actor
    _submitter(actor)
    line = get_invoice_line_for_actor(actor, pk, line_pk, write=True)
    if not LINE_STATES.allows(line, "amend"):
        raise PermissionDenied("Only a queried line can be amended.")
    initial = {"days": line.days, "amount": line.amount, "note": line.provider_note}
    form = LineAmendForm(request.POST if request.method == "POST" else None, initial=initial)
    amended = (
        submit(form, invoice_line_amend, actor=actor, line=line)
        if request.method == "POST" and form.is_valid()
        else None
    )
    if amended is not None:
        messages.success(request, "The line is sent again for a decision.")
        return redirect("finance:invoice_detail", pk=pk)
    return render_form(
        request,
        "finance/invoices/amend.html",
        form,
        {"invoice": line.invoice, "line": line, "period": period_of(line.invoice)},
    )


@actor_required()
def invoice_pay(request, pk):
    actor = request.actor
    _decider(actor)
    invoice = get_invoice_for_actor(actor, pk, write=True)
    if not INVOICE_STATES.allows(invoice, "pay"):
        raise PermissionDenied(INVOICE_STATES.refusal(invoice.status, action="pay"))
    form = RemittanceForm(request.POST if request.method == "POST" else None)
    paid = (
        submit(form, remittance_record, actor=actor, invoice=invoice)
        if request.method == "POST" and form.is_valid()
        else None
    )
    if paid is not None:
        messages.success(request, "The payment is recorded.")
        return redirect("finance:invoice_detail", pk=pk)
    return render_form(
        request,
        "finance/invoices/pay.html",
        form,
        {"invoice": invoice, "period": period_of(invoice), "amount": approved_total(invoice)},
    )


@actor_required()
def invoice_exports(request):
    """The borough's exports for its finance system, and a new one of the lines approved
    since the last."""
    actor = request.actor
    _decider(actor)
    if request.method == "POST":
        try:
            export = finance_export_create(actor=actor)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Export {export.pk} is ready to download.")
        return redirect("finance:invoice_exports")
    return render(
        request,
        "finance/invoices/exports.html",
        {
            "page": paginate(request, exports_of(actor.organisation)),
            "waiting": lines_to_export(actor.organisation).count(),
        },
    )


@actor_required()
def invoice_export_download(request, pk):
    actor = request.actor
    _decider(actor)
    export = get_export_for_actor(actor, pk)
    response, writer = csv_download(f"invoices-export-{export.pk}.csv")
    writer.writerow(EXPORT_HEADER)
    writer.writerows(export_rows(export))
    return response
