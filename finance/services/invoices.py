"""Writes for invoices: a provider submits one (on the page, over the API or as a CSV of
lines), every line matched to its placement's schedule; the borough's finance officers decide
each line; the provider amends a queried line; approved lines are exported for the council's
finance system; the payment is recorded. Every step is audited; an approved line and a
decided invoice do not change."""

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dps import csv_import
from dps.models import Organisation
from dps.services import DomainError
from dps.services.audit import audit_record
from dps.tenancy import Actor
from placements.models import Placement
from placements.selectors.schedule import Schedule, schedules_of

from ..access import may_decide_invoices, may_submit_invoices
from ..models import FinanceExport, Invoice, InvoiceLine, Remittance
from ..models.invoices import INVOICE_STATES, LINE_STATES
from ..selectors.billing import BillingPeriod, billing_settings, period_starting
from ..selectors.invoices import OPEN_LINES, approved_total, lines_to_export, provider_placements
from .notify import line_decided_tell

Match = InvoiceLine.Match
LineStatus = InvoiceLine.Status
PENNY = Decimal("0.01")
MAX_LINES = 2000


class InvoiceProblems(DomainError):
    """Several lines (or CSV rows) refused at once: `problems` lists each, naming its line."""

    def __init__(self, problems: list[str], field: str = "lines"):
        count = len(problems)
        super().__init__(
            f"The invoice cannot be accepted: {count} line{'s' if count != 1 else ''} to put "
            "right.",
            field,
        )
        self.problems = problems


# --- Matching -------------------------------------------------------------------------------


def line_match(
    schedule: Schedule | None, period: BillingPeriod, days: int, amount: Decimal, *, duplicate
) -> tuple[str, int, Decimal]:
    """(match, expected days, expected amount) of a line against the schedule for the period."""
    if schedule is None:
        expected_days, expected = 0, Decimal("0.00")
    else:
        expected_days, expected = schedule.owed(period.start, period.end)
    if expected_days == 0:
        match = Match.NOT_RUNNING
    elif duplicate:
        match = Match.DUPLICATE
    elif abs(amount - expected) <= PENNY and days == expected_days:
        match = Match.MATCHED
    elif amount > expected:
        match = Match.OVER
    elif amount < expected:
        match = Match.UNDER
    else:  # the amount is right but not the days: more days asked than the schedule has
        match = Match.OVER if days > expected_days else Match.UNDER
    return match, expected_days, expected


def _live_lines(provider_id: int, period_start: date, placement_ids: Iterable[int]):
    """Lines of the provider's, not rejected, for these placements in the period."""
    return InvoiceLine.objects.filter(
        invoice__provider_id=provider_id,
        invoice__period_start=period_start,
        placement_id__in=list(placement_ids),
    ).exclude(status=LineStatus.REJECTED)


# --- Reading the lines given ----------------------------------------------------------------


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        found = value
    else:
        try:
            found = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
    if not found.is_finite() or found < 0 or found != found.quantize(PENNY):
        return None
    return found.quantize(PENNY)


def _days(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _read_lines(
    lines: Iterable[Mapping], period: BillingPeriod, placements: dict[int, Placement]
) -> list[tuple[Placement, int, Decimal]]:
    """The lines as (placement, days, amount), or InvoiceProblems naming each bad line."""
    length = (period.end - period.start).days + 1
    problems, read = [], []
    for number, line in enumerate(lines, start=1):
        raw = line.get("placement")
        placement_id = getattr(raw, "pk", raw)
        try:
            placement = placements.get(int(placement_id)) if placement_id is not None else None
        except (TypeError, ValueError):
            placement = None
        days, amount = _days(line.get("days")), _amount(line.get("amount"))
        if placement is None:
            problems.append(
                f"Line {number}: placement {placement_id} is not one of yours with this borough."
            )
        if days is None or not 0 <= days <= length:
            problems.append(f"Line {number}: days must be a whole number from 0 to {length}.")
        if amount is None:
            problems.append(f"Line {number}: the amount must be £0 or more, in pounds and pence.")
        if placement is not None and days is not None and amount is not None:
            read.append((placement, days, amount))
    if problems:
        raise InvoiceProblems(problems)
    return read


def _same_lines(invoice: Invoice, read: list[tuple[Placement, int, Decimal]]) -> bool:
    mine = [(line.placement_id, line.days, line.amount) for line in invoice.lines.order_by("id")]
    return mine == [(p.pk, days, amount) for p, days, amount in read]


# --- Submitting -----------------------------------------------------------------------------


def invoice_period(borough: Organisation, period_start: date | None) -> BillingPeriod:
    """The borough's billing period starting on the day given, if it may be invoiced today."""
    period = period_starting(billing_settings(borough), period_start) if period_start else None
    if period is None:
        raise DomainError("Choose one of the borough's billing periods.", "period_start")
    if period.start > timezone.localdate():
        raise DomainError("A period that has not started cannot be invoiced.", "period_start")
    return period


@transaction.atomic
def invoice_submit(
    *,
    actor: Actor,
    borough: Organisation,
    period_start: date,
    number: str,
    lines: Iterable[Mapping],
    source: str = Invoice.Source.PAGE,
) -> Invoice:
    """A provider's invoice to a borough for one billing period. Sending the same number again
    with the same lines gives the invoice already made; with other lines it is refused."""
    if not may_submit_invoices(actor):
        raise DomainError("Only the provider's admins and bidders can submit invoices.")
    if borough is None or borough.kind != Organisation.Kind.BOROUGH:
        raise DomainError("Choose a borough.", "borough")
    period = invoice_period(borough, period_start)
    number = (number or "").strip()
    if not number:
        raise DomainError("Enter your invoice number.", "number")
    if len(number) > 40:
        raise DomainError("The invoice number must be 40 characters or fewer.", "number")
    lines = list(lines)
    if not lines:
        raise DomainError("An invoice needs at least one line.", "lines")
    if len(lines) > MAX_LINES:
        raise DomainError(f"An invoice can have at most {MAX_LINES} lines.", "lines")
    provider = actor.organisation
    ids = set()
    for line in lines:
        raw: Any = line.get("placement")
        try:
            ids.add(int(getattr(raw, "pk", raw)))
        except (TypeError, ValueError):
            continue
    # Locking the placements invoiced keeps two invoices sent at once from both missing that
    # the other is a duplicate.
    placements = {
        p.pk: p
        for p in provider_placements(provider, borough)
        .filter(pk__in=ids)
        .select_for_update()
        .order_by("pk")
    }
    read = _read_lines(lines, period, placements)

    existing = Invoice.objects.filter(provider=provider, borough=borough, number=number).first()
    if existing is not None:
        if existing.period_start == period.start and _same_lines(existing, read):
            return existing
        raise DomainError(f"Invoice number {number} is already used.", "number")

    schedules = schedules_of(p for p, _, _ in read)
    already = set(
        _live_lines(provider.pk, period.start, placements).values_list("placement_id", flat=True)
    )
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                provider=provider,
                borough=borough,
                number=number,
                period_start=period.start,
                period_end=period.end,
                source=source,
                submitted_by=actor.user,
            )
    except IntegrityError as exc:  # the same number sent at the same moment
        raise DomainError(f"Invoice number {number} is already used.", "number") from exc
    made = []
    for placement, days, amount in read:
        duplicate = placement.pk in already
        already.add(placement.pk)
        match, expected_days, expected = line_match(
            schedules[placement.pk], period, days, amount, duplicate=duplicate
        )
        made.append(
            InvoiceLine(
                invoice=invoice,
                placement=placement,
                days=days,
                amount=amount,
                expected_days=expected_days,
                expected_amount=expected,
                match=match,
            )
        )
    InvoiceLine.objects.bulk_create(made)
    audit_record(
        actor=actor,
        action="invoice.submitted",
        obj=invoice,
        detail={
            "number": number,
            "borough": borough.pk,
            "period_start": period.start.isoformat(),
            "lines": len(made),
            "total": str(sum((line.amount for line in made), Decimal(0))),
            "source": source,
        },
    )
    return invoice


# --- CSV ------------------------------------------------------------------------------------

CSV_COLUMNS = {
    "placement": ("placement", "placement id", "placement reference", "child reference", "child"),
    "days": ("days", "number of days", "days billed"),
    "amount": ("amount", "amount £", "amount (£)", "total", "cost", "net amount"),
}
MONEY_NOISE = re.compile(r"[£,\s]")


def invoice_csv_lines(
    *, actor: Actor, borough: Organisation, raw: bytes
) -> list[dict[str, object]]:
    """The lines of an uploaded CSV: placement (its id, or the child reference if it names one
    placement of the provider's with the borough), days and amount. All or nothing: every bad
    row is named by its line in InvoiceProblems."""
    try:
        text = csv_import.decode(raw)
    except csv_import.FileProblem as exc:
        raise DomainError(exc.message, "file") from exc
    rows = [
        r
        for r in csv_import.records(text.splitlines())
        if r.cells is None or any(c.strip() for c in r.cells)
    ]
    if not rows or rows[0].cells is None:
        raise DomainError("The file has no header row.", "file")
    columns = csv_import.match_columns(rows[0].cells, CSV_COLUMNS)
    missing = [name for name in CSV_COLUMNS if name not in columns]
    if missing:
        raise DomainError(
            "The file needs the columns placement, days and amount; missing: "
            + ", ".join(missing)
            + ".",
            "file",
        )
    if len(rows) == 1:
        raise DomainError("The file has no lines below its header.", "file")
    placements = list(
        provider_placements(actor.organisation, borough).values_list("pk", "child_reference")
    )
    ids = {pk for pk, _ in placements}
    by_reference: dict[str, list[int]] = {}
    for pk, reference in placements:
        if reference:
            by_reference.setdefault(reference.strip().lower(), []).append(pk)
    problems: list[str] = []
    lines: list[dict[str, object]] = []
    for record in rows[1:]:
        if record.cells is None:
            problems.append(f"Line {record.line}: {record.error}")
            continue
        cells = record.cells

        def cell(name, cells=cells):
            index = columns[name]
            return cells[index].strip() if index < len(cells) else ""

        given = cell("placement")
        placement = None
        if given.isdigit() and int(given) in ids:
            placement = int(given)
        elif len(by_reference.get(given.lower(), [])) == 1:
            placement = by_reference[given.lower()][0]
        elif len(by_reference.get(given.lower(), [])) > 1:
            problems.append(
                f"Line {record.line}: child reference {given} names more than one placement; "
                "use the placement number."
            )
            continue
        if placement is None:
            problems.append(
                f"Line {record.line}: “{given}” is not one of your placements with this borough."
            )
            continue
        days, amount = cell("days"), MONEY_NOISE.sub("", cell("amount"))
        if _days(days) is None:
            problems.append(f"Line {record.line}: days “{days}” is not a whole number.")
            continue
        if _amount(amount) is None:
            problems.append(
                f"Line {record.line}: amount “{cell('amount')}” is not an amount in pounds "
                "and pence."
            )
            continue
        lines.append({"placement": placement, "days": int(days), "amount": _amount(amount)})
    if problems:
        raise InvoiceProblems(problems, "file")
    return lines


@transaction.atomic
def invoice_submit_csv(
    *, actor: Actor, borough: Organisation, period_start: date, number: str, file: Any
) -> Invoice:
    raw = file.read() if hasattr(file, "read") else file
    lines = invoice_csv_lines(actor=actor, borough=borough, raw=raw)
    try:
        return invoice_submit(
            actor=actor,
            borough=borough,
            period_start=period_start,
            number=number,
            lines=lines,
            source=Invoice.Source.CSV,
        )
    except InvoiceProblems as exc:
        raise InvoiceProblems(exc.problems, "file") from exc


# --- Decisions ------------------------------------------------------------------------------

DECISIONS = {
    "approve": LineStatus.APPROVED,
    "query": LineStatus.QUERIED,
    "reject": LineStatus.REJECTED,
}
DECIDED = {"approve": "approved", "query": "queried", "reject": "rejected"}
DECIDED_ALREADY = "This line has already been decided."


def _locked_invoice(actor: Actor, invoice: Invoice) -> Invoice:
    if not may_decide_invoices(actor) or invoice.borough_id != actor.organisation.pk:
        raise DomainError("Only the borough's finance officers can decide invoices.")
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


def _settle(actor: Actor, invoice: Invoice) -> None:
    """An invoice with no line awaiting a decision or queried is decided."""
    if (
        invoice.status == Invoice.Status.SUBMITTED
        and not invoice.lines.filter(status__in=OPEN_LINES).exists()
    ):
        INVOICE_STATES.move(invoice, Invoice.Status.DECIDED, actor=actor)
        audit_record(actor=actor, action="invoice.decided", obj=invoice)


@transaction.atomic
def invoice_line_decide(
    *, actor: Actor, line: InvoiceLine, decision: str, reason: str = ""
) -> InvoiceLine:
    """Approve, query or reject one line. The invoice's row lock, then the line's, make two
    finance officers deciding at once one decision: the second is told it is decided."""
    if decision not in DECISIONS:
        raise DomainError("Choose approve, query or reject.", "decision")
    invoice = _locked_invoice(actor, line.invoice)
    line = InvoiceLine.objects.select_for_update().get(pk=line.pk, invoice=invoice)
    reason = (reason or "").strip()
    if line.status in (LineStatus.APPROVED, LineStatus.REJECTED):
        raise DomainError(DECIDED_ALREADY)
    LINE_STATES.guard(line, action=decision)
    if decision != "approve" and not reason:
        raise DomainError(f"Say why you {decision} this line.", "reason")
    old = line.status
    line.reason = reason if decision != "approve" else line.reason
    line.decided_by = actor.user
    line.decided_at = timezone.now()
    LINE_STATES.move(
        line,
        DECISIONS[decision],
        actor=actor,
        reason=reason,
        fields=["reason", "decided_by", "decided_at"],
    )
    audit_record(
        actor=actor,
        action=f"invoice.line_{DECIDED[decision]}",
        obj=invoice,
        detail={"line": line.pk, "placement": line.placement_id, "from": old, "reason": reason},
    )
    _settle(actor, invoice)
    if decision != "approve":
        line.invoice = invoice
        line_decided_tell(line)
    return line


@transaction.atomic
def invoice_approve_matched(*, actor: Actor, invoice: Invoice) -> int:
    """Approve every line awaiting a decision that matches the schedule; returns how many."""
    invoice = _locked_invoice(actor, invoice)
    lines = list(
        InvoiceLine.objects.select_for_update()
        .filter(invoice=invoice, status=LineStatus.PENDING, match=Match.MATCHED)
        .order_by("pk")
    )
    if not lines:
        raise DomainError("No line awaiting a decision matches the schedule.")
    now = timezone.now()
    InvoiceLine.objects.filter(pk__in=[line.pk for line in lines]).update(
        status=LineStatus.APPROVED, decided_by=actor.user, decided_at=now
    )
    LINE_STATES.record(lines, LineStatus.PENDING, LineStatus.APPROVED, actor=actor, at=now)
    audit_record(
        actor=actor,
        action="invoice.matched_lines_approved",
        obj=invoice,
        detail={"lines": [line.pk for line in lines]},
    )
    _settle(actor, invoice)
    return len(lines)


@transaction.atomic
def invoice_line_amend(
    *, actor: Actor, line: InvoiceLine, days: Any, amount: Any, note: str = ""
) -> InvoiceLine:
    """The provider answers a query: the line's days and amount again (matched afresh), with a
    note; it awaits a decision once more."""
    if not may_submit_invoices(actor) or line.invoice.provider_id != actor.organisation.pk:
        raise DomainError("Only the provider that sent the invoice can amend it.")
    invoice = Invoice.objects.select_for_update().get(pk=line.invoice_id)
    line = InvoiceLine.objects.select_for_update().get(pk=line.pk, invoice=invoice)
    LINE_STATES.guard(line, action="amend")
    period = BillingPeriod(invoice.period_start, invoice.period_end)
    length = (period.end - period.start).days + 1
    found_days, found_amount = _days(days), _amount(amount)
    if found_days is None or not 0 <= found_days <= length:
        raise DomainError(f"Days must be a whole number from 0 to {length}.", "days")
    if found_amount is None:
        raise DomainError("The amount must be £0 or more, in pounds and pence.", "amount")
    placement = Placement.objects.select_for_update().get(pk=line.placement_id)
    duplicate = (
        _live_lines(invoice.provider_id, period.start, [placement.pk])
        .exclude(pk=line.pk)
        .filter(pk__lt=line.pk)
        .exists()
        or _live_lines(invoice.provider_id, period.start, [placement.pk])
        .exclude(invoice=invoice)
        .exists()
    )
    schedule = schedules_of([placement])[placement.pk]
    match, expected_days, expected = line_match(
        schedule, period, found_days, found_amount, duplicate=duplicate
    )
    before = {"days": line.days, "amount": str(line.amount)}
    line.days, line.amount, line.provider_note = found_days, found_amount, (note or "").strip()
    line.match, line.expected_days, line.expected_amount = match, expected_days, expected
    LINE_STATES.move(
        line,
        LineStatus.PENDING,
        actor=actor,
        reason=line.provider_note,
        fields=["days", "amount", "provider_note", "match", "expected_days", "expected_amount"],
    )
    audit_record(
        actor=actor,
        action="invoice.line_amended",
        obj=invoice,
        detail={"line": line.pk, "before": before, "days": found_days, "amount": str(found_amount)},
    )
    return line


# --- Export and payment ---------------------------------------------------------------------


@transaction.atomic
def finance_export_create(*, actor: Actor) -> FinanceExport:
    """Take every approved line of the borough's not yet exported into a new export."""
    if not may_decide_invoices(actor):
        raise DomainError("Only the borough's finance officers can export invoices.")
    borough = actor.organisation
    lines = list(lines_to_export(borough).select_for_update().values_list("pk", flat=True))
    if not lines:
        raise DomainError("No line has been approved since the last export.")
    export = FinanceExport.objects.create(borough=borough, created_by=actor.user)
    InvoiceLine.objects.filter(pk__in=lines).update(export=export)
    audit_record(actor=actor, action="invoice.exported", obj=export, detail={"lines": len(lines)})
    return export


@transaction.atomic
def remittance_record(
    *, actor: Actor, invoice: Invoice, paid_on: date, reference: str
) -> Remittance:
    """The council has paid the invoice's approved lines: DECIDED -> PAID."""
    invoice = _locked_invoice(actor, invoice)
    INVOICE_STATES.guard(invoice, action="pay")
    if paid_on is None:
        raise DomainError("Enter the date it was paid.", "paid_on")
    if paid_on > timezone.localdate():
        raise DomainError("The date paid cannot be in the future.", "paid_on")
    reference = (reference or "").strip()
    if not reference:
        raise DomainError("Enter the payment reference.", "reference")
    amount = approved_total(invoice)
    if not invoice.lines.filter(status=LineStatus.APPROVED).exists():
        raise DomainError("No line of this invoice was approved: there is nothing to pay.")
    remittance = Remittance.objects.create(
        invoice=invoice,
        paid_on=paid_on,
        reference=reference[:60],
        amount=amount,
        recorded_by=actor.user,
    )
    INVOICE_STATES.move(invoice, Invoice.Status.PAID, actor=actor, reason=reference)
    audit_record(
        actor=actor,
        action="invoice.paid",
        obj=invoice,
        detail={"paid_on": paid_on.isoformat(), "reference": reference, "amount": str(amount)},
    )
    return remittance
