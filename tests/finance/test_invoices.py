"""Invoices, worked by hand: each line matched to the schedule (matched, over, under, not
running, duplicated), the four-weekly period across the financial year's end, the finance
officers' decisions, the provider's amendment, the export and the payment."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from dps.models import AuditEvent, OutboundEmail
from dps.services import DomainError
from finance.models import FinanceExport, Invoice, InvoiceLine, Remittance
from finance.selectors.invoices import EXPORT_HEADER, export_rows, lines_owed
from finance.services.invoices import (
    InvoiceProblems,
    finance_export_create,
    invoice_approve_matched,
    invoice_line_amend,
    invoice_line_decide,
    invoice_submit,
    remittance_record,
)
from tests.finance.invoice_helpers import CURRENT, NOW, UPLIFT, YEAR_END, actor_of, placement_of

Match = InvoiceLine.Match
LineStatus = InvoiceLine.Status


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def submit(world, number, lines, *, period=YEAR_END, user=None, borough=None):
    return invoice_submit(
        actor=actor_of(user or world.bidder_a),
        borough=borough or world.borough_a,
        period_start=period.start,
        number=number,
        lines=[{"placement": p, "days": d, "amount": Decimal(a)} for p, d, a in lines],
    )


@pytest.fixture
def placements(world):
    """p1: £700 a week all period; p2: £1,000, then £1,400 from Wednesday 15 April (an
    uplift mid-week); p3: £700, from Wednesday 8 April to Monday 20 April; p4: ended on 1
    March; p5: invoiced already; p6: £700, uplifted to £735 on 1 April (the year's start)."""
    return {
        "p1": placement_of(world, "C-ONE"),
        "p2": placement_of(world, "C-TWO", fee="1000", changes=[(date(2026, 4, 15), "1400")]),
        "p3": placement_of(world, "C-THREE", start=date(2026, 4, 8), end=date(2026, 4, 20)),
        "p4": placement_of(world, "C-FOUR", end=date(2026, 3, 1)),
        "p5": placement_of(world, "C-FIVE"),
        "p6": placement_of(world, "C-SIX", changes=[(date(2026, 4, 1), "735", UPLIFT)]),
    }


def test_every_kind_of_mismatch_is_found_and_worked_to_the_penny(world, placements):
    p = placements
    submit(world, "INV-0", [(p["p5"], 28, "2800.00")])

    invoice = submit(
        world,
        "INV-1",
        [
            (p["p1"], 28, "2800.00"),  # 28 days at £100
            (p["p2"], 28, "4800.00"),  # 16 days at £1,000/7 + 12 at £200 = £4,685.71
            (p["p3"], 13, "1200.00"),  # 13 days at £100 = £1,300
            (p["p4"], 28, "2800.00"),  # ended before the period
            (p["p1"], 28, "2800.00"),  # twice in this invoice
            (p["p5"], 28, "2800.00"),  # in INV-0 already
        ],
    )

    lines = list(invoice.lines.order_by("id"))
    assert [line.match for line in lines] == [
        Match.MATCHED,
        Match.OVER,
        Match.UNDER,
        Match.NOT_RUNNING,
        Match.DUPLICATE,
        Match.DUPLICATE,
    ]
    assert (lines[0].expected_days, lines[0].expected_amount) == (28, Decimal("2800.00"))
    assert lines[1].expected_amount == Decimal("4685.71")
    assert lines[1].difference == Decimal("114.29")
    assert (lines[2].expected_days, lines[2].expected_amount) == (13, Decimal("1300.00"))
    assert lines[2].difference == Decimal("-100.00")
    assert (lines[3].expected_days, lines[3].expected_amount) == (0, Decimal("0.00"))
    assert invoice.status == Invoice.Status.SUBMITTED
    assert invoice.period_end == YEAR_END.end
    assert AuditEvent.objects.filter(action="invoice.submitted", object_id=invoice.pk).exists()


def test_the_four_weekly_period_across_the_year_end_is_matched_at_each_fee(world, placements):
    # 30 and 31 March at £100 a day, 1 to 26 April at £105: £200 + £2,730.
    invoice = submit(world, "INV-YE", [(placements["p6"], 28, "2930.00")])

    line = invoice.lines.get()
    assert (line.match, line.expected_amount) == (Match.MATCHED, Decimal("2930.00"))


def test_a_penny_either_way_still_matches_but_a_day_short_does_not(world, placements):
    invoice = submit(
        world,
        "INV-2",
        [(placements["p1"], 28, "2800.01"), (placements["p6"], 27, "2930.00")],
    )

    assert [line.match for line in invoice.lines.order_by("id")] == [Match.MATCHED, Match.UNDER]


def test_the_page_starts_from_the_lines_the_schedule_owes(world, placements):
    owed = {
        line.placement.child_reference: line
        for line in lines_owed(world.provider_a, world.borough_a, YEAR_END)
    }

    assert set(owed) == {"C-ONE", "C-TWO", "C-THREE", "C-FIVE", "C-SIX"}
    assert (owed["C-TWO"].days, owed["C-TWO"].amount) == (28, Decimal("4685.71"))
    assert (owed["C-THREE"].days, owed["C-THREE"].amount) == (13, Decimal("1300.00"))


def test_sending_the_same_invoice_twice_makes_one_but_other_lines_are_refused(world, placements):
    first = submit(world, "INV-3", [(placements["p1"], 28, "2800.00")])

    again = submit(world, "INV-3", [(placements["p1"], 28, "2800.00")])
    with pytest.raises(DomainError, match="already used") as refused:
        submit(world, "INV-3", [(placements["p1"], 28, "2700.00")])

    assert again.pk == first.pk
    assert refused.value.field == "number"
    assert Invoice.objects.count() == 1


def test_a_period_not_started_or_not_the_boroughs_is_refused(world, placements):
    line = [(placements["p1"], 1, "100.00")]
    future = CURRENT.end.replace(day=CURRENT.end.day + 1)

    with pytest.raises(DomainError, match="not started") as later:
        submit(world, "X1", line, period=type(CURRENT)(future, future))
    with pytest.raises(DomainError, match="billing periods") as odd:
        submit(world, "X2", line, period=type(CURRENT)(date(2026, 4, 1), date(2026, 4, 1)))
    current = submit(world, "X3", line, period=CURRENT)

    assert later.value.field == odd.value.field == "period_start"
    assert current.period_start == CURRENT.start


def test_another_providers_or_boroughs_placement_and_bad_figures_are_named_by_line(
    world, placements
):
    theirs = placement_of(world, "C-B", provider=world.provider_b)

    with pytest.raises(InvoiceProblems) as refused:
        submit(
            world,
            "X4",
            [(placements["p1"], 29, "1.00"), (theirs, 1, "1.00"), (placements["p5"], 1, "1.005")],
        )

    assert refused.value.problems == [
        "Line 1: days must be a whole number from 0 to 28.",
        f"Line 2: placement {theirs.pk} is not one of yours with this borough.",
        "Line 3: the amount must be £0 or more, in pounds and pence.",
    ]
    assert not Invoice.objects.exists()


def test_only_a_provider_submits(world, placements):
    with pytest.raises(DomainError, match="admins and bidders"):
        submit(world, "X5", [(placements["p1"], 28, "2800.00")], user=world.finance_a)


# --- Decisions ------------------------------------------------------------------------------


@pytest.fixture
def invoice(world, placements):
    p = placements
    return submit(
        world,
        "INV-D",
        [(p["p1"], 28, "2800.00"), (p["p2"], 28, "4800.00"), (p["p6"], 28, "2930.00")],
    )


def decide(world, line, decision, reason="", user=None):
    return invoice_line_decide(
        actor=actor_of(user or world.finance_a), line=line, decision=decision, reason=reason
    )


def test_finance_officers_approve_query_and_reject_and_the_invoice_is_then_decided(world, invoice):
    one, two, three = invoice.lines.order_by("id")

    decide(world, one, "approve")
    decide(world, two, "query", "The uplift on 15 April was £1,400, not more.")
    with pytest.raises(DomainError, match="Say why") as no_reason:
        decide(world, three, "reject")
    decide(world, three, "reject", "Sent on another invoice.")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.SUBMITTED  # a line is queried

    amended = invoice_line_amend(
        actor=actor_of(world.bidder_a),
        line=two,
        days=28,
        amount="4685.71",
        note="Corrected to the uplift.",
    )
    assert (amended.status, amended.match) == (LineStatus.PENDING, Match.MATCHED)
    decide(world, two, "approve")

    invoice.refresh_from_db()
    two.refresh_from_db()
    assert no_reason.value.field == "reason"
    assert invoice.status == Invoice.Status.DECIDED
    assert two.provider_note == "Corrected to the uplift."
    assert AuditEvent.objects.filter(action="invoice.line_queried").count() == 1
    assert AuditEvent.objects.filter(action="invoice.decided").count() == 1


def test_a_decided_line_cannot_be_decided_again_or_amended(world, invoice):
    line = invoice.lines.order_by("id").first()
    decide(world, line, "approve")

    with pytest.raises(DomainError, match="already been decided"):
        decide(world, line, "reject", "Changed my mind.")
    with pytest.raises(DomainError, match="Only a queried line"):
        invoice_line_amend(actor=actor_of(world.bidder_a), line=line, days=1, amount="1.00")


def test_another_boroughs_finance_officer_cannot_decide(world, invoice):
    with pytest.raises(DomainError, match="finance officers"):
        decide(world, invoice.lines.first(), "approve", user=world.finance_b)


def test_approving_every_matched_line_leaves_the_others(world, invoice):
    approved = invoice_approve_matched(actor=actor_of(world.finance_a), invoice=invoice)

    statuses = list(invoice.lines.order_by("id").values_list("status", flat=True))
    assert approved == 2
    assert statuses == [LineStatus.APPROVED, LineStatus.PENDING, LineStatus.APPROVED]


# --- Export and payment ---------------------------------------------------------------------


def test_the_export_has_one_row_per_approved_line_and_the_next_only_new_ones(world, invoice):
    from finance.models import BillingSettings, CostCode
    from tests.factories import LotFactory

    lot = LotFactory(name="Residential")
    p6 = InvoiceLine.objects.get(invoice=invoice, placement__child_reference="C-SIX").placement
    p6.lot = lot
    p6.save(update_fields=["lot"])
    CostCode.objects.create(borough=world.borough_a, lot=lot, code="RES-100")
    BillingSettings.objects.create(borough=world.borough_a, default_cost_code="CIC-000")
    finance = actor_of(world.finance_a)
    invoice_approve_matched(actor=finance, invoice=invoice)

    export = finance_export_create(actor=finance)
    with pytest.raises(DomainError, match="since the last export"):
        finance_export_create(actor=finance)

    rows = export_rows(export)
    p1 = InvoiceLine.objects.get(invoice=invoice, placement__child_reference="C-ONE").placement
    assert EXPORT_HEADER[-2:] == ["Cost code", "Approved on"]
    assert rows == [
        ["INV-D", "Alpha Care", p1.pk, "C-ONE", "2026-03-30", "2026-04-26", 28,
         Decimal("2800.00"), "CIC-000", "2026-05-10"],
        ["INV-D", "Alpha Care", p6.pk, "C-SIX", "2026-03-30", "2026-04-26", 28,
         Decimal("2930.00"), "RES-100", "2026-05-10"],
    ]  # fmt: skip
    assert FinanceExport.objects.count() == 1


def test_payment_is_recorded_for_a_decided_invoice_with_its_approved_total(world, invoice):
    finance = actor_of(world.finance_a)
    with pytest.raises(DomainError, match="Decide every line"):
        remittance_record(actor=finance, invoice=invoice, paid_on=date(2026, 5, 9), reference="R1")
    invoice_approve_matched(actor=finance, invoice=invoice)
    decide(world, invoice.lines.get(match=Match.OVER), "reject", "Over the schedule.")
    invoice.refresh_from_db()

    with pytest.raises(DomainError, match="future"):
        remittance_record(actor=finance, invoice=invoice, paid_on=date(2026, 5, 11), reference="R")
    remittance = remittance_record(
        actor=finance, invoice=invoice, paid_on=date(2026, 5, 9), reference="BACS-991"
    )
    with pytest.raises(DomainError, match="already been paid"):
        remittance_record(actor=finance, invoice=invoice, paid_on=date(2026, 5, 9), reference="R2")

    invoice.refresh_from_db()
    assert remittance.amount == Decimal("5730.00")
    assert invoice.status == Invoice.Status.PAID
    assert Remittance.objects.count() == 1
    assert AuditEvent.objects.filter(action="invoice.paid").exists()


def test_an_invoice_with_every_line_rejected_cannot_be_paid(world, placements):
    invoice = submit(world, "INV-R", [(placements["p4"], 1, "100.00")])
    decide(world, invoice.lines.get(), "reject", "Not running.")
    invoice.refresh_from_db()

    with pytest.raises(DomainError, match="nothing to pay"):
        remittance_record(
            actor=actor_of(world.finance_a),
            invoice=invoice,
            paid_on=date(2026, 5, 9),
            reference="R",
        )


# --- The provider is told ------------------------------------------------------------------

PROVIDER_A = {"admin@provider-a.test", "bidder@provider-a.test"}


def test_a_queried_line_is_emailed_to_the_sender_and_the_admins_with_the_reason(world, invoice):
    first, second, _third = invoice.lines.order_by("id")

    decide(world, first, "approve")
    assert not OutboundEmail.objects.exists()

    decide(world, second, "query", "Send the staffing breakdown.")
    emails = list(OutboundEmail.objects.all())
    assert {e.to for e in emails} == PROVIDER_A
    assert {e.subject for e in emails} == {"Invoice INV-D: a line was queried by Alpha Borough"}
    body = emails[0].body_text
    assert "Send the staffing breakdown." in body
    assert f"/finance/invoices/{invoice.pk}/" in body
    assert second.placement.child_reference not in body


def test_a_rejected_line_is_emailed_too(world, invoice):
    third = invoice.lines.order_by("id").last()

    decide(world, third, "reject", "Not ours.")

    subjects = set(OutboundEmail.objects.values_list("subject", flat=True))
    assert subjects == {"Invoice INV-D: a line was rejected by Alpha Borough"}
