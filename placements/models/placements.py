"""A placement: what an award becomes, with its Individual Placement Agreement."""

from django.conf import settings
from django.db import models


class Placement(models.Model):
    class Status(models.TextChoices):
        AWARDED = "awarded", "Awarded, not yet started"
        STARTED = "started", "Started"
        ENDED = "ended", "Ended"

    request = models.OneToOneField(
        "placements.PlacementRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placement",
    )
    bid = models.OneToOneField(
        "placements.Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="placement"
    )
    borough = models.ForeignKey(
        "dps.Organisation", on_delete=models.PROTECT, related_name="borough_placements"
    )
    provider = models.ForeignKey(
        "dps.Organisation", on_delete=models.PROTECT, related_name="provider_placements"
    )
    service = models.ForeignKey("providers.Service", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(
        "providers.Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    child_reference = models.CharField(max_length=40, blank=True)
    weekly_fee = models.DecimalField(max_digits=9, decimal_places=2)
    start_date = models.DateField()
    planned_end_date = models.DateField(null=True, blank=True)
    actual_start_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AWARDED)
    award_reason = models.TextField(
        blank=True, help_text="Why a bid other than the top-ranked one was chosen."
    )
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    awarded_at = models.DateTimeField(auto_now_add=True)
    ipa_pdf = models.FileField(upload_to="ipa/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-awarded_at", "-id"]
        indexes = [
            models.Index(fields=["borough", "-awarded_at"]),
            models.Index(fields=["provider", "-awarded_at"]),
        ]

    def __str__(self):
        return f"Placement {self.pk} with {self.provider}"
