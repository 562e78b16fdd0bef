"""How a borough pays its providers: weekly or four-weekly billing periods from an anchor day,
and the cost code its finance system books each lot's placements to."""

from datetime import date

from django.db import models

# A Monday: the default first day of the billing periods (weekly and four-weekly alike).
DEFAULT_ANCHOR = date(2024, 4, 1)


class BillingSettings(models.Model):
    class Cycle(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        FOUR_WEEKLY = "four_weekly", "Four-weekly"

    borough = models.OneToOneField(
        "dps.Organisation", on_delete=models.CASCADE, related_name="billing_settings"
    )
    cycle = models.CharField(max_length=12, choices=Cycle.choices, default=Cycle.FOUR_WEEKLY)
    # The first day of one billing period: every period is a whole number of cycles from it.
    anchor = models.DateField(default=DEFAULT_ANCHOR)
    # The cost code for a placement with no lot, or a lot with no code of its own.
    default_cost_code = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "billing settings"

    def __str__(self):
        return f"{self.borough}: {self.get_cycle_display().lower()} from {self.anchor}"


class CostCode(models.Model):
    borough = models.ForeignKey("dps.Organisation", on_delete=models.CASCADE, related_name="+")
    lot = models.ForeignKey("providers.Lot", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=40)

    class Meta:
        ordering = ["borough", "lot"]
        constraints = [
            models.UniqueConstraint(fields=["borough", "lot"], name="cost_code_one_per_lot")
        ]

    def __str__(self):
        return f"{self.code} ({self.lot})"
