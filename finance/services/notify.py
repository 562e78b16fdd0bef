"""The emails finance sends a provider: a line of its invoice queried or rejected, and the
decision on its uplift request. Each goes through the outbox in the decision's transaction
(sent after the commit, never lost) to the person who sent the invoice or request and the
provider's admins; it names the invoice or round and links to the page, never a child."""

from django.urls import reverse

from dps.services.emails import email_queue_template_many
from providers.selectors.enrolment import provider_admin_emails

from ..models import InvoiceLine, UpliftRequest


def _send(provider, sender, template, context):
    email_queue_template_many(
        template=template,
        emails=[
            {"to": address, "context": context, "organisation": provider}
            for address in provider_admin_emails(provider, also=sender)
        ],
    )


def line_decided_tell(line: InvoiceLine) -> None:
    """A line was queried or rejected: the provider reads why, and can answer a query."""
    invoice = line.invoice
    _send(
        invoice.provider,
        invoice.submitted_by,
        "emails/invoice_line_decided",
        {
            "invoice": invoice,
            "borough": invoice.borough.name,
            "placement": line.placement_id,
            "status": line.get_status_display().lower(),
            "queried": line.status == InvoiceLine.Status.QUERIED,
            "reason": line.reason,
            "path": reverse("finance:invoice_detail", args=[invoice.pk]),
        },
    )


def uplift_decided_tell(request: UpliftRequest) -> None:
    _send(
        request.provider,
        request.requested_by,
        "emails/uplift_decided",
        {
            "request": request,
            "round": request.round.name,
            "borough": request.borough.name,
            "status": request.get_status_display().lower(),
            "path": reverse("finance:uplift_request", args=[request.pk]),
        },
    )
