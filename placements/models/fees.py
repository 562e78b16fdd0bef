"""A placement's weekly fee over time: its schedule. The fee agreed at award (or at a spot
purchase) is the first row; each change (an uplift, additional support, a change of needs)
is a row from its effective date, past or future. A row runs to the day before the next one
(`ends`, kept by placements.services.fees), so a day's fee is one row's and the cost of any
span is a sum over rows (placements.selectors.schedule)."""

from django.conf import settings
from django.db import models


class Fee(models.Model):
    class Kind(models.TextChoices):
        AGREED = "agreed", "Agreed at award"
        UPLIFT = "uplift", "Uplift"
        ADDITIONAL_SUPPORT = "additional_support", "Additional support (such as 1:1 hours)"
        NEEDS_CHANGE = "needs_change", "Change of needs"
        OTHER = "other", "Other change"

    placement = models.ForeignKey(
        "placements.Placement", on_delete=models.PROTECT, related_name="fees"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The agreed row's is the placement's start: it runs from whenever the placement began.
    effective_date = models.DateField()
    # The last day this fee applies (the day before the next row's); null: the latest row.
    ends = models.DateField(null=True, blank=True, editable=False)
    weekly_fee = models.DecimalField(max_digits=9, decimal_places=2)
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["placement", "effective_date", "id"]
        indexes = [models.Index(fields=["placement", "effective_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["placement"],
                condition=models.Q(kind="agreed"),
                name="fee_one_agreed_per_placement",
            ),
            models.CheckConstraint(condition=models.Q(weekly_fee__gte=0), name="fee_not_negative"),
        ]

    def __str__(self):
        return f"£{self.weekly_fee} a week from {self.effective_date}"
