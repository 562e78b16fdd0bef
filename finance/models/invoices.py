"""A provider's invoice to a borough for one billing period, its lines matched to the
schedule, the finance officers' decision on each line, their export and the payment."""

from django.conf import settings
from django.db import models

from dps.state import Action, StateMachine


class Invoice(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting decisions"
        DECIDED = "decided", "Decided"
        PAID = "paid", "Paid"

    class Source(models.TextChoices):
        PAGE = "page", "Entered on the page"
        CSV = "csv", "Uploaded as CSV"
        API = "api", "Sent over the API"

    provider = models.ForeignKey("dps.Organisation", on_delete=models.PROTECT, related_name="+")
    borough = models.ForeignKey("dps.Organisation", on_delete=models.PROTECT, related_name="+")
    # The provider's own invoice number: unique per provider and borough, which also makes
    # sending the same invoice twice one invoice.
    number = models.CharField(max_length=40)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    source = models.CharField(max_length=5, choices=Source.choices, default=Source.PAGE)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "borough", "number"], name="invoice_number_unique"
            )
        ]
        indexes = [
            models.Index(fields=["borough", "status", "-period_start"]),
            models.Index(fields=["provider", "-period_start"]),
        ]

    def __str__(self):
        return f"Invoice {self.number} from {self.provider}"


InvoiceStatus = Invoice.Status
INVOICE_STATES = StateMachine(
    InvoiceStatus,
    {InvoiceStatus.SUBMITTED: {InvoiceStatus.DECIDED}, InvoiceStatus.DECIDED: {InvoiceStatus.PAID}},
    actions={
        "pay": Action(
            InvoiceStatus.PAID,
            refused=lambda status: (
                "This invoice has already been paid."
                if status == InvoiceStatus.PAID
                else "Decide every line before recording the payment."
            ),
        ),
    },
    owner="borough_id",
)


class FinanceExport(models.Model):
    """A batch of approved lines exported for the council's finance system: the CSV is made
    again from its lines whenever it is downloaded."""

    borough = models.ForeignKey("dps.Organisation", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Export {self.pk} of {self.borough}"


class InvoiceLine(models.Model):
    class Match(models.TextChoices):
        MATCHED = "matched", "Matches the schedule"
        OVER = "over", "More than the schedule"
        UNDER = "under", "Less than the schedule"
        NOT_RUNNING = "not_running", "Placement not running in the period"
        DUPLICATE = "duplicate", "Already invoiced for the period"

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting decision"
        APPROVED = "approved", "Approved"
        QUERIED = "queried", "Queried"
        REJECTED = "rejected", "Rejected"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    placement = models.ForeignKey(
        "placements.Placement", on_delete=models.PROTECT, related_name="invoice_lines"
    )
    days = models.PositiveSmallIntegerField()
    amount = models.DecimalField(max_digits=11, decimal_places=2)
    # The schedule's days and amount for the period, and the match, set when the line is
    # submitted (or amended): what the finance officers decide on.
    expected_days = models.PositiveSmallIntegerField()
    expected_amount = models.DecimalField(max_digits=11, decimal_places=2)
    match = models.CharField(max_length=12, choices=Match.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Why a line was queried or rejected; the provider's answer to a query.
    reason = models.TextField(blank=True)
    provider_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    export = models.ForeignKey(
        FinanceExport, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )

    class Meta:
        ordering = ["invoice", "id"]
        indexes = [
            models.Index(fields=["placement", "status"]),
            models.Index(fields=["status", "export"]),
        ]

    def __str__(self):
        return f"£{self.amount} for placement {self.placement_id}"

    @property
    def difference(self):
        """What the line asks above the schedule (negative: below it)."""
        return self.amount - self.expected_amount


LineStatus = InvoiceLine.Status
LINE_STATES = StateMachine(
    LineStatus,
    {
        LineStatus.PENDING: {LineStatus.APPROVED, LineStatus.QUERIED, LineStatus.REJECTED},
        LineStatus.QUERIED: {LineStatus.PENDING, LineStatus.APPROVED, LineStatus.REJECTED},
    },
    actions={
        "approve": Action(LineStatus.APPROVED, refused="This line has already been decided."),
        "query": Action(
            LineStatus.QUERIED,
            sources={LineStatus.PENDING},
            refused="Only a line awaiting a decision can be queried.",
        ),
        "reject": Action(LineStatus.REJECTED, refused="This line has already been decided."),
        "amend": Action(
            LineStatus.PENDING, refused="Only a queried line can be amended and sent again."
        ),
    },
)


class Remittance(models.Model):
    """The payment of an invoice's approved lines, as the council's finance system made it."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="remittance")
    paid_on = models.DateField()
    reference = models.CharField(max_length=60)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"£{self.amount} paid on {self.paid_on}"
