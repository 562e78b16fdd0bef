"""Sealed bids, and the evaluation that ranks them once the request closes."""

from django.conf import settings
from django.db import models

from dps.state import Action, StateMachine

from .requests import PlacementRequest


class Bid(models.Model):
    """One provider's offer on a request, with one of its services. A provider has one bid per
    request; withdrawing and bidding again reuses it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        WITHDRAWN = "withdrawn", "Withdrawn"
        INVALID = "invalid", "Invalid"

    # Neither key has an index of its own: the unique (request, provider) and the (provider, ...)
    # indexes below lead with them, and every index is written again when closing scores a bid.
    request = models.ForeignKey(
        PlacementRequest, on_delete=models.PROTECT, related_name="bids", db_index=False
    )
    provider = models.ForeignKey(
        "dps.Organisation", on_delete=models.PROTECT, related_name="placement_bids", db_index=False
    )
    service = models.ForeignKey("providers.Service", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    # The weekly fee is the core fee plus the cost of the extra staffing hours.
    core_weekly_fee = models.DecimalField(max_digits=9, decimal_places=2)
    extra_staffing_hours = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    extra_staffing_cost = models.DecimalField(
        "weekly cost of extra staffing", max_digits=9, decimal_places=2, default=0
    )
    weekly_fee = models.DecimalField(max_digits=9, decimal_places=2)
    start_date = models.DateField()
    needs_met = models.JSONField(
        default=dict, blank=True, help_text="Each need the bid says it meets -> how it meets it."
    )
    volume_discount = models.TextField(blank=True)
    terms_version = models.PositiveIntegerField(
        default=1, help_text="The request's terms version this bid was made or confirmed on."
    )
    submitted_at = models.DateTimeField(
        help_text="When the bid was last made, changed or confirmed; ties go to the earlier."
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    invalid_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The evaluation, written once at closing.
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    price_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    quality_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    needs_fit_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    # Nearness of the service to the child's home (placements.services.scoring.proximity).
    proximity_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    total_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    quality_snapshot = models.ForeignKey(
        "providers.QualityScore",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The provider's quality score in force at the deadline.",
    )

    # Nottinghamshire practice: the young person's view of each shortlisted offer.
    young_person_view = models.TextField(blank=True)
    young_person_view_at = models.DateTimeField(null=True, blank=True)
    young_person_view_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["rank", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "provider"], name="bid_one_per_provider")
        ]
        indexes = [
            models.Index(fields=["provider", "-created_at"]),
            # The API's pages of a provider's bids, newest (highest id) first.
            models.Index(fields=["provider", "-id"], name="bid_provider_id_desc"),
        ]

    def __str__(self):
        return f"Bid {self.pk} by {self.provider} on {self.request}"

    @property
    def needs_reconfirmation(self):
        return (
            self.status == self.Status.SUBMITTED and self.terms_version < self.request.terms_version
        )


BidStatus = Bid.Status
# A bid's allowed changes: withdrawn by its provider or found invalid (at closing, or when the
# request is re-opened), and made again after either.
BID_STATES = StateMachine(
    BidStatus,
    {
        BidStatus.SUBMITTED: {BidStatus.WITHDRAWN, BidStatus.INVALID},
        BidStatus.WITHDRAWN: {BidStatus.SUBMITTED},
        BidStatus.INVALID: {BidStatus.SUBMITTED},
    },
    actions={
        "withdraw": Action(
            BidStatus.WITHDRAWN,
            refused=lambda status: (
                "This bid has already been withdrawn."
                if status == BidStatus.WITHDRAWN
                else f"This bid is {status.label.lower()}: it cannot be withdrawn."
            ),
        ),
        "confirm": Action(
            sources={BidStatus.SUBMITTED}, refused="Only a submitted bid can be confirmed."
        ),
    },
    refused=lambda old, new: (
        f"A bid that is {old.label.lower()} cannot become {new.label.lower()}."
    ),
    owner="provider_id",
)


class Evaluation(models.Model):
    """How a request's bids were scored at closing, with the inputs, to explain it later."""

    request = models.OneToOneField(
        PlacementRequest, on_delete=models.CASCADE, related_name="evaluation"
    )
    evaluated_at = models.DateTimeField(auto_now_add=True)
    weights = models.JSONField(
        help_text="The lot's weights in percent: quality, price, needs fit, proximity."
    )
    lowest_fee = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    total_need_score = models.PositiveSmallIntegerField(default=0)
    inputs = models.JSONField(
        default=dict, help_text="Per bid: the figures each score part was computed from."
    )
    valid_bids = models.PositiveSmallIntegerField(default=0)
    invalid_bids = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return f"Evaluation of {self.request}"
