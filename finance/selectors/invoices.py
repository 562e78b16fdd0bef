"""Reads for invoices: the lines a provider owes for a period (to pre-fill its invoice), an
invoice's lines, the totals the lists show, and the rows of an export for the council's
finance system. Who may see which invoice: finance.access."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from dps.models import Organisation
from placements.models import Placement
from placements.selectors.schedule import schedules_of

from ..models import FinanceExport, Invoice, InvoiceLine
from .billing import BillingPeriod, cost_code, cost_codes

LineStatus = InvoiceLine.Status
# The lines still open: an invoice with none of these is decided.
OPEN_LINES = (LineStatus.PENDING, LineStatus.QUERIED)


def boroughs_invoiced_by(provider: Organisation) -> QuerySet[Organisation]:
    """The boroughs a provider has placements with, which it may invoice."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.BOROUGH,
        pk__in=Placement.objects.filter(provider=provider).values("borough"),
    ).order_by("name")


def provider_placements(provider: Organisation, borough: Organisation) -> QuerySet[Placement]:
    """The placements a provider runs for a borough: the only ones it may invoice."""
    return Placement.objects.filter(provider=provider, borough=borough)


@dataclass(frozen=True)
class OwedLine:
    placement: Placement
    days: int
    amount: Decimal


def lines_owed(
    provider: Organisation, borough: Organisation, period: BillingPeriod
) -> list[OwedLine]:
    """One line per placement of the provider's with the borough that runs in the period, with
    the days and amount its schedule owes: what the invoice page starts from."""
    placements = list(
        provider_placements(provider, borough)
        .filter(fees__isnull=False)
        .filter(Q(actual_start_date__lte=period.end) | Q(actual_start_date__isnull=True))
        .filter(start_date__lte=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
        .distinct()
        .order_by("child_reference", "pk")
    )
    schedules = schedules_of(placements)
    owed = []
    for placement in placements:
        days, amount = schedules[placement.pk].owed(period.start, period.end)
        if days:
            owed.append(OwedLine(placement, days, amount))
    return owed


def invoices_with_totals(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Each invoice with its number of lines, its total, and its lines awaiting a decision."""
    return (
        invoices.select_related("provider", "borough")
        .annotate(
            line_count=Count("lines"),
            total=Sum("lines__amount"),
            open_count=Count("lines", filter=Q(lines__status__in=OPEN_LINES)),
        )
        .order_by("-period_start", "-id")
    )


def invoice_lines(invoice: Invoice) -> QuerySet[InvoiceLine]:
    return invoice.lines.select_related("placement", "decided_by").order_by("id")


def approved_total(invoice: Invoice) -> Decimal:
    """What the borough pays for an invoice: its approved lines."""
    total = invoice.lines.filter(status=LineStatus.APPROVED).aggregate(total=Sum("amount"))
    return total["total"] or Decimal("0.00")


def lines_to_export(borough: Organisation | int) -> QuerySet[InvoiceLine]:
    """The borough's approved lines no export has yet taken."""
    return InvoiceLine.objects.filter(
        invoice__borough=borough, status=LineStatus.APPROVED, export__isnull=True
    )


def exports_of(borough: Organisation) -> QuerySet[FinanceExport]:
    return (
        FinanceExport.objects.filter(borough=borough)
        .select_related("created_by")
        .annotate(line_count=Count("lines"), total=Sum("lines__amount"))
        .order_by("-created_at", "-id")
    )


EXPORT_HEADER = [
    "Invoice number",
    "Provider",
    "Placement",
    "Child reference",
    "Period start",
    "Period end",
    "Days",
    "Amount",
    "Cost code",
    "Approved on",
]


def export_rows(export: FinanceExport) -> list[list]:
    """The export's CSV rows (after EXPORT_HEADER): one per placement and period, made again
    from its lines whenever it is downloaded."""
    codes = cost_codes(export.borough_id)
    lines = (
        export.lines.select_related("invoice__provider", "placement")
        .order_by("invoice__period_start", "invoice__number", "id")
        .iterator()
    )
    return [
        [
            line.invoice.number,
            line.invoice.provider.name,
            line.placement_id,
            line.placement.child_reference,
            line.invoice.period_start.isoformat(),
            line.invoice.period_end.isoformat(),
            line.days,
            line.amount,
            cost_code(export.borough_id, line.placement.lot_id, codes),
            line.decided_at.date().isoformat() if line.decided_at else "",
        ]
        for line in lines
    ]


def period_of(invoice: Invoice) -> BillingPeriod:
    return BillingPeriod(invoice.period_start, invoice.period_end)


def is_period_open(period: BillingPeriod, today: date) -> bool:
    """A period may be invoiced once it has started."""
    return period.start <= today
