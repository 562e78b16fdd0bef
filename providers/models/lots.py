"""The lots a DPS is divided into; a provider enrols per lot."""

from django.core.exceptions import ValidationError
from django.db import models


class Lot(models.Model):
    class OverBudget(models.TextChoices):
        """Whether a bid over a request's maximum weekly budget can win."""

        ALLOWED = "allowed", "Allowed"
        WITH_REASON = "allowed_with_reason", "Allowed, with a reason recorded at award"
        REFUSED = "refused", "Refused: such a bid cannot be made"

    consortium = models.ForeignKey(
        "dps.Organisation",
        on_delete=models.PROTECT,
        related_name="lots",
        limit_choices_to={"kind": "consortium"},
        help_text="The consortium whose DPS this lot is part of.",
    )
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    service_types = models.JSONField(
        default=list,
        blank=True,
        help_text="The types of service that serve this lot; none listed means any type.",
    )
    # How a mini-competition on this lot ranks its bids, in percent; they total 100.
    weight_quality = models.PositiveSmallIntegerField("quality weight", default=60)
    weight_price = models.PositiveSmallIntegerField("price weight", default=30)
    weight_needs = models.PositiveSmallIntegerField("needs fit weight", default=10)
    # Nearness of the bid's service to the child's home (0 by default: distance is then a
    # condition of eligibility only).
    weight_proximity = models.PositiveSmallIntegerField("proximity weight", default=0)
    # Awarding above the budget is an exception the borough explains, unless the admin says
    # otherwise.
    over_budget_rule = models.CharField(
        "bids over the budget",
        max_length=20,
        choices=OverBudget.choices,
        default=OverBudget.WITH_REASON,
        help_text="Whether a bid over a request's maximum weekly budget can win.",
    )

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["consortium", "code"], name="lot_code_unique")
        ]

    def __str__(self):
        return self.name

    @property
    def evaluation_weights(self):
        return {
            "quality": self.weight_quality,
            "price": self.weight_price,
            "needs_fit": self.weight_needs,
            "proximity": self.weight_proximity,
        }

    def clean(self):
        if sum(self.evaluation_weights.values()) != 100:
            raise ValidationError("The evaluation weights must total 100%.")
