"""Routes of the finance app's invoices, for tests/test_url_tenancy.py.

The victim's objects are provider A's invoices to borough A, their numbers and the child's
reference as markers. Provider A's people send and amend them; borough A's finance officer
decides, exports and records payment; its commissioner reads. Another borough (its finance
officer too), another provider, borough A's placement officer and anonymous callers are
refused; a write is refused to those who may only read it."""

from datetime import date
from decimal import Decimal

from finance.models import FinanceExport, Invoice, InvoiceLine
from finance.services.invoices import (
    finance_export_create,
    invoice_line_decide,
    invoice_submit,
)
from placements.models import Placement
from tests.factories import scheduled_placement
from tests.placements.helpers import actor_of
from tests.test_url_tenancy import Tenant

NUMBER = "ALPHA-INV-1"
REFERENCE = "C-ALPHA-1"
# 30 March to 26 April 2026: a four-weekly period from the default anchor, long started.
PERIOD_START = date(2026, 3, 30)
OUTSIDERS = (
    "officer_a",
    "commissioner_b",
    "officer_b",
    "finance_b",
    "provider_admin_b",
    "bidder_b",
)
# Those who may read an invoice but not decide it, and the provider, which may not either.
NOT_DECIDERS = (*OUTSIDERS, "commissioner_a", "provider_admin_a", "bidder_a")
NOT_SENDERS = (*OUTSIDERS, "commissioner_a", "finance_a")
MARKERS = (NUMBER, "ALPHA-INV", REFERENCE, "Alpha Borough")
API_OUTSIDERS = ("borough_b", "provider_b")


def alpha_placement(world) -> Placement:
    found = Placement.objects.filter(child_reference=REFERENCE).first()
    return found or scheduled_placement(
        borough=world.borough_a,
        provider=world.provider_a,
        start=date(2026, 1, 5),
        weekly_fee="700",
        child_reference=REFERENCE,
    )


def an_invoice(world, number=NUMBER) -> Invoice:
    found = Invoice.objects.filter(number=number).first()
    return found or invoice_submit(
        actor=actor_of(world.bidder_a),
        borough=world.borough_a,
        period_start=PERIOD_START,
        number=number,
        lines=[{"placement": alpha_placement(world), "days": 28, "amount": Decimal("2800.00")}],
    )


def a_line(world) -> InvoiceLine:
    return an_invoice(world).lines.get()


def decided(world, decision="approve", number="ALPHA-INV-2") -> Invoice:
    invoice = an_invoice(world, number)
    line = invoice.lines.get()
    if line.status == InvoiceLine.Status.PENDING:
        invoice_line_decide(
            actor=actor_of(world.finance_a), line=line, decision=decision, reason="Why."
        )
    invoice.refresh_from_db()
    return invoice


def paid_able(world) -> Invoice:
    return decided(world)


def queried_invoice(world) -> Invoice:
    return decided(world, "query", "ALPHA-INV-3")


def queried_line(world) -> InvoiceLine:
    return queried_invoice(world).lines.get()


def an_export(world) -> FinanceExport:
    found = FinanceExport.objects.filter(borough=world.borough_a).first()
    if found:
        return found
    decided(world)
    return finance_export_create(actor=actor_of(world.finance_a))


def with_(maker, data):
    def recipe(world):
        maker(world)
        return data

    return recipe


def with_approved_line(world):
    decided(world)
    return {}


def new_invoice(world):
    an_invoice(world)
    return {
        "borough": world.borough_a.pk,
        "period_start": "2026-04-27",
        "number": "ALPHA-INV-NEW",
        "lines": [{"placement": alpha_placement(world).pk, "days": 28, "amount": "2800.00"}],
    }


def read_route(**kwargs):
    kwargs.setdefault("owner", "finance_a")
    kwargs.setdefault("owner_sees", NUMBER)
    kwargs.setdefault("intruders", OUTSIDERS)
    return Tenant(markers=MARKERS, api_intruders=API_OUTSIDERS, **kwargs)


def decide_route(**kwargs):
    return Tenant(
        owner="finance_a",
        markers=MARKERS,
        intruders=NOT_DECIDERS,
        api_intruders=API_OUTSIDERS,
        changes=True,
        **kwargs,
    )


def sender_route(**kwargs):
    kwargs.setdefault("intruders", NOT_SENDERS)
    return Tenant(owner="bidder_a", markers=MARKERS, api_intruders=API_OUTSIDERS, **kwargs)


INVOICE = {"pk": an_invoice}
LINE = {"pk": an_invoice, "line_pk": a_line}
PAY = {"paid_on_day": "1", "paid_on_month": "5", "paid_on_year": "2026", "reference": "BACS-1"}

ROUTES = {
    "finance:invoice_list": read_route(post=with_(an_invoice, None)),
    "finance:invoice_detail": read_route(kwargs=INVOICE),
    "finance:invoice_new": sender_route(owner_sees="Alpha Borough", post=with_(an_invoice, None)),
    "finance:invoice_upload": sender_route(
        owner_sees="Alpha Borough", post=with_(an_invoice, None)
    ),
    "finance:invoice_exports": decide_route(owner_sees="Alpha Borough", post=with_approved_line),
    "finance:invoice_export_download": read_route(
        kwargs={"pk": an_export}, owner_sees="ALPHA-INV-2", intruders=NOT_DECIDERS
    ),
    "finance:invoice_approve_matched": decide_route(
        kwargs=INVOICE, get=False, post={}, owner_sees=None
    ),
    "finance:invoice_pay": decide_route(
        kwargs={"pk": paid_able}, post=PAY, owner_sees="Record the payment"
    ),
    "finance:invoice_line_decide": decide_route(
        kwargs=LINE, post={"decision": "approve"}, owner_sees="Decide a line"
    ),
    "finance:invoice_line_amend": sender_route(
        kwargs={"pk": queried_invoice, "line_pk": queried_line},
        post={"days": "28", "amount": "2800.00", "note": "As the schedule."},
        changes=True,
        owner_sees="Amend a queried line",
    ),
    # The borough's people read the list but cannot send: their POST is refused.
    "api:finance:invoices": sender_route(
        owner_sees=NUMBER, post=new_invoice, changes=True, intruders=OUTSIDERS
    ),
    "api:finance:invoice": read_route(kwargs=INVOICE),
    "api:finance:invoice-line-approve": decide_route(
        kwargs=LINE, get=False, post={}, owner_sees=None
    ),
    "api:finance:invoice-line-query": decide_route(
        kwargs=LINE, get=False, post={"reason": "Why?"}, owner_sees=None
    ),
    "api:finance:invoice-line-reject": decide_route(
        kwargs=LINE, get=False, post={"reason": "No."}, owner_sees=None
    ),
}
