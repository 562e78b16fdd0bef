"""The money of placements: each borough's billing settings and cost codes, providers'
invoices matched to the schedule, their export and payment, and fee uplift rounds."""

from .billing import BillingSettings, CostCode
from .invoices import FinanceExport, Invoice, InvoiceLine, Remittance
from .uplifts import UpliftLine, UpliftRequest, UpliftRound

__all__ = [
    "BillingSettings",
    "CostCode",
    "FinanceExport",
    "Invoice",
    "InvoiceLine",
    "Remittance",
    "UpliftLine",
    "UpliftRequest",
    "UpliftRound",
]
